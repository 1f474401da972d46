"""Random sequences of points commands never break the ledger's rules.

A hypothesis rule-based state machine drives one member's points on the memory ledger
with earnings (on a few orders, at two tiers), redemptions (that fit, that do not, and
of everything there is), sweeps of lapsed lots, reversals of orders, staff adjustments
both ways, retries of batches already posted, redemptions, sweeps and reversals
computed from a stale account (as two app servers racing would), and the clock moving
on by days or months. It runs under a lifetime policy and under an inactivity window
that depends on the tier. After every step:

* the balance is the sum of the entries, and never negative;
* replaying the entries through a model of its own (plain dicts, not the account) finds
  every draw within what its lot had left, so no point is spent twice, and no draw but
  an ``expire`` on a lot past its expiry at the entry's instant: lapsed points are never
  spent;
* the open lots, what they have left and when they lapse are the model's;
* the ledger's account, kept entry by entry, equals the account built from scratch, and
  what is available now is what the live lots hold.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import pendulum
import pytest
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from staycore.adapters.memory.points import MemoryPointsLedger
from staycore.membership.ids import CustomerId, PointsEntryId
from staycore.membership.points import (
    EntryKind,
    ExpiryPolicy,
    InsufficientPointsError,
    LotNotDueError,
    PointsAccount,
    PointsEntry,
)
from staycore.orders.ids import OrderId

START = pendulum.datetime(2026, 1, 10, 9, tz="UTC")

tiers = st.sampled_from([None, "gold"])
order_indexes = st.integers(0, 3)


class _ModelLot:
    __slots__ = ("earned_at", "expires_at", "left", "points")

    def __init__(self, entry: PointsEntry) -> None:
        self.points = self.left = entry.points
        self.earned_at = entry.at
        self.expires_at = entry.expires_at


def replay(entries: Sequence[PointsEntry]) -> dict[PointsEntryId, _ModelLot]:
    """Every lot the entries opened, as the rules say they end up; asserts each draw."""
    lots: dict[PointsEntryId, _ModelLot] = {}
    for entry in entries:
        if entry.opens_lot:
            assert entry.id not in lots
            lots[entry.id] = _ModelLot(entry)
        for draw in entry.draws:
            lot = lots[draw.lot]
            assert 0 < draw.points <= lot.left, "a lot gave more than it had left"
            lapsed = lot.expires_at is not None and lot.expires_at <= entry.at
            if entry.kind is EntryKind.EXPIRE:
                assert lapsed, "a lot was expired before its expiry"
                assert draw.points == lot.left
            else:
                assert not lapsed, f"lapsed points were spent by {entry.describe()}"
            lot.left -= draw.points
        if entry.renews_to is not None:
            for lot in lots.values():
                expiry = lot.expires_at
                if lot.left and expiry is not None and entry.at < expiry < entry.renews_to:
                    lot.expires_at = entry.renews_to
    return lots


class PointsMachine(RuleBasedStateMachine):
    policy: ClassVar[ExpiryPolicy] = ExpiryPolicy.lifetime(months=12)

    def __init__(self) -> None:
        super().__init__()
        self.ledger = MemoryPointsLedger()
        self.member = CustomerId.new()
        self.orders = [OrderId.new() for _ in range(4)]
        self.now = START
        self.posted: list[tuple[PointsEntry, ...]] = []
        self.stale: PointsAccount | None = None
        self.stale_entries: tuple[PointsEntry, ...] = ()
        self.serial = 0

    # -- helpers ---------------------------------------------------------------------

    @property
    def account(self) -> PointsAccount:
        return self.ledger.account(self.member)

    def key(self, what: str) -> str:
        self.serial += 1
        return f"{what}:{self.serial}"

    def post(self, entries: tuple[PointsEntry, ...]) -> None:
        before = len(self.ledger.entries(self.member))
        stored = self.ledger.post(self.member, entries)
        assert stored == entries
        assert len(self.ledger.entries(self.member)) == before + len(entries)
        if entries:
            self.posted.append(entries)

    # -- rules -----------------------------------------------------------------------

    @rule(days=st.integers(0, 120))
    def time_passes(self, days: int) -> None:
        self.now = self.now.add(days=days)

    @rule(months=st.integers(1, 14))
    def months_pass(self, months: int) -> None:
        self.now = self.now.add(months=months)

    @rule(points=st.integers(1, 500), order=st.none() | order_indexes, tier=tiers)
    def earn(self, points: int, order: int | None, tier: str | None) -> None:
        self.post(
            self.account.earn(
                points,
                at=self.now,
                key=self.key("earn"),
                policy=self.policy,
                tier=tier,
                order=None if order is None else self.orders[order],
            )
        )

    @rule(points=st.integers(1, 800), tier=tiers)
    def redeem(self, points: int, tier: str | None) -> None:
        account = self.account
        if points > account.available(self.now):
            with pytest.raises(InsufficientPointsError):
                account.redeem(points, at=self.now, key="never", policy=self.policy)
            return
        self.post(
            account.redeem(
                points, at=self.now, key=self.key("redeem"), policy=self.policy, tier=tier
            )
        )

    @rule()
    def redeem_everything_and_one_more(self) -> None:
        account = self.account
        available = account.available(self.now)
        with pytest.raises(InsufficientPointsError) as refused:
            account.redeem(available + 1, at=self.now, key="never", policy=self.policy)
        assert refused.value.available == available
        if available:
            self.post(
                account.redeem(available, at=self.now, key=self.key("redeem"), policy=self.policy)
            )
            assert self.account.available(self.now) == 0

    @rule()
    def spend_a_lapsed_lot(self) -> None:
        """Drawing on a lot past its expiry is refused, even before it is expired."""
        lapsed = [lot for lot in self.account.lots if not lot.is_live(self.now)]
        if lapsed:
            sneaky = PointsEntry(
                id=PointsEntryId.new(),
                customer=self.member,
                kind=EntryKind.REDEEM,
                points=-1,
                at=self.now,
                key=self.key("sneaky"),
                draws=[(lapsed[0].id, 1)],
            )
            with pytest.raises(InsufficientPointsError):
                self.ledger.post(self.member, [sneaky])

    @rule()
    def sweep(self) -> None:
        due = self.account.expire_due(self.now)
        event(f"sweep expired {'some' if due else 'nothing'}")
        self.post(due)
        assert all(lot.is_live(self.now) for lot in self.account.lots)

    @rule(order=order_indexes)
    def reverse(self, order: int) -> None:
        entries = self.ledger.entries(self.member)
        reversal = self.account.reverse(self.orders[order], at=self.now, entries=entries)
        if reversal.already_reversed:
            assert reversal.entries == ()
        else:
            event(f"reversal {'with' if reversal.unrecovered else 'without'} a write-off")
            assert reversal.taken + reversal.unrecovered == max(
                reversal.earned - reversal.expired, 0
            )
        self.post(reversal.entries)

    @rule(points=st.integers(-300, -1) | st.integers(1, 300), tier=tiers)
    def adjust(self, points: int, tier: str | None) -> None:
        account = self.account
        if -points > account.available(self.now):
            with pytest.raises(InsufficientPointsError):
                account.adjust(points, at=self.now, key="never", reason="correction")
            return
        self.post(
            account.adjust(
                points,
                at=self.now,
                key=self.key("adjust"),
                reason="staff correction",
                policy=self.policy,
                tier=tier,
            )
        )

    @rule(index=st.integers(0, 1000))
    def retry(self, index: int) -> None:
        if not self.posted:
            return
        batch = self.posted[index % len(self.posted)]
        entries, account = self.ledger.entries(self.member), self.account
        stored = self.ledger.post(self.member, batch)
        assert stored == batch
        assert self.ledger.entries(self.member) == entries
        assert self.account == account

    @rule()
    def read_an_account(self) -> None:
        """Keep the account as it is now, for entries computed from it later."""
        self.stale = self.account
        self.stale_entries = self.ledger.entries(self.member)

    @rule(
        points=st.integers(1, 500),
        command=st.sampled_from(["redeem", "sweep", "reverse"]),
        order=order_indexes,
    )
    def post_from_the_stale_account(self, points: int, command: str, order: int) -> None:
        """What a second app server that read the account earlier would post."""
        stale = self.stale
        if stale is None:
            return
        try:
            if command == "sweep":
                entries = stale.expire_due(self.now)
            elif command == "reverse":
                entries = stale.reverse(
                    self.orders[order], at=self.now, entries=self.stale_entries
                ).entries
            else:
                entries = stale.redeem(
                    points, at=self.now, key=self.key("stale"), policy=self.policy
                )
            stored = self.ledger.post(self.member, entries)
        except (InsufficientPointsError, LotNotDueError) as error:
            event(f"stale entries refused: {error.code}")
            return
        event("stale entries posted")
        assert all(new.repeats(old) for new, old in zip(entries, stored, strict=True))
        if stored:
            self.posted.append(stored)

    # -- invariants ------------------------------------------------------------------

    @invariant()
    def the_ledger_holds_its_rules(self) -> None:
        entries = self.ledger.entries(self.member)
        account = self.account
        assert account.balance == sum(entry.points for entry in entries) >= 0
        assert account == PointsAccount.of(self.member, entries)
        model = replay(entries)
        open_lots = sorted(
            ((lot.earned_at, lot_id), lot) for lot_id, lot in model.items() if lot.left
        )
        assert [(lot.id, lot.left, lot.expires_at) for lot in account.lots] == [
            (lot_id, lot.left, lot.expires_at) for (_, lot_id), lot in open_lots
        ]
        live = sum(
            lot.left
            for lot in model.values()
            if lot.expires_at is None or lot.expires_at > self.now
        )
        assert account.available(self.now) == live
        keys = [entry.key for entry in entries]
        assert len(set(keys)) == len(keys)


class InactivityPointsMachine(PointsMachine):
    policy: ClassVar[ExpiryPolicy] = ExpiryPolicy.inactivity(months=6, by_tier={"gold": 12})


_SETTINGS = settings(max_examples=100, stateful_step_count=40, deadline=None)
TestPointsUnderALifetime = PointsMachine.TestCase
TestPointsUnderALifetime.settings = _SETTINGS
TestPointsUnderAnInactivityWindow = InactivityPointsMachine.TestCase
TestPointsUnderAnInactivityWindow.settings = _SETTINGS
