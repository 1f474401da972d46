"""Tools for testing staycore and the code built on it.

* :class:`~staycore.testing.clock.FrozenClock`: a clock that stands still until the
  test moves it; exported here.
* :mod:`staycore.testing.strategies`: hypothesis strategies for every domain type.
* :mod:`staycore.testing.contracts`: the contract suites an adapter author subclasses
  to prove an adapter keeps the rules of its port.
* :func:`~staycore.testing.errors.assert_refused`: checks that bad input is refused with
  the promised error, code and advice; exported here.

Importing this package needs neither pytest nor hypothesis; the two modules that use
them (from the ``dev`` extra) are imported only by name.

Example:
    >>> from staycore.testing import FrozenClock
    >>> FrozenClock("2026-05-01T09:00:00Z")
    FrozenClock('2026-05-01T09:00:00+00:00')
"""

from staycore.testing.clock import FrozenClock
from staycore.testing.errors import assert_refused

__all__ = ["FrozenClock", "assert_refused"]
