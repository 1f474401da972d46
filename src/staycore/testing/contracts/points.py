"""The contract suite of the points ledger port (:mod:`staycore.ports.points`).

Subclass :class:`PointsLedgerContract` and override ``ledger`` to build your adapter;
every test posts for freshly made members, so the suite runs against an empty ledger or
a shared database alike.

Example:
    >>> import pytest
    >>> from staycore.adapters.memory.points import MemoryPointsLedger
    >>> from staycore.testing.contracts.points import PointsLedgerContract
    >>> class TestMemoryPointsLedger(PointsLedgerContract):
    ...     @pytest.fixture
    ...     def ledger(self) -> MemoryPointsLedger:
    ...         return MemoryPointsLedger()
    >>> "test_racing_redemptions_from_one_stale_account_never_overdraw" in dir(
    ...     TestMemoryPointsLedger)
    True
"""

from __future__ import annotations

import functools
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import ClassVar, Final

import attrs
import pendulum
import pytest

from staycore.membership.ids import CustomerId, PointsEntryId
from staycore.membership.points import (
    EntryKind,
    ExpiryPolicy,
    InsufficientPointsError,
    InvalidPointsEntryError,
    LotNotDueError,
    PointsAccount,
    PointsEntry,
    PointsKeyReusedError,
)
from staycore.orders.ids import OrderId
from staycore.ports.points import PointsLedger

__all__ = ["PointsLedgerContract"]

START: Final = pendulum.datetime(2026, 1, 10, 9, tz="UTC")
LIFETIME: Final = ExpiryPolicy.lifetime(months=24)
INACTIVITY: Final = ExpiryPolicy.inactivity(months=12)

_Outcome = type[Exception] | None


