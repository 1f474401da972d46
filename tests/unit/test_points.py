"""The points ledger's domain: entries, expiry policies, the account and its commands."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import attrs
import pendulum
import pytest

from staycore.kernel.errors import InvalidIdentifierError, NaiveDatetimeError
from staycore.kernel.ids import IdGenerator
from staycore.membership.ids import CustomerId, PointsEntryId
from staycore.membership.points import (
    MAX_KEY_LENGTH,
    Draw,
    EntryKind,
    ExpiryKind,
    ExpiryPolicy,
    InsufficientPointsError,
    InvalidExpiryPolicyError,
    InvalidPointsEntryError,
    LotNotDueError,
    PointsAccount,
    PointsEntry,
)
from staycore.orders.ids import OrderId
from staycore.testing.clock import FrozenClock

START = pendulum.datetime(2026, 1, 10, 9, tz="UTC")
LIFETIME = ExpiryPolicy.lifetime(months=24)
INACTIVITY = ExpiryPolicy.inactivity(months=12, by_tier={"gold": 24})
NEVER = ExpiryPolicy.never()
GUEST = CustomerId("cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7")


def seeded(seed: int) -> random.Random:
    """A seeded generator, for reproducible ids."""
    return random.Random(seed)  # noqa: S311 - reproducibility is the point here


def entry(**changes: Any) -> PointsEntry:
    """An earning of 100 points, with ``changes``."""
    fields: dict[str, Any] = {
        "id": PointsEntryId.new(),
        "customer": GUEST,
        "kind": EntryKind.EARN,
        "points": 100,
        "at": START,
        "key": "earn:1",
    }
    fields.update(changes)
    return PointsEntry(**fields)


class Member:
    """A member's ledger in a list, posted through the account's own checks."""

    def __init__(self, customer: CustomerId = GUEST) -> None:
        self.account = PointsAccount(customer=customer)
        self.entries: list[PointsEntry] = []

    def post(self, entries: tuple[PointsEntry, ...]) -> tuple[PointsEntry, ...]:
        for new in entries:
            self.account = self.account.apply(new)
            self.entries.append(new)
        return entries

    def earn(
        self,
        points: int,
        at: pendulum.DateTime = START,
        policy: ExpiryPolicy = LIFETIME,
        **kwargs: Any,
    ) -> PointsEntry:
        (earned,) = self.post(
            self.account.earn(
                points, at=at, key=f"earn:{len(self.entries)}", policy=policy, **kwargs
            )
        )
        return earned

    def redeem(
        self, points: int, at: pendulum.DateTime = START, policy: ExpiryPolicy = LIFETIME
    ) -> PointsEntry:
        (redeemed,) = self.post(
            self.account.redeem(points, at=at, key=f"redeem:{len(self.entries)}", policy=policy)
        )
        return redeemed


# -- entries ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"points": 0}, "other than 0"),
        ({"points": True}, "other than 0"),
        ({"points": 1.5}, "other than 0"),
        ({"points": -5}, "must add points"),
        ({"kind": EntryKind.REDEEM, "points": 5}, "must take away"),
        ({"kind": EntryKind.EXPIRE, "points": 5}, "must take away"),
        ({"kind": EntryKind.REVERSE, "points": 5}, "must take away"),
        ({"key": " "}, "non-blank"),
        ({"key": "k" * (MAX_KEY_LENGTH + 1)}, "non-blank"),
        ({"kind": EntryKind.ADJUST, "reason": "  "}, "needs a reason"),
        ({"draws": [(PointsEntryId.new(), 100)]}, "draws on none"),
        ({"expires_at": START}, "must expire after it"),
        ({"renews_to": START.subtract(days=1)}, "must be after"),
        ({"reason": None}, "are text"),
    ],
)
def test_a_malformed_entry_is_refused(changes: dict[str, Any], says: str) -> None:
    with pytest.raises(InvalidPointsEntryError, match=says) as refused:
        entry(**changes)
    assert refused.value.code == "loyalty.invalid_entry"


LOT = PointsEntryId.new()
OTHER_LOT = PointsEntryId.new()


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({}, "must draw 50"),
        ({"draws": [(LOT, 40)]}, "must draw 50"),
        ({"draws": [(LOT, 50), (OTHER_LOT, 0)]}, "must draw 50"),
        ({"draws": [(LOT, 25), (LOT, 25)]}, "each lot once"),
        ({"draws": [(LOT, 60), (OTHER_LOT, -10)]}, "at least 1 from each"),
        ({"draws": [(LOT, 50)], "expires_at": START.add(days=1)}, "only an entry that opens"),
        ({"kind": EntryKind.EXPIRE, "draws": [(LOT, 25), (OTHER_LOT, 25)]}, "closes one lot"),
        ({"kind": EntryKind.EXPIRE, "draws": [(LOT, 50)], "renews_to": START.add(days=1)}, "renew"),
        (
            {"kind": EntryKind.REVERSE, "draws": [(LOT, 50)], "renews_to": START.add(days=1)},
            "renew",
        ),
        ({"draws": 5}, "pairs"),
    ],
)
def test_a_taking_entry_must_account_for_its_points(changes: dict[str, Any], says: str) -> None:
    fields: dict[str, Any] = {"kind": EntryKind.REDEEM, "points": -50}
    with pytest.raises(InvalidPointsEntryError, match=says):
        entry(**{**fields, **changes})


def test_an_entry_reads_its_values_and_keeps_instants_in_utc() -> None:
    taipei = pendulum.datetime(2026, 1, 10, 17, tz="Asia/Taipei")
    redeemed = entry(kind="redeem", points=-50, at=taipei, draws=[(LOT, 30), Draw(OTHER_LOT, 20)])
    assert redeemed.kind is EntryKind.REDEEM
    assert redeemed.at == START
    assert redeemed.at.timezone_name == "UTC"
    assert redeemed.draws == (Draw(LOT, 30), Draw(OTHER_LOT, 20))
    assert not redeemed.opens_lot
    assert redeemed.is_activity
    assert entry(expires_at=taipei.add(years=1)).expires_at.timezone_name == "UTC"  # type: ignore[union-attr]


def test_a_naive_instant_is_refused() -> None:
    with pytest.raises(NaiveDatetimeError):
        entry(at=dt.datetime(2026, 1, 10, 9))  # noqa: DTZ001 - naive on purpose


def test_which_entries_open_lots_and_count_as_activity() -> None:
    lot_draw = [(LOT, 5)]
    up = entry(kind=EntryKind.ADJUST, points=5, reason="goodwill")
    down = entry(kind=EntryKind.ADJUST, points=-5, reason="correction", draws=lot_draw)
    expired = entry(kind=EntryKind.EXPIRE, points=-5, draws=lot_draw)
    reversed_ = entry(kind=EntryKind.REVERSE, points=-5, draws=lot_draw)
    assert [e.opens_lot for e in (entry(), up, down, expired)] == [True, True, False, False]
    assert [e.is_activity for e in (entry(), up, down, expired, reversed_)] == [
        True,
        True,
        False,
        False,
        False,
    ]
    with pytest.raises(InvalidPointsEntryError, match="renew"):
        attrs.evolve(down, renews_to=START.add(days=1))


def test_a_retry_repeats_what_the_entry_asks_for() -> None:
    first = entry(order=OrderId.new(), reason="10 points per EUR", rule="base")
    retry = attrs.evolve(
        first, id=PointsEntryId.new(), at=START.add(minutes=5), expires_at=START.add(years=2)
    )
    assert first.repeats(retry)
    for change in (
        {"points": 101},
        {"order": OrderId.new()},
        {"rule": "tier_bonus"},
        {"reason": "other"},
        {"key": "earn:2"},
        {"customer": CustomerId.new()},
        {"kind": EntryKind.ADJUST},
    ):
        assert not first.repeats(attrs.evolve(retry, **change)), change


def test_an_expiry_or_a_reversal_repeats_whatever_it_took() -> None:
    expiry = entry(kind=EntryKind.EXPIRE, points=-50, key="expire:x", draws=[(LOT, 50)])
    stale = attrs.evolve(expiry, id=PointsEntryId.new(), points=-80, draws=[(LOT, 80)])
    other_lot = attrs.evolve(stale, draws=[(OTHER_LOT, 80)])
    assert expiry.repeats(stale)
    assert not expiry.repeats(other_lot)
    order = OrderId.new()
    reversal = entry(kind=EntryKind.REVERSE, points=-50, key="r", order=order, draws=[(LOT, 50)])
    again = attrs.evolve(reversal, points=-20, draws=[(OTHER_LOT, 20)], reason="other")
    assert reversal.repeats(again)
    assert not reversal.repeats(attrs.evolve(again, order=OrderId.new()))


# -- expiry policies -------------------------------------------------------------------


def test_a_lifetime_runs_in_calendar_months_from_earning() -> None:
    end_of_january = pendulum.datetime(2024, 1, 31, 23, tz="UTC")
    assert ExpiryPolicy.lifetime(months=1).lot_expiry(end_of_january) == pendulum.datetime(
        2024, 2, 29, 23, tz="UTC"
    )
    assert LIFETIME.lot_expiry(START, tier="gold") == START.add(months=24)
    assert LIFETIME.renewal(START) is None
    assert str(LIFETIME) == "24 months after earning"


def test_an_inactivity_window_renews_by_tier() -> None:
    assert INACTIVITY.months_for("gold") == 24
    assert INACTIVITY.months_for("silver") == INACTIVITY.months_for(None) == 12
    assert INACTIVITY.renewal(START) == INACTIVITY.lot_expiry(START) == START.add(months=12)
    assert INACTIVITY.renewal(START, "gold") == START.add(months=24)
    assert str(INACTIVITY) == "12 months after the last earning or redemption (gold: 24 months)"


def test_points_that_never_expire() -> None:
    assert NEVER.kind is ExpiryKind.NEVER
    assert NEVER.lot_expiry(START) is None
    assert NEVER.renewal(START) is None
    assert NEVER.months_for("gold") is None


def test_a_policy_is_a_hashable_value() -> None:
    same = ExpiryPolicy.inactivity(months=12, by_tier={"gold": 24})
    assert same == INACTIVITY
    assert hash(same) == hash(INACTIVITY)


@pytest.mark.parametrize(
    "build",
    [
        lambda: ExpiryPolicy.lifetime(months=0),
        lambda: ExpiryPolicy.lifetime(months=1201),
        lambda: ExpiryPolicy.lifetime(months=True),
        lambda: ExpiryPolicy.lifetime(months="12"),  # type: ignore[arg-type]
        lambda: ExpiryPolicy.inactivity(months=12, by_tier={"gold": 0}),
        lambda: ExpiryPolicy.inactivity(months=12, by_tier={"": 12}),
        lambda: ExpiryPolicy.inactivity(months=12, by_tier=[("gold",)]),  # type: ignore[arg-type]
        lambda: ExpiryPolicy(kind=ExpiryKind.LIFETIME, months=12, by_tier={"gold": 24}),
        lambda: ExpiryPolicy(kind=ExpiryKind.NEVER, months=12),
    ],
)
def test_a_bad_policy_is_refused(build: Any) -> None:
    with pytest.raises(InvalidExpiryPolicyError) as refused:
        build()
    assert refused.value.code == "loyalty.invalid_expiry_policy"


# -- the account -----------------------------------------------------------------------


def test_an_empty_account() -> None:
    account = PointsAccount(customer=GUEST)
    assert (account.balance, account.lots, account.last_activity, account.version) == (
        0,
        (),
        None,
        0,
    )
    assert PointsAccount.of(GUEST, []) == account
    assert account.available(START) == 0
    assert account.expire_due(START.add(years=10)) == ()


def test_an_account_balance_must_be_what_its_lots_hold() -> None:
    with pytest.raises(InvalidPointsEntryError, match="open lots"):
        PointsAccount(customer=GUEST, balance=5)


def test_lots_are_kept_oldest_first_whatever_order_they_come_in() -> None:
    member = Member()
    later = member.earn(10, at=START.add(days=2))
    earlier = member.earn(20, at=START.add(days=1))
    ids = IdGenerator(FrozenClock(START), seeded(3))
    first, second = ids.new(PointsEntryId), ids.new(PointsEntryId)
    # Two lots of one instant go by id; posted in the other order.
    member.post((entry(id=second, key="e:b", at=START.add(days=1)),))
    member.post((entry(id=first, key="e:a", at=START.add(days=1)),))
    assert [lot.id for lot in member.account.lots] == [first, second, earlier.id, later.id]
    assert member.account == PointsAccount.of(GUEST, member.entries)


def test_an_entry_of_another_member_is_refused() -> None:
    with pytest.raises(InvalidPointsEntryError, match="not"):
        PointsAccount(customer=CustomerId.new()).apply(entry())


def test_a_lot_is_opened_once() -> None:
    member = Member()
    earned = member.earn(10)
    with pytest.raises(InvalidPointsEntryError, match="open already"):
        member.account.apply(attrs.evolve(earned, key="again"))


def test_last_activity_is_the_latest_earning_or_redemption() -> None:
    member = Member()
    member.earn(100, at=START.add(days=5))
    member.earn(100, at=START.add(days=1))
    assert member.account.last_activity == START.add(days=5)
    member.redeem(50, at=START.add(days=6))
    member.post(member.account.adjust(-10, at=START.add(days=7), key="adjust:down", reason="typo"))
    member.post(member.account.expire_due(START.add(years=3)))
    assert member.account.last_activity == START.add(days=6)
    assert member.account.version == 6


# -- earning ---------------------------------------------------------------------------


def test_an_earning_opens_a_lot_that_lapses_under_the_policy() -> None:
    member, order = Member(), OrderId.new()
    earned = member.earn(360, order=order, rule="base", reason="1 point per EUR on EUR 360.00")
    assert (earned.kind, earned.points, earned.order, earned.rule) == (
        EntryKind.EARN,
        360,
        order,
        "base",
    )
    assert (earned.expires_at, earned.renews_to) == (START.add(months=24), None)
    (lot,) = member.account.lots
    assert (lot.id, lot.points, lot.left, lot.earned_at, lot.order) == (
        earned.id,
        360,
        360,
        START,
        order,
    )


def test_an_earning_under_an_inactivity_window_renews_the_live_lots() -> None:
    member = Member()
    member.earn(100, policy=INACTIVITY)
    member.earn(50, at=START.add(months=6), policy=INACTIVITY, tier="gold")
    assert [lot.expires_at for lot in member.account.lots] == [START.add(months=30)] * 2
    # A member who dropped to a shorter window does not lose the renewal already made.
    member.earn(5, at=START.add(months=7), policy=INACTIVITY)
    assert [lot.expires_at for lot in member.account.lots] == [
        START.add(months=30),
        START.add(months=30),
        START.add(months=19),
    ]


def test_an_earning_does_not_bring_back_lapsed_points() -> None:
    member = Member()
    member.earn(100, policy=INACTIVITY)
    late = START.add(months=13)
    member.earn(10, at=late, policy=INACTIVITY)
    assert member.account.available(late) == 10
    assert [lot.expires_at for lot in member.account.lots] == [
        START.add(months=12),
        late.add(months=12),
    ]
    (expired,) = member.account.expire_due(late)
    assert expired.points == -100


@pytest.mark.parametrize("points", [0, -10, True, 2.0])
def test_earning_needs_a_positive_whole_number(points: Any) -> None:
    with pytest.raises(InvalidPointsEntryError, match="at least 1"):
        PointsAccount(customer=GUEST).earn(points, at=START, key="e", policy=LIFETIME)


def test_commands_take_ids_from_a_generator_when_given() -> None:
    ids = IdGenerator(FrozenClock(START), seeded(7))
    again = IdGenerator(FrozenClock(START), seeded(7))
    account = PointsAccount(customer=GUEST)
    (first,) = account.earn(5, at=START, key="e", policy=NEVER, ids=ids)
    (second,) = account.earn(5, at=START, key="e", policy=NEVER, ids=again)
    assert first == second


# -- redeeming -------------------------------------------------------------------------


def test_redeeming_draws_the_oldest_live_lots_first() -> None:
    member = Member()
    old = member.earn(100, at=START)
    new = member.earn(100, at=START.add(days=1))
    redeemed = member.redeem(150, at=START.add(days=2))
    assert redeemed.draws == (Draw(old.id, 100), Draw(new.id, 50))
    assert redeemed.reason == "150 points redeemed"
    assert [(lot.id, lot.left) for lot in member.account.lots] == [(new.id, 50)]


def test_redeeming_skips_lapsed_lots_and_says_how_many_lapsed() -> None:
    member = Member()
    member.earn(100, at=START)
    fresh = member.earn(40, at=START.add(months=12))
    after = START.add(months=24)
    assert (member.account.balance, member.account.available(after)) == (140, 40)
    with pytest.raises(InsufficientPointsError) as refused:
        member.account.redeem(41, at=after, key="r", policy=LIFETIME)
    assert (refused.value.available, refused.value.wanted, refused.value.lot) == (40, 41, None)
    assert "40 points to redeem" in refused.value.message
    assert "(100 more have expired)" in refused.value.message
    assert "41 asked for" in refused.value.message
    (redeemed,) = member.account.redeem(40, at=after, key="r", policy=LIFETIME)
    assert redeemed.draws == (Draw(fresh.id, 40),)


def test_a_lot_lapses_at_its_expiry_instant() -> None:
    member = Member()
    member.earn(100)
    expiry = START.add(months=24)
    assert member.account.available(expiry.subtract(microseconds=1)) == 100
    assert member.account.available(expiry) == 0
    assert member.account.expire_due(expiry.subtract(microseconds=1)) == ()
    assert len(member.account.expire_due(expiry)) == 1


def test_a_redemption_under_an_inactivity_window_renews_the_live_lots() -> None:
    member = Member()
    member.earn(100, policy=INACTIVITY)
    redeemed = member.redeem(30, at=START.add(months=11), policy=INACTIVITY)
    assert redeemed.renews_to == START.add(months=23)
    assert member.account.lots[0].expires_at == START.add(months=23)
    assert member.account.last_activity == START.add(months=11)


def test_applying_a_draw_on_a_lapsed_lot_is_refused() -> None:
    member = Member()
    earned = member.earn(100)
    late = entry(
        kind=EntryKind.REDEEM,
        points=-10,
        at=START.add(months=24),
        key="r",
        draws=[(earned.id, 10)],
    )
    with pytest.raises(InsufficientPointsError, match="expired points cannot be spent"):
        member.account.apply(late)


def test_applying_a_draw_beyond_a_lot_is_refused() -> None:
    member = Member()
    earned = member.earn(100)
    greedy = entry(kind=EntryKind.REDEEM, points=-101, key="r", draws=[(earned.id, 101)])
    with pytest.raises(InsufficientPointsError, match="has 100 points left") as refused:
        member.account.apply(greedy)
    assert (refused.value.available, refused.value.wanted, refused.value.lot) == (
        100,
        101,
        earned.id,
    )


# -- expiring --------------------------------------------------------------------------


def test_expire_due_closes_each_lapsed_lot_with_its_own_key() -> None:
    member, order = Member(), OrderId.new()
    first = member.earn(100, order=order)
    member.redeem(30, at=START.add(days=1))
    second = member.earn(50, at=START.add(days=2))
    member.earn(7, at=START.add(days=3), policy=NEVER)
    expired = member.account.expire_due(START.add(years=3))
    assert [(e.kind, e.points, e.key, e.order) for e in expired] == [
        (EntryKind.EXPIRE, -70, f"expire:{first.id}", order),
        (EntryKind.EXPIRE, -50, f"expire:{second.id}", None),
    ]
    assert expired[0].reason == "70 of 100 points earned on 2026-01-10 lapsed on 2028-01-10"
    member.post(expired)
    assert member.account.balance == 7
    assert member.account.expire_due(START.add(years=100)) == ()


def test_applying_an_expiry_before_it_is_due_is_refused() -> None:
    member = Member()
    earned = member.earn(100)
    lasting = member.earn(5, policy=NEVER)
    early = entry(kind=EntryKind.EXPIRE, points=-100, key="x", draws=[(earned.id, 100)])
    with pytest.raises(LotNotDueError, match="not due"):
        member.account.apply(early)
    never = entry(
        kind=EntryKind.EXPIRE, points=-5, key="y", at=START.add(years=99), draws=[(lasting.id, 5)]
    )
    with pytest.raises(LotNotDueError, match="never"):
        member.account.apply(never)


def test_an_expiry_takes_all_that_is_left_of_its_lot() -> None:
    member = Member()
    earned = member.earn(100)
    partial = entry(
        kind=EntryKind.EXPIRE,
        points=-60,
        at=START.add(years=3),
        key="x",
        draws=[(earned.id, 60)],
    )
    with pytest.raises(InvalidPointsEntryError, match="all that is left"):
        member.account.apply(partial)


def test_expiring_lists_what_lapses_in_a_window_soonest_first() -> None:
    member = Member()
    member.earn(10, at=START.add(months=2))
    member.earn(20, at=START)
    member.earn(30, at=START.add(months=6))
    member.earn(40, policy=NEVER)
    now = START.add(months=23)
    soon = member.account.expiring(before=now.add(months=4), after=now)
    assert [(lot.left, lot.expires_at) for lot in soon] == [
        (20, START.add(months=24)),
        (10, START.add(months=26)),
    ]
    everything = member.account.expiring(before=START.add(years=10))
    assert [lot.left for lot in everything] == [20, 10, 30]
    assert member.account.expiring(before=START.add(months=24)) == ()


# -- reversing -------------------------------------------------------------------------


def test_reversing_takes_back_the_orders_own_lots() -> None:
    member, order = Member(), OrderId.new()
    member.earn(500)
    base = member.earn(300, at=START.add(days=1), order=order, rule="base")
    bonus = member.earn(75, at=START.add(days=1), order=order, rule="tier_bonus")
    reversal = member.account.reverse(order, at=START.add(days=2), entries=member.entries)
    assert (reversal.earned, reversal.expired, reversal.taken, reversal.unrecovered) == (
        375,
        0,
        375,
        0,
    )
    (taken,) = reversal.entries
    assert (taken.kind, taken.points, taken.order, taken.key) == (
        EntryKind.REVERSE,
        -375,
        order,
        f"reverse:{order}",
    )
    assert set(taken.draws) == {Draw(base.id, 300), Draw(bonus.id, 75)}
    assert taken.reason == f"order {order} reversed: 375 points earned, 375 taken back"
    member.post(reversal.entries)
    assert member.account.balance == 500


def test_reversing_what_was_spent_takes_it_from_other_points_down_to_zero() -> None:
    member, order = Member(), OrderId.new()
    refunded = member.earn(300, order=order)
    other = member.earn(100, at=START.add(days=1))
    member.redeem(250, at=START.add(days=2))  # 250 of the refunded lot
    reversal = member.account.reverse(order, at=START.add(days=3), entries=member.entries)
    assert reversal.entries[0].draws == (Draw(refunded.id, 50), Draw(other.id, 100))
    assert (reversal.taken, reversal.unrecovered) == (150, 150)
    assert "150 already spent and not recovered" in reversal.entries[0].reason
    member.post(reversal.entries)
    assert member.account.balance == 0


def test_reversing_with_nothing_left_writes_nothing() -> None:
    member, order = Member(), OrderId.new()
    member.earn(300, order=order)
    member.redeem(300, at=START.add(days=1))
    reversal = member.account.reverse(order, at=START.add(days=2), entries=member.entries)
    assert (reversal.taken, reversal.unrecovered, reversal.entries) == (0, 300, ())


def test_reversing_leaves_out_what_lapsed() -> None:
    member, order = Member(), OrderId.new()
    member.earn(300, order=order)
    member.redeem(100, at=START.add(days=1))
    later = member.earn(500, at=START.add(months=20))
    due = START.add(months=25)
    # Not yet expired: the 200 left are past their expiry all the same.
    unswept = member.account.reverse(order, at=due, entries=member.entries)
    assert (unswept.expired, unswept.taken, unswept.unrecovered) == (200, 100, 0)
    assert unswept.entries[0].draws == (Draw(later.id, 100),)
    member.post(member.account.expire_due(due))
    swept = member.account.reverse(order, at=due, entries=member.entries)
    assert (swept.expired, swept.taken) == (200, 100)
    assert "200 of them expired" in swept.entries[0].reason


def test_an_order_is_reversed_once() -> None:
    member, order = Member(), OrderId.new()
    member.earn(300, order=order)
    member.earn(900)
    member.post(member.account.reverse(order, at=START, entries=member.entries).entries)
    again = member.account.reverse(order, at=START.add(days=1), entries=member.entries)
    assert again.already_reversed
    assert (again.entries, again.taken) == ((), 0)
    assert member.account.balance == 900


def test_reversing_an_order_that_earned_nothing() -> None:
    member = Member()
    member.earn(100)
    reversal = member.account.reverse(OrderId.new(), at=START, entries=member.entries)
    assert (reversal.earned, reversal.taken, reversal.entries) == (0, 0, ())


def test_a_reversal_may_carry_its_own_key_and_refuses_other_members_entries() -> None:
    member, order = Member(), OrderId.new()
    member.earn(10, order=order)
    reversal = member.account.reverse(order, at=START, entries=member.entries, key="refund:7")
    assert reversal.entries[0].key == "refund:7"
    with pytest.raises(InvalidPointsEntryError, match="entries"):
        PointsAccount(customer=CustomerId.new()).reverse(order, at=START, entries=member.entries)


# -- adjusting -------------------------------------------------------------------------


def test_an_adjustment_upwards_opens_a_lot_like_an_earning() -> None:
    member = Member()
    member.earn(100, policy=INACTIVITY)
    (credit,) = member.post(
        member.account.adjust(
            40,
            at=START.add(months=3),
            key="adjust:1",
            reason="noisy room",
            policy=INACTIVITY,
            tier="gold",
        )
    )
    assert (credit.kind, credit.points, credit.reason) == (EntryKind.ADJUST, 40, "noisy room")
    assert credit.expires_at == credit.renews_to == START.add(months=27)
    assert [lot.expires_at for lot in member.account.lots] == [START.add(months=27)] * 2


def test_an_adjustment_downwards_draws_like_a_redemption_and_renews_nothing() -> None:
    member = Member()
    old = member.earn(100, policy=INACTIVITY)
    (debit,) = member.post(
        member.account.adjust(-30, at=START.add(days=1), key="adjust:2", reason="duplicate stay")
    )
    assert (debit.draws, debit.renews_to, debit.expires_at) == ((Draw(old.id, 30),), None, None)
    assert member.account.lots[0].expires_at == START.add(months=12)
    with pytest.raises(InsufficientPointsError, match="to take away"):
        member.account.adjust(-71, at=START, key="adjust:3", reason="typo")


@pytest.mark.parametrize(
    ("points", "reason", "policy", "says"),
    [
        (0, "why", LIFETIME, "other than 0"),
        (True, "why", LIFETIME, "other than 0"),
        (10, "", LIFETIME, "needs a reason"),
        (10, "why", None, "expiry policy"),
    ],
)
def test_a_bad_adjustment_is_refused(
    points: Any, reason: str, policy: ExpiryPolicy | None, says: str
) -> None:
    with pytest.raises(InvalidPointsEntryError, match=says):
        PointsAccount(customer=GUEST).adjust(
            points, at=START, key="a", reason=reason, policy=policy
        )


@pytest.mark.parametrize("customer", [None, [1], 42])
def test_an_account_belongs_to_a_customer_id(customer: Any) -> None:
    with pytest.raises(InvalidIdentifierError):
        PointsAccount(customer=customer)
