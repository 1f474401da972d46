"""The member queries port: which customers belong to the loyalty programme.

The loyalty sweepers (points expiry, triggers) visit every member; a store answers
which ones there are without loading them all.

Example:
    >>> from staycore.adapters.memory import MemoryStore
    >>> from staycore.adapters.memory.members import MemoryMemberQueries
    >>> from staycore.ports.members import MemberQueries
    >>> isinstance(MemoryMemberQueries(MemoryStore()), MemberQueries)
    True
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from staycore.membership.ids import CustomerId

__all__ = ["MemberQueries"]


@runtime_checkable
class MemberQueries(Protocol):
    """Finds the members of the loyalty programme."""

    def members(self) -> tuple[CustomerId, ...]:
        """Every enrolled member, in the order they joined, less those merged into another."""
        ...
