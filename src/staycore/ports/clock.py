"""The clock port: where use cases learn the current instant.

It is the kernel's :class:`~staycore.kernel.time.Clock`, re-exported here so that every
port is found in one place. :class:`~staycore.kernel.time.SystemClock` is the real one;
:class:`~staycore.testing.clock.FrozenClock` is the one tests set and advance.

Example:
    >>> from staycore.ports.clock import Clock
    >>> from staycore.testing.clock import FrozenClock
    >>> isinstance(FrozenClock("2026-01-01T00:00:00Z"), Clock)
    True
"""

from staycore.kernel.time import Clock

__all__ = ["Clock"]
