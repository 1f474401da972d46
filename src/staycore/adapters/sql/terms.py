"""What the SQL queries find aggregates by: terms written with each save, in its transaction.

The memory adapter answers "which orders are open?" by looking at every order. A
database should not decode every order to answer that, so each save of an aggregate also
writes its *terms*, short strings a query selects on (``open``, ``order:<id>``,
``opened:<instant>``), into ``staycore_aggregate_terms``. The functions here say which
terms each of staycore's aggregates has; the rules are the memory queries' rules, word
for word, so that both adapters give the same answers (the query contract tests check).

Example:
    >>> from staycore.adapters.sql.terms import terms_of
    >>> from staycore.testing.contracts import GuestNote
    >>> terms_of(GuestNote.write("no terms for notes"))
    ()
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from staycore.adapters.sql.schema import utc_text
from staycore.membership.members import Member
from staycore.membership.service import UNRESOLVED_STATUSES, ServiceRequest
from staycore.orders.lifecycle import ORDER_LIFECYCLE, OrderStatus
from staycore.orders.order import Order
from staycore.orders.reviews import Review

__all__ = [
    "MEMBER",
    "OPEN",
    "OPENED",
    "REVIEW_OF",
    "UNRESOLVED",
    "UNSETTLED",
    "terms_of",
]

OPEN: Final = "open"
UNSETTLED: Final = "unsettled"
REVIEW_OF: Final = "order:"
MEMBER: Final = "member:"
UNRESOLVED: Final = "unresolved"
OPENED: Final = "opened:"


def _order_terms(order: Order) -> tuple[str, ...]:
    terms = []
    if not ORDER_LIFECYCLE.is_final(order.status):
        terms.append(OPEN)
    ended = ORDER_LIFECYCLE.is_final(order.status) or order.status is OrderStatus.EXPIRED
    if (
        order.requests
        or order.refund_due.is_positive
        or (ended and order.ledger.authorized.is_positive)
    ):
        terms.append(UNSETTLED)
    return tuple(terms)


def _review_terms(review: Review) -> tuple[str, ...]:
    return (f"{REVIEW_OF}{review.order}",)


def _member_terms(member: Member) -> tuple[str, ...]:
    # Sorting on the term sorts members by when they joined.
    return () if member.merged_into is not None else (f"{MEMBER}{utc_text(member.joined_at)}",)


def _request_terms(request: ServiceRequest) -> tuple[str, ...]:
    opened = f"{OPENED}{utc_text(request.opened_at)}"
    return (UNRESOLVED, opened) if request.status in UNRESOLVED_STATUSES else (opened,)


_TERMS: Final[dict[type, Callable[[Any], tuple[str, ...]]]] = {
    Order: _order_terms,
    Review: _review_terms,
    Member: _member_terms,
    ServiceRequest: _request_terms,
}


def terms_of(aggregate: object) -> tuple[str, ...]:
    """The terms the queries find ``aggregate`` by; none for a type no query reads.

    Example:
        See the module example.
    """
    terms = _TERMS.get(type(aggregate))
    return terms(aggregate) if terms is not None else ()
