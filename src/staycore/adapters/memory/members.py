"""Member queries over a :class:`~staycore.adapters.memory.MemoryStore`.

Example:
    >>> from staycore.adapters.memory import MemoryStore
    >>> from staycore.adapters.memory.members import MemoryMemberQueries
    >>> MemoryMemberQueries(MemoryStore()).members()
    ()
"""

from __future__ import annotations

from staycore.adapters.memory.store import MemoryStore
from staycore.membership.ids import CustomerId
from staycore.membership.members import Member

__all__ = ["MemoryMemberQueries"]


class MemoryMemberQueries:
    """The members committed to a memory store, by when they joined, less those merged away.

    Args:
        store: The store the loyalty use cases save members in.
    """

    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    def members(self) -> tuple[CustomerId, ...]:
        """Every enrolled member, in the order they joined."""
        joined = sorted(self._store.committed(Member), key=lambda m: (m.joined_at, m.id))
        return tuple(member.id for member in joined if member.merged_into is None)
