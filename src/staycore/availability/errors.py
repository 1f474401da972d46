"""Errors of the availability context.

Every error here is an :class:`AvailabilityError`, with a stable code under
``availability.``. Modules of the context that need more define them beside the rule
they protect, as subclasses of the root.

Example:
    >>> from staycore.availability.errors import AvailabilityError
    >>> AvailabilityError.code
    'availability.error'
"""

from staycore.kernel.errors import StaycoreError

__all__ = ["AvailabilityError"]


class AvailabilityError(StaycoreError):
    """Inventory, restrictions, holds or schedules were used against their rules."""

    code = "availability.error"
