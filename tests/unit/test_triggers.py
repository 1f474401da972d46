"""The membership triggers: which touches are due on a day, each once by its key."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from staycore.membership.ids import CustomerId
from staycore.membership.triggers import (
    ExpiringPoints,
    InvalidTriggerSettingsError,
    MemberSnapshot,
    TriggerKind,
    TriggerSettings,
    due_triggers,
)
from staycore.orders.ids import OrderId
from staycore.testing.errors import assert_refused

MEI = CustomerId.new()
SETTINGS = TriggerSettings(upgrade_tiers={"Platinum"})


def kinds(member: MemberSnapshot, today: dt.date) -> list[TriggerKind]:
    return [action.kind for action in due_triggers(SETTINGS, [member], today=today)]


@pytest.mark.parametrize(
    ("today", "due"),
    [
        (dt.date(2026, 11, 28), False),  # four days before
        (dt.date(2026, 11, 29), True),  # three days before
        (dt.date(2026, 12, 2), True),  # the day itself: a missed run still sends it
        (dt.date(2026, 12, 3), False),  # past: next year's comes in 2027
    ],
)
def test_a_birthday_offer_is_due_from_three_days_before(today: dt.date, due: bool) -> None:
    member = MemberSnapshot(customer=MEI, birthday=dt.date(1990, 12, 2))
    assert kinds(member, today) == ([TriggerKind.BIRTHDAY_OFFER] if due else [])


def test_the_birthday_key_names_the_year_so_it_goes_once_a_year() -> None:
    member = MemberSnapshot(customer=MEI, birthday=dt.date(1990, 1, 1))
    [this_year] = due_triggers(SETTINGS, [member], today=dt.date(2026, 12, 30))
    [next_day] = due_triggers(SETTINGS, [member], today=dt.date(2026, 12, 31))
    assert this_year.key == next_day.key == f"birthday_offer:{MEI}:2027"


def test_a_leap_day_birthday_falls_on_the_28th_in_other_years() -> None:
    member = MemberSnapshot(customer=MEI, birthday=dt.date(1992, 2, 29))
    [action] = due_triggers(SETTINGS, [member], today=dt.date(2027, 2, 25))
    assert action.values["birthday"] == "2027-02-28"


def test_win_back_is_due_after_half_a_year_and_keyed_by_the_last_stay() -> None:
    member = MemberSnapshot(customer=MEI, last_stay_on=dt.date(2026, 3, 1))
    assert kinds(member, dt.date(2026, 8, 29)) == []  # 181 days
    [action] = due_triggers(SETTINGS, [member], today=dt.date(2026, 8, 30))
    assert action.kind is TriggerKind.WIN_BACK
    assert action.key == f"win_back:{MEI}:2026-03-01"
    assert action.reason == "no stay for 182 days, since 2026-03-01"
    back_again = MemberSnapshot(customer=MEI, last_stay_on=dt.date(2026, 9, 5))
    assert kinds(back_again, dt.date(2026, 9, 30)) == []


def test_a_tier_nudge_goes_only_to_a_member_short_of_keeping_it() -> None:
    short = MemberSnapshot(
        customer=MEI,
        tier="Gold",
        tier_ends_on=dt.date(2027, 2, 28),
        to_keep_tier="4 nights or 1 stay to keep Gold",
    )
    assert kinds(short, dt.date(2026, 12, 29)) == []  # 61 days before
    [action] = due_triggers(SETTINGS, [short], today=dt.date(2026, 12, 30))
    assert action.reason == "Gold ends on 2027-02-28: 4 nights or 1 stay to keep Gold"
    kept = MemberSnapshot(customer=MEI, tier="Gold", tier_ends_on=dt.date(2027, 2, 28))
    assert kinds(kept, dt.date(2027, 1, 30)) == []
    assert kinds(short, dt.date(2027, 3, 1)) == []  # it ended: the tier change says so


def test_points_reminders_add_up_the_lots_of_a_day() -> None:
    member = MemberSnapshot(
        customer=MEI,
        expiring=[
            ExpiringPoints(1200, dt.date(2026, 12, 31)),
            ExpiringPoints(300, dt.date(2026, 12, 31)),
            ExpiringPoints(500, dt.date(2027, 6, 30)),
        ],
    )
    actions = due_triggers(SETTINGS, [member], today=dt.date(2026, 12, 1))
    assert [(a.kind, a.reason) for a in actions] == [
        (TriggerKind.POINTS_REMINDER, "1,500 points expire on 2026-12-31")
    ]


def test_an_upgrade_prompt_for_each_arrival_of_a_top_tier_member() -> None:
    orders = [OrderId.new(), OrderId.new()]
    top = MemberSnapshot(customer=MEI, tier="Platinum", arriving=orders)
    actions = due_triggers(SETTINGS, [top], today=dt.date(2026, 7, 1))
    assert [a.order for a in actions] == orders
    assert not any(a.kind.is_marketing for a in actions)
    silver = MemberSnapshot(customer=MEI, tier="Silver", arriving=orders)
    assert kinds(silver, dt.date(2026, 7, 1)) == []


@pytest.mark.parametrize(
    "field",
    [
        "birthday_days_before",
        "win_back_after_days",
        "tier_expiry_days_before",
        "points_expiry_days_before",
    ],
)
def test_negative_days_are_refused(field: str) -> None:
    assert_refused(
        InvalidTriggerSettingsError,
        "membership.invalid_trigger",
        f"{field} must be a whole number of days",
        lambda: TriggerSettings(**{field: -1}),  # type: ignore[arg-type]
    )


@given(
    birthday=st.dates(dt.date(1940, 1, 1), dt.date(2010, 12, 31)),
    start=st.dates(dt.date(2025, 1, 1), dt.date(2030, 12, 31)),
)
def test_run_daily_for_a_year_each_birthday_offer_key_is_due_and_only_near_the_day(
    birthday: dt.date, start: dt.date
) -> None:
    member = MemberSnapshot(customer=MEI, birthday=birthday)
    seen: dict[str, list[dt.date]] = {}
    for offset in range(366):
        today = start + dt.timedelta(days=offset)
        for action in due_triggers(SETTINGS, [member], today=today):
            seen.setdefault(action.key, []).append(today)
    for key, days in seen.items():
        assert len(days) <= SETTINGS.birthday_days_before + 1, key
        day = dt.date.fromisoformat(
            due_triggers(SETTINGS, [member], today=days[0])[0].values["birthday"]
        )
        assert all(0 <= (day - d).days <= SETTINGS.birthday_days_before for d in days)
    assert seen  # a year of days always meets one birthday
