"""Giving back what a failed command took, without hiding why it failed.

A use case that fails halfway gives back what it already took (holds, coupon uses, an
idempotency claim). Giving back can fail too: inside an atomic block
(:attr:`~staycore.ports.stores.Stores.atomic`) whose transaction the database refused,
every statement is refused until the block ends, and the block's rollback gives all of it
back anyway. So :func:`undo` runs every step, logs a step that fails, and raises nothing:
the error that stopped the command is the one its caller must see.

Example:
    >>> from staycore.app.undo import undo
    >>> taken = ["room 12", "coupon SUMMER10"]
    >>> undo([lambda: taken.remove("coupon SUMMER10"), lambda: taken.remove("room 12")],
    ...      what="a doc example")
    >>> taken
    []
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from staycore.kernel.errors import StaycoreError

__all__ = ["undo"]

_LOG = logging.getLogger(__name__)


def undo(steps: Iterable[Callable[[], object]], *, what: str) -> None:
    """Run each step, in order; log a step that fails with a staycore error, and go on.

    Args:
        steps: What gives back each thing taken, most recent first.
        what: The command, for the log.

    Example:
        See the module example.
    """
    for step in steps:
        try:
            step()
        except StaycoreError:
            _LOG.warning("giving back what %s took failed", what, exc_info=True)
