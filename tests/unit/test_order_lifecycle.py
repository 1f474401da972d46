"""The order lifecycle table: its paths, its guards, and the events every edge records."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from staycore.kernel.errors import GuardRejectedError, IllegalTransitionError
from staycore.orders.lifecycle import ORDER_LIFECYCLE, LifecycleFacts, OrderStatus

S = OrderStatus
ARRIVAL, DEPARTURE = dt.date(2026, 7, 10), dt.date(2026, 7, 13)


def facts(**changes: Any) -> LifecycleFacts:
    base = LifecycleFacts(
        lines=1,
        request_to_book=False,
        today=dt.date(2026, 7, 1),
        arrival=ARRIVAL,
        departure=DEPARTURE,
    )
    return attrs.evolve(base, **changes)


def walk(events: list[tuple[str, LifecycleFacts]]) -> list[str]:
    state, recorded = ORDER_LIFECYCLE.initial, []
    for event, seen in events:
        edge = ORDER_LIFECYCLE.fire(state, event, seen)
        recorded.append(edge.description)
        state = edge.target
    return recorded


def test_an_instant_booking_goes_the_main_line_and_records_each_step() -> None:
    stay_day, after = facts(today=ARRIVAL), facts(today=DEPARTURE, settled=True)
    assert walk(
        [
            ("hold", facts()),
            ("await_payment", facts()),
            ("confirm", facts(paid_enough=True)),
            ("check_in", stay_day),
            ("check_out", after),
            ("complete", after),
        ]
    ) == [
        "order.held",
        "order.awaiting_payment",
        "order.confirmed",
        "order.checked_in",
        "order.checked_out",
        "order.completed",
    ]


def test_request_to_book_waits_for_the_host_and_lapses_into_declined() -> None:
    asks = facts(request_to_book=True)
    assert ORDER_LIFECYCLE.next_state(S.HELD, "request_approval", asks) is S.AWAITING_APPROVAL
    with pytest.raises(GuardRejectedError) as refused:
        ORDER_LIFECYCLE.fire(S.HELD, "await_payment", asks)
    assert "books_instantly" in str(refused.value)
    lapsed = attrs.evolve(asks, approval_lapsed=True)
    assert ORDER_LIFECYCLE.next_state(S.AWAITING_APPROVAL, "lapse", lapsed) is S.DECLINED
    assert not ORDER_LIFECYCLE.can_fire(S.AWAITING_APPROVAL, "approve", lapsed)
    assert ORDER_LIFECYCLE.next_state(S.AWAITING_APPROVAL, "approve", asks) is S.AWAITING_PAYMENT


def test_guards_refuse_what_the_facts_do_not_allow() -> None:
    assert not ORDER_LIFECYCLE.can_fire(S.DRAFT, "hold", facts(lines=0))
    assert not ORDER_LIFECYCLE.can_fire(S.AWAITING_PAYMENT, "confirm", facts())
    assert not ORDER_LIFECYCLE.can_fire(S.HELD, "expire", facts())
    assert ORDER_LIFECYCLE.can_fire(S.HELD, "expire", facts(hold_lapsed=True))
    assert not ORDER_LIFECYCLE.can_fire(S.CONFIRMED, "check_in", facts())
    assert not ORDER_LIFECYCLE.can_fire(S.CONFIRMED, "no_show", facts(today=ARRIVAL))
    late = facts(today=ARRIVAL + dt.timedelta(days=1))
    assert ORDER_LIFECYCLE.can_fire(S.CONFIRMED, "no_show", late)
    assert not ORDER_LIFECYCLE.can_fire(S.CONFIRMED, "cancel", late)
    assert not ORDER_LIFECYCLE.can_fire(S.CHECKED_OUT, "complete", facts(settled=False))


def test_final_states_have_no_exit_and_illegal_events_name_the_allowed_ones() -> None:
    assert ORDER_LIFECYCLE.final == {S.COMPLETED, S.CANCELLED, S.DECLINED, S.NO_SHOW}
    assert ORDER_LIFECYCLE.allowed_events(S.EXPIRED) == ("revive",)  # late money only
    assert not ORDER_LIFECYCLE.can_fire(S.EXPIRED, "revive", facts())
    with pytest.raises(IllegalTransitionError) as refused:
        ORDER_LIFECYCLE.fire(S.CANCELLED, "confirm", facts(paid_enough=True))
    assert refused.value.code == "state_machine.illegal_transition"
    with pytest.raises(IllegalTransitionError, match="check_in, no_show, cancel"):
        ORDER_LIFECYCLE.fire(S.CONFIRMED, "complete", facts())


def test_every_edge_has_a_guard_and_records_its_target() -> None:
    for edge in ORDER_LIFECYCLE.transitions:
        assert edge.guard is not None, edge
        assert edge.description == f"order.{edge.target.value}"


seen_facts = st.builds(
    LifecycleFacts,
    lines=st.integers(0, 2),
    request_to_book=st.booleans(),
    today=st.integers(-20, 20).map(lambda days: ARRIVAL + dt.timedelta(days=days)),
    arrival=st.just(ARRIVAL),
    departure=st.just(DEPARTURE),
    approval_lapsed=st.booleans(),
    hold_lapsed=st.booleans(),
    paid_enough=st.booleans(),
    settled=st.booleans(),
)


@given(
    state=st.sampled_from(OrderStatus),
    event=st.sampled_from(sorted({edge.event for edge in ORDER_LIFECYCLE.transitions})),
    seen=seen_facts,
)
def test_firing_lands_in_a_table_state_or_refuses_clearly(
    state: OrderStatus, event: str, seen: LifecycleFacts
) -> None:
    allowed = ORDER_LIFECYCLE.can_fire(state, event, seen)
    try:
        target = ORDER_LIFECYCLE.next_state(state, event, seen)
    except (IllegalTransitionError, GuardRejectedError):
        assert not allowed
    else:
        assert allowed
        assert target in ORDER_LIFECYCLE.states
        assert state not in ORDER_LIFECYCLE.final
