"""Erasure on a guest's request: what replaces their personal data, and the event it leaves.

A guest may ask for their personal data to be erased. The records that hold it (their
profile, their orders, their reviews and service requests) keep their ids, their money
and their dates, so that the books still balance and the statistics still count, but
lose everything that names or reaches the guest: names become :data:`ERASED`, contact
details, identity numbers, birthdays and free text go. Each erased record records
:class:`PersonalDataErased`, naming the fields, never their values.

Example:
    >>> from staycore.kernel.erasure import ERASED, PersonalDataErased
    >>> from staycore.kernel.ids import Identifier
    >>> class DocGuestId(Identifier):
    ...     prefix = "doc_guest"
    >>> event = PersonalDataErased(
    ...     aggregate_id=DocGuestId("doc_guest_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"), aggregate_version=4,
    ...     occurred_at="2026-09-01T10:00:00Z", fields=("name", "contact"))
    >>> ERASED, event.fields
    ('erased', ('name', 'contact'))
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

import attrs

from staycore.kernel.events import DomainEvent

__all__ = ["ERASED", "PERSONAL", "PersonalDataErased"]

ERASED: Final = "erased"
"""What stands in for a name, or any text that must stay non-empty, once erased."""

PERSONAL: Final[Mapping[str, object]] = MappingProxyType({"personal": True})
"""The attrs metadata of a field that holds personal data: what is encrypted at rest
(:mod:`staycore.adapters.sql.codec`), erased on request and hidden from ``repr``."""


@attrs.frozen(kw_only=True)
class PersonalDataErased(DomainEvent):
    """A record's personal data was erased on the guest's request; ``fields`` names them."""

    fields: tuple[str, ...]