class PointsLedgerContract:
    """The rules of :class:`~staycore.ports.points.PointsLedger`, as tests.

    Override :meth:`ledger`. ``racers`` is how many threads race in the concurrency tests.
    """

    racers: ClassVar[int] = 8

    @pytest.fixture
    def ledger(self) -> PointsLedger:
        """Build the adapter under test; override this."""
        raise NotImplementedError("override the ledger fixture to build your adapter")

    # -- helpers ---------------------------------------------------------------------

    @staticmethod
    def earn(
        ledger: PointsLedger,
        customer: CustomerId,
        points: int,
        *,
        at: pendulum.DateTime = START,
        policy: ExpiryPolicy = LIFETIME,
        order: OrderId | None = None,
    ) -> PointsEntry:
        """Post an earning of ``points`` for ``customer`` and return it as stored."""
        entries = ledger.account(customer).earn(
            points, at=at, key=f"earn:{PointsEntryId.new()}", policy=policy, order=order
        )
        (stored,) = ledger.post(customer, entries)
        return stored

    @staticmethod
    def redemption(
        ledger: PointsLedger,
        customer: CustomerId,
        points: int,
        *,
        at: pendulum.DateTime = START,
        policy: ExpiryPolicy = LIFETIME,
        key: str | None = None,
    ) -> tuple[PointsEntry, ...]:
        """A redemption of ``points`` computed from the stored account, not yet posted."""
        return ledger.account(customer).redeem(
            points, at=at, key=key or f"redeem:{PointsEntryId.new()}", policy=policy
        )

    @staticmethod
    def assert_consistent(ledger: PointsLedger, customer: CustomerId) -> None:
        """The account is what the entries make; no lot gives more than it had."""
        entries = ledger.entries(customer)
        account = ledger.account(customer)
        assert account == PointsAccount.of(customer, entries)
        assert account.balance == sum(entry.points for entry in entries) >= 0
        opened = {entry.id: entry.points for entry in entries if entry.opens_lot}
        drawn: Counter[PointsEntryId] = Counter()
        for entry in entries:
            for draw in entry.draws:
                drawn[draw.lot] += draw.points
        assert all(drawn[lot] <= points for lot, points in opened.items())
        assert set(drawn) <= set(opened)

    # -- reading and posting ---------------------------------------------------------

    def test_the_ledger_has_every_method_of_the_port(self, ledger: PointsLedger) -> None:
        """The adapter is a PointsLedger, as ``isinstance`` checks a protocol."""
        assert isinstance(ledger, PointsLedger)

    def test_a_member_never_posted_to_has_nothing(self, ledger: PointsLedger) -> None:
        """No entries, an empty account, and an empty batch changes nothing."""
        guest = CustomerId.new()
        assert ledger.entries(guest) == ()
        assert ledger.account(guest) == PointsAccount(customer=guest)
        assert ledger.post(guest, []) == ()
        assert ledger.entries(guest) == ()

    def test_posted_entries_make_the_account(self, ledger: PointsLedger) -> None:
        """Entries come back in the order written, and the account is what they make."""
        guest, order = CustomerId.new(), OrderId.new()
        written = [self.earn(ledger, guest, 1000, order=order)]
        written.append(self.earn(ledger, guest, 400, at=START.add(days=3)))
        written += ledger.post(guest, self.redemption(ledger, guest, 1100, at=START.add(days=9)))
        written += ledger.post(
            guest,
            ledger.account(guest).adjust(
                -50, at=START.add(days=10), key="adjust:1", reason="double-counted sign-in"
            ),
        )
        assert ledger.entries(guest) == tuple(written)
        account = ledger.account(guest)
        assert (account.balance, account.version) == (250, 4)
        assert [(lot.points, lot.left) for lot in account.lots] == [(400, 250)]
        assert account.last_activity == START.add(days=9)
        self.assert_consistent(ledger, guest)

    def test_post_returns_the_entries_as_written(self, ledger: PointsLedger) -> None:
        """What ``post`` returns equals what was given, and what ``entries`` gives."""
        guest = CustomerId.new()
        batch = ledger.account(guest).earn(300, at=START, key="earn:a", policy=LIFETIME)
        assert ledger.post(guest, batch) == batch == ledger.entries(guest)

    def test_redemptions_draw_on_the_oldest_lots_first(self, ledger: PointsLedger) -> None:
        """Lots are spent by the instant they were earned, whatever order they were posted."""
        guest = CustomerId.new()
        middle = self.earn(ledger, guest, 100, at=START.add(days=2))
        oldest = self.earn(ledger, guest, 100, at=START.add(days=1))
        newest = self.earn(ledger, guest, 100, at=START.add(days=3))
        (redeemed,) = ledger.post(guest, self.redemption(ledger, guest, 250, at=START.add(days=4)))
        assert [(draw.lot, draw.points) for draw in redeemed.draws] == [
            (oldest.id, 100),
            (middle.id, 100),
            (newest.id, 50),
        ]
        assert [(lot.id, lot.left) for lot in ledger.account(guest).lots] == [(newest.id, 50)]

    def test_a_batch_may_draw_on_a_lot_it_opens(self, ledger: PointsLedger) -> None:
        """Entries of a batch are checked in order: a later one may spend an earlier one."""
        guest = CustomerId.new()
        (earned,) = ledger.account(guest).earn(200, at=START, key="earn:b", policy=LIFETIME)
        (spent,) = PointsAccount.of(guest, [earned]).redeem(
            150, at=START.add(hours=1), key="redeem:b", policy=LIFETIME
        )
        assert ledger.post(guest, [earned, spent]) == (earned, spent)
        assert ledger.account(guest).balance == 50

    def test_members_are_kept_apart(self, ledger: PointsLedger) -> None:
        """One member's entries, keys and lots are not another's."""
        first, second = CustomerId.new(), CustomerId.new()
        batch = ledger.account(first).earn(100, at=START, key="same-key", policy=LIFETIME)
        ledger.post(first, batch)
        other = ledger.account(second).earn(700, at=START, key="same-key", policy=LIFETIME)
        ledger.post(second, other)
        assert (ledger.account(first).balance, ledger.account(second).balance) == (100, 700)
        assert ledger.entries(second) == other

    # -- refusals --------------------------------------------------------------------

    def test_drawing_more_than_a_lot_has_is_refused(self, ledger: PointsLedger) -> None:
        """A redemption that overdraws a lot writes nothing, and says what was there."""
        guest = CustomerId.new()
        lot = self.earn(ledger, guest, 100)
        greedy = PointsEntry(
            id=PointsEntryId.new(),
            customer=guest,
            kind=EntryKind.REDEEM,
            points=-150,
            at=START.add(days=1),
            key="redeem:greedy",
            draws=[(lot.id, 150)],
        )
        with pytest.raises(InsufficientPointsError) as refused:
            ledger.post(guest, [greedy])
        assert refused.value.code == "loyalty.insufficient_points"
        assert (refused.value.available, refused.value.wanted, refused.value.lot) == (
            100,
            150,
            lot.id,
        )
        assert ledger.entries(guest) == (lot,)
        assert ledger.account(guest).balance == 100

    def test_drawing_on_an_unknown_lot_is_refused(self, ledger: PointsLedger) -> None:
        """A lot never opened has nothing to give."""
        guest = CustomerId.new()
        self.earn(ledger, guest, 100)
        stray = PointsEntry(
            id=PointsEntryId.new(),
            customer=guest,
            kind=EntryKind.REDEEM,
            points=-10,
            at=START,
            key="redeem:stray",
            draws=[(PointsEntryId.new(), 10)],
        )
        with pytest.raises(InsufficientPointsError):
            ledger.post(guest, [stray])
        assert len(ledger.entries(guest)) == 1

    def test_a_stale_redemption_that_no_longer_fits_is_refused(self, ledger: PointsLedger) -> None:
        """Two redemptions from one account: the second is checked against the first."""
        guest = CustomerId.new()
        self.earn(ledger, guest, 500)
        stale = ledger.account(guest)
        ledger.post(guest, stale.redeem(300, at=START, key="r1", policy=LIFETIME))
        with pytest.raises(InsufficientPointsError):
            ledger.post(guest, stale.redeem(300, at=START, key="r2", policy=LIFETIME))
        ledger.post(guest, stale.redeem(200, at=START, key="r3", policy=LIFETIME))  # it fits
        assert ledger.account(guest).balance == 0
        self.assert_consistent(ledger, guest)

    def test_expired_points_are_never_spent(self, ledger: PointsLedger) -> None:
        """A lot past its expiry is not drawn on, even before its expiry is written."""
        guest = CustomerId.new()
        lot = self.earn(ledger, guest, 100)
        after = START.add(months=24)
        with pytest.raises(InsufficientPointsError):
            self.redemption(ledger, guest, 1, at=after)
        late = PointsEntry(
            id=PointsEntryId.new(),
            customer=guest,
            kind=EntryKind.REDEEM,
            points=-100,
            at=after,
            key="redeem:late",
            draws=[(lot.id, 100)],
        )
        with pytest.raises(InsufficientPointsError):
            ledger.post(guest, [late])
        (expired,) = ledger.post(guest, ledger.account(guest).expire_due(after))
        assert (expired.kind, expired.points) == (EntryKind.EXPIRE, -100)
        assert ledger.account(guest).balance == 0
        self.assert_consistent(ledger, guest)

    def test_an_expiry_of_a_lot_renewed_meanwhile_is_refused(self, ledger: PointsLedger) -> None:
        """Under an inactivity window, an earning renews the lots a stale sweep would expire."""
        guest = CustomerId.new()
        self.earn(ledger, guest, 100, policy=INACTIVITY)
        stale = ledger.account(guest)
        self.earn(ledger, guest, 50, at=START.add(months=11), policy=INACTIVITY)
        sweep = stale.expire_due(START.add(months=12, days=1))
        assert len(sweep) == 1
        with pytest.raises(LotNotDueError) as refused:
            ledger.post(guest, sweep)
        assert refused.value.code == "loyalty.lot_not_due"
        assert ledger.account(guest).balance == 150
        assert ledger.account(guest).expire_due(START.add(months=12, days=1)) == ()

    def test_a_batch_is_written_whole_or_not_at_all(self, ledger: PointsLedger) -> None:
        """A refused entry refuses the entries before it in the batch too."""
        guest = CustomerId.new()
        self.earn(ledger, guest, 100)
        account = ledger.account(guest)
        (bonus,) = account.earn(500, at=START, key="earn:bonus", policy=LIFETIME)
        (too_much,) = account.redeem(100, at=START, key="redeem:x", policy=LIFETIME)
        overdraw = attrs.evolve(too_much, points=-101, draws=[(too_much.draws[0].lot, 101)])
        with pytest.raises(InsufficientPointsError):
            ledger.post(guest, [bonus, overdraw])
        assert ledger.account(guest).balance == 100
        assert len(ledger.entries(guest)) == 1
        assert ledger.post(guest, [bonus])[0] == bonus  # the key was not taken

    def test_another_members_entry_refuses_the_batch(self, ledger: PointsLedger) -> None:
        """A batch is one member's."""
        guest, other = CustomerId.new(), CustomerId.new()
        (mine,) = ledger.account(guest).earn(10, at=START, key="e:1", policy=LIFETIME)
        (theirs,) = ledger.account(other).earn(10, at=START, key="e:2", policy=LIFETIME)
        with pytest.raises(InvalidPointsEntryError):
            ledger.post(guest, [mine, theirs])
        assert ledger.entries(guest) == ledger.entries(other) == ()

    def test_a_key_or_an_id_twice_in_a_batch_is_refused(self, ledger: PointsLedger) -> None:
        """Each entry of a batch has its own key and id."""
        guest = CustomerId.new()
        (first,) = ledger.account(guest).earn(10, at=START, key="e:1", policy=LIFETIME)
        batches = [
            [first, attrs.evolve(first, id=PointsEntryId.new())],
            [first, attrs.evolve(first, key="e:2")],
        ]
        for batch in batches:
            with pytest.raises(InvalidPointsEntryError):
                ledger.post(guest, batch)
        assert ledger.entries(guest) == ()

    def test_an_id_stored_under_another_key_is_refused(self, ledger: PointsLedger) -> None:
        """An entry's id names one entry."""
        guest = CustomerId.new()
        stored = self.earn(ledger, guest, 10)
        with pytest.raises(InvalidPointsEntryError):
            ledger.post(guest, [attrs.evolve(stored, key="another")])
        assert ledger.entries(guest) == (stored,)

    # -- retries and keys ------------------------------------------------------------

    def test_a_retry_returns_the_stored_entries_and_changes_nothing(
        self, ledger: PointsLedger
    ) -> None:
        """The same batch again, or computed again with new ids, is the batch written."""
        guest = CustomerId.new()
        self.earn(ledger, guest, 500)
        batch = self.redemption(ledger, guest, 200, key="redeem:retry")
        first = ledger.post(guest, batch)
        assert ledger.post(guest, batch) == first
        recomputed = self.redemption(ledger, guest, 200, key="redeem:retry")
        assert recomputed[0].id != first[0].id
        assert ledger.post(guest, recomputed) == first
        assert ledger.account(guest).balance == 300
        assert len(ledger.entries(guest)) == 2

    def test_a_retry_stands_after_the_points_are_spent(self, ledger: PointsLedger) -> None:
        """Keys are checked before points: a retry succeeds when nothing is left to spend."""
        guest = CustomerId.new()
        self.earn(ledger, guest, 500)
        batch = self.redemption(ledger, guest, 200)
        first = ledger.post(guest, batch)
        ledger.post(guest, self.redemption(ledger, guest, 300))
        assert ledger.post(guest, batch) == first
        assert ledger.account(guest).balance == 0

    def test_a_batch_of_retries_and_new_entries_writes_the_new(self, ledger: PointsLedger) -> None:
        """A sweep computed again after part of it landed writes only the rest."""
        guest = CustomerId.new()
        self.earn(ledger, guest, 100)
        self.earn(ledger, guest, 200, at=START.add(days=1))
        due = START.add(months=25)
        sweep = ledger.account(guest).expire_due(due)
        assert len(sweep) == 2
        (first,) = ledger.post(guest, sweep[:1])
        again = ledger.account(guest).expire_due(due)
        stored = ledger.post(guest, (*sweep[:1], *again))
        assert stored[0] == first
        assert [entry.points for entry in ledger.entries(guest)] == [100, 200, -100, -200]
        assert ledger.account(guest).balance == 0

    def test_a_stale_expiry_is_a_retry(self, ledger: PointsLedger) -> None:
        """An expiry of a lot computed again, from an older account, lands once."""
        guest = CustomerId.new()
        self.earn(ledger, guest, 100)
        stale = ledger.account(guest)
        ledger.post(guest, self.redemption(ledger, guest, 40, at=START.add(months=12)))
        due = START.add(months=24)
        (expired,) = ledger.post(guest, ledger.account(guest).expire_due(due))
        assert expired.points == -60
        assert ledger.post(guest, stale.expire_due(due)) == (expired,)  # it saw 100 left
        assert ledger.account(guest).balance == 0
        self.assert_consistent(ledger, guest)

    def test_a_stale_reversal_of_an_order_is_a_retry(self, ledger: PointsLedger) -> None:
        """A reversal of an order computed again, from an older account, lands once."""
        guest, order = CustomerId.new(), OrderId.new()
        self.earn(ledger, guest, 300, order=order)
        self.earn(ledger, guest, 100, at=START.add(days=1))
        stale, stale_entries = ledger.account(guest), ledger.entries(guest)
        ledger.post(guest, self.redemption(ledger, guest, 350, at=START.add(days=2)))
        at = START.add(days=3)
        fresh = ledger.account(guest).reverse(order, at=at, entries=ledger.entries(guest))
        assert (fresh.taken, fresh.unrecovered) == (50, 250)
        (reversed_,) = ledger.post(guest, fresh.entries)
        late = stale.reverse(order, at=at, entries=stale_entries)
        assert late.taken == 300
        assert ledger.post(guest, late.entries) == (reversed_,)
        assert ledger.account(guest).balance == 0
        self.assert_consistent(ledger, guest)

    def test_a_key_reused_for_other_content_is_refused(self, ledger: PointsLedger) -> None:
        """Another entry under a stored key refuses the batch, and says what was stored."""
        guest = CustomerId.new()
        self.earn(ledger, guest, 500)
        (first,) = ledger.post(guest, self.redemption(ledger, guest, 200, key="redeem:k"))
        (bonus,) = ledger.account(guest).earn(50, at=START, key="earn:new", policy=LIFETIME)
        (clash,) = self.redemption(ledger, guest, 250, key="redeem:k")
        with pytest.raises(PointsKeyReusedError) as refused:
            ledger.post(guest, [bonus, clash])
        assert refused.value.code == "loyalty.key_reused"
        assert refused.value.stored == first
        assert ledger.account(guest).balance == 300
        assert len(ledger.entries(guest)) == 2

    # -- concurrency -----------------------------------------------------------------

    def race(self, calls: Sequence[Callable[[], object]]) -> list[_Outcome]:
        """Run ``calls`` from as many threads at once; ``None`` for each that succeeded."""
        start = threading.Barrier(len(calls))

        def run(call: Callable[[], object]) -> _Outcome:
            start.wait(timeout=10)
            try:
                call()
            except (InsufficientPointsError, LotNotDueError, PointsKeyReusedError) as error:
                return type(error)
            return None

        with ThreadPoolExecutor(max_workers=len(calls)) as pool:
            return list(pool.map(run, calls))

    def test_racing_redemptions_from_one_stale_account_never_overdraw(
        self, ledger: PointsLedger
    ) -> None:
        """``racers`` redemptions of 300 computed from one account of 1000: three land."""
        guest = CustomerId.new()
        for day in range(4):
            self.earn(ledger, guest, 250, at=START.add(days=day))
        stale = ledger.account(guest)
        batches = [
            stale.redeem(300, at=START.add(days=5), key=f"redeem:{n}", policy=LIFETIME)
            for n in range(self.racers)
        ]
        outcomes = self.race([functools.partial(ledger.post, guest, batch) for batch in batches])
        won = outcomes.count(None)
        # Every batch drew on the two oldest lots: the first to land spent all of one.
        assert won == 1, f"{won} of {self.racers} landed"
        assert set(outcomes) == {None, InsufficientPointsError}
        assert ledger.account(guest).balance == 700
        self.assert_consistent(ledger, guest)

    def test_racing_members_reading_afresh_spend_only_what_there_is(
        self, ledger: PointsLedger
    ) -> None:
        """``racers`` threads each read the account and redeem 300 of 1000: three at most."""
        guest = CustomerId.new()
        for day in range(4):
            self.earn(ledger, guest, 250, at=START.add(days=day))

        def redeem(n: int) -> None:
            for attempt in range(self.racers):  # re-read after a lost race, as a use case would
                try:
                    batch = self.redemption(
                        ledger, guest, 300, at=START.add(days=5), key=f"redeem:{n}"
                    )
                    ledger.post(guest, batch)
                except InsufficientPointsError:
                    if ledger.account(guest).available(START.add(days=5)) < 300 or (
                        attempt == self.racers - 1
                    ):
                        raise
                else:
                    return

        outcomes = self.race([functools.partial(redeem, n) for n in range(self.racers)])
        assert outcomes.count(None) == 3, outcomes
        assert ledger.account(guest).balance == 100
        self.assert_consistent(ledger, guest)

    def test_racing_sweeps_expire_each_lot_once(self, ledger: PointsLedger) -> None:
        """``racers`` sweeps of the same due lots: each lot is expired once."""
        guest = CustomerId.new()
        for day in range(3):
            self.earn(ledger, guest, 100 + day, at=START.add(days=day))
        due = START.add(months=30)
        sweeps = [ledger.account(guest).expire_due(due) for _ in range(self.racers)]
        outcomes = self.race([functools.partial(ledger.post, guest, sweep) for sweep in sweeps])
        assert outcomes == [None] * self.racers
        kinds = Counter(entry.kind for entry in ledger.entries(guest))
        assert kinds == Counter({EntryKind.EARN: 3, EntryKind.EXPIRE: 3})
        assert ledger.account(guest).balance == 0
        self.assert_consistent(ledger, guest)

    def test_racing_retries_of_one_redemption_count_once(self, ledger: PointsLedger) -> None:
        """One redemption sent ``racers`` times at once is written once."""
        guest = CustomerId.new()
        self.earn(ledger, guest, 1000)
        batch = self.redemption(ledger, guest, 400)
        outcomes = self.race([lambda: ledger.post(guest, batch)] * self.racers)
        assert outcomes == [None] * self.racers
        assert ledger.account(guest).balance == 600
        assert len(ledger.entries(guest)) == 2
