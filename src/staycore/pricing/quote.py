"""The quote: what a stay costs, line by line, and why.

:func:`quote` is a pure function of the rate plan, the rule set, the stay, the party,
the customer's tier, the coupons, the occupancy signal and the booking instant: the
same inputs always give the same :class:`Quote`. The rules apply in the order
:mod:`staycore.pricing.rules` documents. Every amount stays exact until the quote's
lines are made; each line (a night, a discount, a fee, a tax) is then rounded once, by
the rule set's rounding policy, and the total is the sum of the lines, so the breakdown
always adds up to the total to the cent.

A :class:`Pricer` compiles a plan and a rule set once: the prices every night owes to
the plan, the seasons and the weekdays are worked out the first time a night is asked
for and kept. Quoting many stays (a search results page, a price calendar) should reuse
one pricer; :func:`quote` makes a new one each time.

The quote keeps what it needs to explain itself: :attr:`Quote.nights` lists each
night's price with every step that made it, computed when asked for, so quoting stays
fast when nobody reads the explanation.

Example:
    >>> import pendulum
    >>> from staycore.availability.ids import UnitTypeId
    >>> from staycore.kernel.money import Money
    >>> from staycore.kernel.time import Stay
    >>> from staycore.pricing.changes import PriceChange
    >>> from staycore.pricing.ids import RatePlanId
    >>> from staycore.pricing.quote import quote
    >>> from staycore.pricing.rate_plans import Guests, RatePlan
    >>> from staycore.pricing.rules import Fee, FeeBasis, LengthOfStayRule, RuleSet, Tax
    >>> plan = RatePlan(id=RatePlanId.new(), unit_type=UnitTypeId.new(), name="Standard",
    ...                 base_price=Money.of("100.00", "EUR"))
    >>> rules = RuleSet(version="v1", currency="EUR", timezone="Europe/Paris",
    ...                 length_of_stay=[LengthOfStayRule(3, PriceChange.percent("-10"))],
    ...                 fees=[Fee("Cleaning", Money.of("30.00", "EUR"), FeeBasis.STAY)],
    ...                 taxes=[Tax.percent("VAT", "10")])
    >>> q = quote(plan, rules, Stay.parse("2026-07-10/2026-07-13"), Guests(2),
    ...           booked_at=pendulum.datetime(2026, 6, 1, 12, tz="UTC"))
    >>> print(q.breakdown())
    2026-07-10  Standard                          90.00
    2026-07-11  Standard                          90.00
    2026-07-12  Standard                          90.00
    fee         Cleaning                          30.00
    tax         VAT 10 %                          30.00
    total                                     EUR 330.00
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Final, Protocol

import attrs
import pendulum

from staycore.kernel.errors import CurrencyMismatchError, InvalidStayError
from staycore.kernel.money import Money
from staycore.kernel.time import Stay, as_instant, local_date, timezone
from staycore.pricing.changes import PriceChange
from staycore.pricing.errors import PricingError
from staycore.pricing.ids import PromotionId
from staycore.pricing.promotions import DiscountKind, Promotion, PromotionContext, Stacking
from staycore.pricing.rate_plans import Guests, InvalidGuestsError, RatePlan
from staycore.pricing.rules import FeeBasis, RuleSet, TaxBasis

__all__ = [
    "CouponLike",
    "LineKind",
    "NightPrice",
    "Pricer",
    "Quote",
    "QuoteChangedError",
    "QuoteExpiredError",
    "QuoteLine",
    "Refusal",
    "Step",
    "check_quote",
    "price_calendar",
    "quote",
]

_HUNDRED: Final = Decimal(100)
_ZERO: Final = Decimal(0)
_ONE: Final = Decimal(1)
# Products of a handful of factors stay far below 60 digits, so prices are exact; only
# an included tax divides, and it is rounded to its line right after.
_EXACT: Final = decimal.Context(prec=60, traps=[decimal.InvalidOperation])


class CouponLike(Protocol):
    """What the quote needs of a coupon: its code and the promotion it unlocks."""

    @property
    def code(self) -> str:
        """The code the guest entered, normalized."""
        ...

    @property
    def promotion(self) -> PromotionId:
        """The promotion the code unlocks."""
        ...


def _check_asked(stay: Stay, guests: Guests, tier: str | None) -> None:
    """Refuse a stay, party or tier of the wrong type before pricing reads them."""
    if not isinstance(stay, Stay):
        msg = f"a quote is for a Stay such as Stay.parse('2026-07-10/2026-07-12'), got {stay!r}"
        raise InvalidStayError(msg)
    if not isinstance(guests, Guests):
        msg = f"a quote is for a party such as Guests(2, children=1), got {guests!r}"
        raise InvalidGuestsError(msg)
    if tier is not None and not isinstance(tier, str):
        msg = f"tier is the name of the guest's loyalty tier or None, got {tier!r}"
        raise PricingError(msg)


class QuoteExpiredError(PricingError):
    """The quote the guest saw has expired: quote again."""

    code = "pricing.quote_expired"


class QuoteChangedError(PricingError):
    """The price changed since the guest saw it: show the new quote before booking."""

    code = "pricing.quote_changed"


@attrs.frozen
class Step:
    """One rule's change to a night's price.

    Attributes:
        rule: Which kind of rule ("season", "demand", "floor", ...).
        name: Its name in the rule set.
        change: The change as written ("+20 %", "-15.00").
        amount: What it changed the running price by, exactly.
    """

    rule: str
    name: str
    change: str
    amount: Decimal


@attrs.frozen
class NightPrice:
    """A night's price and every step that made it.

    Attributes:
        night: The night.
        price: The price, rounded once.
        exact: The price before rounding.
        steps: The rate plan's price first, then each rule that changed it.
    """

    night: dt.date
    price: Money
    exact: Decimal
    steps: tuple[Step, ...]


class LineKind(enum.Enum):
    """What a line of the stay is."""

    DISCOUNT = "discount"
    FEE = "fee"
    TAX = "tax"
    INCLUDED_TAX = "included tax"  # shown, already in the prices


@attrs.frozen
class QuoteLine:
    """A line on the stay: a discount (negative), a fee, or a tax.

    Attributes:
        kind: What it is.
        name: Its name ("Cleaning", "VAT 10 %", "Stay 4, pay 3 (code SUMMER)").
        amount: Its amount, rounded once; discounts are negative.
    """

    kind: LineKind
    name: str
    amount: Money


@attrs.frozen
class Refusal:
    """A coupon or promotion that does not apply, and why."""

    name: str
    reason: str


class Quote:
    """What a stay costs, with every line and the reasons.

    A quote is made by :func:`quote` or :meth:`Pricer.quote`; its money values are made
    when first read, so that quoting many stays stays cheap.

    Attributes:
        stay: The nights.
        guests: The party.
        tier: The customer's tier, if any.
        quoted_at: The booking instant quoted for.
        refusals: Coupons and promotions that do not apply, with why.
    """

    __slots__ = (
        "_lead_days",
        "_lines",
        "_money",
        "_occupancy",
        "_pricer",
        "_prices",
        "_redeemed",
        "_total",
        "guests",
        "quoted_at",
        "refusals",
        "stay",
        "tier",
    )

    stay: Stay
    guests: Guests
    tier: str | None
    quoted_at: pendulum.DateTime
    refusals: tuple[Refusal, ...]
    _pricer: Pricer
    _prices: tuple[Decimal, ...]
    _lines: tuple[tuple[LineKind, str, Decimal], ...]
    _total: Decimal
    _occupancy: Mapping[dt.date, Decimal]
    _lead_days: int
    _money: tuple[tuple[Money, ...], tuple[QuoteLine, ...], Money] | None
    _redeemed: tuple[tuple[str, Decimal], ...]

    @classmethod
    def made(
        cls,
        pricer: Pricer,
        request: tuple[Stay, Guests, str | None, pendulum.DateTime],
        priced: tuple[
            tuple[Decimal, ...],
            tuple[tuple[LineKind, str, Decimal], ...],
            tuple[Refusal, ...],
            Decimal,
        ],
        context: tuple[Mapping[dt.date, Decimal], int],
        redeemed: tuple[tuple[str, Decimal], ...] = (),
    ) -> Quote:
        """Assemble a quote from what a pricer worked out (use :meth:`Pricer.quote`).

        Args:
            pricer: The pricer, kept to explain the nights on demand.
            request: The stay, the party, the customer's tier and the booking instant.
            priced: The nights' prices, the lines, the refusals and the total.
            context: The occupancy signal and the lead time, to explain the nights.
            redeemed: The discount each coupon code gave.
        """
        made = object.__new__(cls)
        made._pricer = pricer
        made.stay, made.guests, made.tier, made.quoted_at = request
        made._prices, made._lines, made.refusals, made._total = priced
        made._occupancy, made._lead_days = context
        made._money = None
        made._redeemed = redeemed
        return made

    @property
    def rate_plan(self) -> str:
        """The rate plan's id."""
        return str(self._pricer.plan.id)

    @property
    def rule_set_version(self) -> str:
        """The version of the rules the quote used."""
        return self._pricer.rules.version

    @property
    def expires_at(self) -> pendulum.DateTime:
        """When the quote stops being valid: ``rules.quote_minutes`` after ``quoted_at``."""
        return self.quoted_at.add(minutes=self._pricer.rules.quote_minutes)

    @property
    def night_prices(self) -> tuple[Money, ...]:
        """Each night's price, rounded once."""
        return self._as_money()[0]

    @property
    def lines(self) -> tuple[QuoteLine, ...]:
        """Discounts (negative), fees and taxes, in that order."""
        return self._as_money()[1]

    @property
    def total(self) -> Money:
        """What the guest pays: the nights, less discounts, plus fees and added taxes."""
        return self._as_money()[2]

    def _as_money(self) -> tuple[tuple[Money, ...], tuple[QuoteLine, ...], Money]:
        if self._money is None:
            currency = self._pricer.rules.currency
            self._money = (
                tuple(Money(price, currency) for price in self._prices),
                tuple(QuoteLine(kind, name, Money(a, currency)) for kind, name, a in self._lines),
                Money(self._total, currency),
            )
        return self._money

    @property
    def coupon_discounts(self) -> tuple[tuple[str, Money], ...]:
        """Each coupon code that gave a discount, with the discount: what to redeem.

        Example:
            Continuing the module example above (no coupon was entered):

            >>> q.coupon_discounts
            ()
        """
        currency = self._pricer.rules.currency
        return tuple((code, Money(amount, currency)) for code, amount in self._redeemed)

    @property
    def nights(self) -> tuple[NightPrice, ...]:
        """Each night with every step of its price, worked out when asked for.

        Example:
            Continuing the module example above:

            >>> [(s.rule, s.change, str(s.amount)) for s in q.nights[0].steps]
            [('rate plan', '', '100.00'), ('length of stay', '-10 %', '-10.000')]
        """
        return self._pricer.explain_nights(
            self.stay, self.guests, self._occupancy, self._lead_days, self.tier
        )

    def breakdown(self) -> str:
        """The quote as a table a guest can read, one line per night, discount, fee, tax.

        Example:
            See the module example.
        """
        name = self._pricer.plan.name
        rows = [
            (str(night), name, price) for night, price in zip(self.stay, self._prices, strict=True)
        ]
        rows += [(kind.value, label, amount) for kind, label, amount in self._lines]
        text = [f"{label:<11} {what:<28} {amount:>10}" for label, what, amount in rows]
        text.append(f"{'total':<11} {'':<28} {self.total!s:>14}".rstrip())
        text += [f"not applied {r.name}: {r.reason}" for r in self.refusals]
        return "\n".join(text)

    def same_price(self, other: Quote) -> bool:
        """Whether ``other`` charges the same total for the same stay and party.

        Example:
            Continuing the module example above:

            >>> q.same_price(q)
            True
        """
        return (self.stay, self.guests, self.total) == (other.stay, other.guests, other.total)

    def __repr__(self) -> str:
        return f"Quote({self.stay}, {self.guests}, total={self.total})"


def _check_currency(plan: RatePlan, rules: RuleSet) -> None:
    if plan.currency != rules.currency:
        msg = (
            f"rate plan {plan.name!r} is in {plan.currency} and rule set {rules.version!r} "
            f"in {rules.currency}; price a plan with rules of its own currency"
        )
        raise CurrencyMismatchError(msg)


# The fee lines of a stay length and party, their taxable sum, the levies and the fees' total.
_FeeTable = tuple[tuple[tuple[LineKind, str, Decimal], ...], Decimal, tuple[Decimal, ...], Decimal]


class Pricer:
    """A rate plan and a rule set, compiled once for many quotes.

    Each night's price from the plan, the seasons and the weekdays, the changes that
    depend on the stay (lead time, length, tier) and the demand percentages are worked
    out the first time they are needed and kept, so a busy pricer mostly multiplies.

    Args:
        plan: The rate plan.
        rules: The rule set.

    Raises:
        CurrencyMismatchError: The plan and the rules are in different currencies.
    """

    def __init__(self, plan: RatePlan, rules: RuleSet) -> None:
        _check_currency(plan, rules)
        self.plan = plan
        self.rules = rules
        self._zone = timezone(rules.timezone)
        self._quantum = rules.currency.quantum
        self._floor = rules.floor.amount if rules.floor is not None else _ZERO
        self._ceiling = rules.ceiling.amount if rules.ceiling is not None else None
        self._chain = _plan_chain(plan)
        self._promotions = {promotion.id: promotion for promotion in rules.promotions}
        self._automatic = [p for p in rules.promotions if not p.requires_code]
        # Promotions without a scope, with the shortest stay they take.
        self._unscoped = {
            p.id: max(p.min_nights, p.stay_nights if p.kind is DiscountKind.FREE_NIGHTS else 0)
            for p in rules.promotions
            if not p.scoped
        }
        self._by_length = sorted(rules.length_of_stay, key=lambda r: r.min_nights, reverse=True)
        self._fees = [(f.name, f.amount.amount, f.basis, f.taxable) for f in rules.fees]
        self._taxes = _compiled_taxes(rules, included=plan.taxes_included)
        # Caches: night -> (override price, factor, add) of plan, seasons and weekdays;
        # (adults, children, stay change) -> night -> (occupancy, rounded price);
        # (nights, lead, tier) -> change; occupancy -> demand factor.
        self._static: dict[dt.date, tuple[Decimal, Decimal, Decimal]] = {}
        self._stay_changes: dict[tuple[int, int, str | None], PriceChange] = {}
        self._demand: dict[Decimal, Decimal] = {}
        self._labels: dict[str, str] = {}
        self._dates: dict[tuple[dt.date, int], tuple[dt.date, ...]] = {}
        self._change_objects: dict[PriceChange, PriceChange] = {}
        self._finals: dict[tuple[int, int, int], dict[dt.date, tuple[Decimal | None, Decimal]]] = {}
        self._fee_lines: dict[tuple[int, int, int], _FeeTable] = {}
        self._last_booking: tuple[dt.datetime, pendulum.DateTime, dt.date] | None = None

    # -- the hot path ----------------------------------------------------------------

    def quote(
        self,
        stay: Stay,
        guests: Guests,
        *,
        booked_at: pendulum.DateTime,
        tier: str | None = None,
        coupons: Iterable[CouponLike] = (),
        occupancy: Mapping[dt.date, Decimal] | None = None,
        first_booking: bool = False,
        refused: Iterable[Refusal] = (),
    ) -> Quote:
        """Price ``stay`` for ``guests``; see :func:`quote`.

        ``refused`` lists codes refused before pricing (a coupon store did not know
        them); the quote shows them first among its refusals.

        Example:
            Continuing the module example above:

            >>> from staycore.pricing.quote import Pricer
            >>> pricer = Pricer(plan, rules)
            >>> pricer.quote(Stay.parse("2026-07-10/2026-07-12"), Guests(2),
            ...              booked_at=pendulum.datetime(2026, 6, 1, tz="UTC")).total
            Money('253.00', 'EUR')
        """
        _check_asked(stay, guests, tier)
        instant, booked_on = self._booking(booked_at)
        occupancy = occupancy or {}
        lead_days = (stay.check_in - booked_on).days
        nights = stay.nights
        with decimal.localcontext(_EXACT):
            prices = self._prices(stay, guests, occupancy, lead_days, tier)
            rooms = sum(prices, _ZERO)
            lines: list[tuple[LineKind, str, Decimal]] = []
            refusals = tuple(refused)
            redeemed: list[tuple[str, Decimal]] = []
            charged = rooms
            if coupons or self._automatic:
                booking = (stay, instant, booked_on, first_booking)
                discounts, not_applied = self._discounts(prices, rooms, booking, coupons)
                refusals += tuple(not_applied)
                for name, amount, code in discounts:
                    lines.append((LineKind.DISCOUNT, name, -amount))
                    charged -= amount
                    if code is not None:
                        redeemed.append((code, amount))
            total = self._fees_and_taxes(lines, charged, nights, guests)
        return Quote.made(
            self,
            (stay, guests, tier, instant),
            (tuple(prices), tuple(lines), refusals, total),
            (occupancy, lead_days),
            tuple(redeemed),
        )

    def _booking(self, booked_at: pendulum.DateTime) -> tuple[pendulum.DateTime, dt.date]:
        """The booking instant and its local date; the last one is remembered."""
        last = self._last_booking
        if last is not None and last[0] is booked_at:
            return last[1], last[2]
        instant = as_instant(booked_at, what="booking instant")
        booked_on = instant.astimezone(self._zone).date()
        self._last_booking = (booked_at, instant, booked_on)
        return instant, booked_on

    def _prices(
        self,
        stay: Stay,
        guests: Guests,
        occupancy: Mapping[dt.date, Decimal],
        lead_days: int,
        tier: str | None,
    ) -> list[Decimal]:
        """Each night's price, rounded once; the loop every quote runs.

        A night's price depends on the night, the party, its occupancy share and the
        stay's change (lead time, length, tier), so it is remembered under those: a
        service quotes the same nights under the same conditions again and again
        (calendar pages, a guest trying coupons, many guests eyeing one weekend).
        """
        length = stay.nights
        key = (length, lead_days, tier)
        change = self._stay_changes.get(key)
        if change is None:
            change = self._stay_change(length, lead_days, tier)[0]
            # Equal changes share one object, so the nights priced under it are shared.
            change = self._stay_changes[key] = self._change_objects.setdefault(change, change)
        memo_key = (guests.adults, guests.children, id(change))
        finals = self._finals.get(memo_key)
        if finals is None:
            finals = self._finals[memo_key] = {}
        # Keyed by plain values: a date hashes in C, a Stay in Python.
        nights = self._dates.get((stay.check_in, length))
        if nights is None:
            nights = self._dates[stay.check_in, length] = tuple(stay)
        with_demand = self.rules.demand is not None and bool(occupancy)
        prices = []
        for night in nights:
            share = occupancy.get(night) if with_demand else None
            seen = finals.get(night)
            if seen is None or seen[0] is not share:
                seen = finals[night] = (share, self._final(night, guests, share, change))
            prices.append(seen[1])
        return prices

    def _final(
        self, night: dt.date, guests: Guests, share: Decimal | None, change: PriceChange
    ) -> Decimal:
        """A night's price for a party: every nightly rule, the bounds, then rounding."""
        price = self._static_price(night, self.plan.supplement(guests))
        if share is not None:
            price *= self._demand_factor(share)
        price = price * change.factor + change.add
        if price < self._floor:
            price = self._floor
        elif self._ceiling is not None and price > self._ceiling:
            price = self._ceiling
        return self._round(price)

    def _static_price(self, night: dt.date, supplement: Decimal) -> Decimal:
        base, factor, add = self._static.get(night) or self._compile(night)
        return (base + supplement) * factor + add

    def _demand_factor(self, share: Decimal) -> Decimal:
        factor = self._demand.get(share)
        if factor is None:
            curve = self.rules.demand
            factor = _ONE if curve is None else _ONE + curve.percent(share) / _HUNDRED
            self._demand[share] = factor
        return factor

    def _compile(self, night: dt.date) -> tuple[Decimal, Decimal, Decimal]:
        """The night's override price and the one change plan, seasons and weekdays make."""
        root, plan_change = self._chain
        base = root.base_price.amount
        for override in root.overrides:
            if override.covers(night):
                base = override.price.amount
        change = plan_change
        for _, _, rule_change in self._static_rules(night):
            change = change.then(rule_change)
        static = (base, change.factor, change.add)
        self._static[night] = static
        return static

    def _static_rules(self, night: dt.date) -> list[tuple[str, str, PriceChange]]:
        found = [("season", s.name, s.change) for s in self.rules.seasons if s.covers(night)]
        found += [
            ("weekday", w.name, w.change)
            for w in self.rules.weekdays
            if night.weekday() in w.weekdays
        ]
        return found

    def _stay_rules(
        self, nights: int, lead_days: int, tier: str | None
    ) -> list[tuple[str, str, PriceChange]]:
        found = [
            ("lead time", rule.name, rule.change)
            for rule in self.rules.lead_time
            if rule.applies(lead_days)
        ]
        length = next((r for r in self._by_length if nights >= r.min_nights), None)
        if length is not None:
            found.append(("length of stay", f"{length.min_nights}+ nights", length.change))
        if tier is not None and tier in self.rules.tiers:
            found.append(("tier", tier, self.rules.tiers[tier]))
        return found

    def _stay_change(
        self, nights: int, lead_days: int, tier: str | None
    ) -> tuple[PriceChange, list[tuple[str, str, PriceChange]]]:
        rules = self._stay_rules(nights, lead_days, tier)
        change = PriceChange(_ONE, _ZERO)
        for _, _, rule_change in rules:
            change = change.then(rule_change)
        return change, rules

    def _round(self, amount: Decimal) -> Decimal:
        policy = self.rules.rounding
        if policy.increment is None:
            return amount.quantize(self._quantum, policy.mode)
        return Money(amount, self.rules.currency).rounded(policy).amount

    def _discounts(
        self,
        prices: Sequence[Decimal],
        rooms: Decimal,
        booking: tuple[Stay, pendulum.DateTime, dt.date, bool],
        coupons: Iterable[CouponLike],
    ) -> tuple[list[tuple[str, Decimal, str | None]], list[Refusal]]:
        """The discounts that apply (label, amount, code), in order, and every refusal.

        ``booking`` is the stay, the booking instant and date, and whether it is a first
        booking: the :class:`PromotionContext` is made of them only for a promotion with
        a scope to check.
        """
        context: PromotionContext | None = None
        nights = len(prices)
        refusals: list[Refusal] = []
        candidates: list[tuple[Promotion, str, str | None]] = [
            (p, p.name, None) for p in self._automatic
        ]
        for coupon in coupons:
            code = coupon.code
            promotion = self._promotions.get(coupon.promotion)
            if promotion is None:
                refusals.append(
                    Refusal(code, f"its promotion is not in rule set {self.rules.version!r}")
                )
                continue
            label = self._labels.get(code)
            if label is None:
                label = self._labels[code] = f"{promotion.name} (code {code})"
            candidates.append((promotion, label, code))
        if len(candidates) > 1:
            candidates.sort(key=lambda pair: (pair[0].priority, pair[1]))
        applied: list[tuple[str, Decimal, str | None]] = []
        mode, plain = self.rules.rounding.mode, self.rules.rounding.increment is None
        first: Promotion | None = None
        left = rooms
        for promotion, label, entered in candidates:
            shortest = self._unscoped.get(promotion.id)
            if shortest is None:
                context = context or self._context(*booking)
                reason = promotion.refusal(context)
            else:
                reason = "" if nights >= shortest else promotion.length_refusal(nights)
            if not reason and (first is not None or promotion.threshold is not None):
                reason = _stacking_refusal(promotion, first, rooms)
            if reason:
                refusals.append(Refusal(label, reason))
                continue
            off = promotion.discount(prices, rooms, left)
            off = off.quantize(self._quantum, mode) if plain else self._round(off)
            first = first or promotion
            left -= off
            applied.append((label, off, entered))
        return applied, refusals

    def _context(
        self, stay: Stay, instant: pendulum.DateTime, booked_on: dt.date, first_booking: bool
    ) -> PromotionContext:
        return PromotionContext(
            stay=stay,
            unit_type=self.plan.unit_type,
            rate_plan=self.plan.id,
            booked_at=instant,
            booked_on=booked_on,
            first_booking=first_booking,
        )

    def _fee_table(self, nights: int, guests: Guests) -> _FeeTable:
        """The fee lines, their taxable sum, the levies and the fees' total for a stay."""
        people = guests.adults + guests.children
        lines = []
        taxable = _ZERO
        with decimal.localcontext(_EXACT):
            for name, amount, basis, is_taxable in self._fees:
                charge = self._round(amount * _FEE_UNITS[basis](nights, people))
                lines.append((LineKind.FEE, name, charge))
                if is_taxable:
                    taxable += charge
            levies = tuple(
                _ZERO
                if levy is None
                else self._round(levy * (guests.adults if adults_only else people) * nights)
                for _, _, _, levy, adults_only in self._taxes
            )
        table = (tuple(lines), taxable, levies, sum((line[2] for line in lines), _ZERO))
        self._fee_lines[nights, guests.adults, guests.children] = table
        return table

    def _fees_and_taxes(
        self,
        lines: list[tuple[LineKind, str, Decimal]],
        charged: Decimal,
        nights: int,
        guests: Guests,
    ) -> Decimal:
        """Add the fee lines, then the tax lines, to ``lines``; return the total.

        Args:
            lines: The discount lines so far.
            charged: The rooms less the discounts.
            nights: The stay's length.
            guests: The party.
        """
        fees = self._fee_lines.get((nights, guests.adults, guests.children))
        if fees is None:
            fees = self._fee_table(nights, guests)
        fee_lines, taxable_fees, levies, fee_total = fees
        lines += fee_lines
        taxable = charged + taxable_fees
        total = charged + fee_total
        quantum, mode = self._quantum, self.rules.rounding.mode
        plain = self.rules.rounding.increment is None
        for (kind, name, share, levy, _), levy_amount in zip(self._taxes, levies, strict=True):
            if levy is None:
                amount = taxable * share
                amount = amount.quantize(quantum, mode) if plain else self._round(amount)
            else:
                amount = levy_amount
            lines.append((kind, name, amount))
            if kind is LineKind.TAX:
                total += amount
        return total

    # -- explaining ------------------------------------------------------------------

    def explain_nights(
        self,
        stay: Stay,
        guests: Guests,
        occupancy: Mapping[dt.date, Decimal],
        lead_days: int,
        tier: str | None,
    ) -> tuple[NightPrice, ...]:
        """Each night of a stay with every step of its price (what :attr:`Quote.nights` shows)."""
        with decimal.localcontext(_EXACT):
            _, stay_rules = self._stay_change(stay.nights, lead_days, tier)
            return tuple(
                self._explain_night(night, guests, occupancy.get(night), stay_rules)
                for night in stay
            )

    def _explain_night(
        self,
        night: dt.date,
        guests: Guests,
        occupancy: Decimal | None,
        stay_rules: list[tuple[str, str, PriceChange]],
    ) -> NightPrice:
        root, plan_change = self._chain
        base, _, _ = self._static.get(night) or self._compile(night)
        price = base + self.plan.supplement(guests)
        steps = [Step("rate plan", root.name, "", price)]
        if plan_change != PriceChange(_ONE, _ZERO):
            changed = plan_change.apply(price)
            steps.append(Step("derived plan", self.plan.name, str(plan_change), changed - price))
            price = changed
        rules = self._static_rules(night)
        if occupancy is not None and self.rules.demand is not None:
            percent = self.rules.demand.percent(occupancy)
            rules.append(("demand", f"occupancy {occupancy:%}", PriceChange.percent(percent)))
        for kind, name, change in [*rules, *stay_rules]:
            changed = change.apply(price)
            steps.append(Step(kind, name, str(change), changed - price))
            price = changed
        exact = price
        if price < self._floor:
            exact = self._floor
            steps.append(Step("floor", "floor", str(self._floor), exact - price))
        elif self._ceiling is not None and price > self._ceiling:
            exact = self._ceiling
            steps.append(Step("ceiling", "ceiling", str(self._ceiling), exact - price))
        return NightPrice(
            night, Money(self._round(exact), self.rules.currency), exact, tuple(steps)
        )


def _stacking_refusal(promotion: Promotion, first: Promotion | None, rooms: Decimal) -> str:
    """Why a promotion in scope still does not apply: stacking, or a threshold not reached."""
    if first is not None and first.stacking is Stacking.EXCLUSIVE:
        return f"it cannot be combined with {first.name}"
    if first is not None and promotion.stacking is Stacking.EXCLUSIVE:
        return f"it is exclusive, and {first.name} applies already"
    threshold = promotion.threshold
    if promotion.kind is DiscountKind.THRESHOLD and threshold and rooms < threshold.amount:
        return f"the stay must cost at least {threshold}, not {Money(rooms, threshold.currency)}"
    return ""


_FEE_UNITS: Final[dict[FeeBasis, Callable[[int, int], int]]] = {
    FeeBasis.STAY: lambda nights, guests: 1,
    FeeBasis.NIGHT: lambda nights, guests: nights,
    FeeBasis.GUEST: lambda nights, guests: guests,
    FeeBasis.GUEST_NIGHT: lambda nights, guests: nights * guests,
}


def _compiled_taxes(
    rules: RuleSet, *, included: bool
) -> list[tuple[LineKind, str, Decimal, Decimal | None, bool]]:
    """Each tax as (line kind, name, share of the taxable amount, levy, adults only).

    Percentage taxes included in the prices are the part of the price they make up: a
    rate r of R in all is r / (100 + R) of the price.
    """
    total_rate = sum((t.rate for t in rules.taxes if t.basis is TaxBasis.PERCENT), _ZERO)
    compiled: list[tuple[LineKind, str, Decimal, Decimal | None, bool]] = []
    with decimal.localcontext(_EXACT):
        for tax in rules.taxes:
            if tax.basis is TaxBasis.PERCENT:
                kind = LineKind.INCLUDED_TAX if included else LineKind.TAX
                share = tax.rate / (_HUNDRED + total_rate if included else _HUNDRED)
                name = f"{tax.name} {tax.rate.normalize():f} %"
                compiled.append((kind, name, share, None, False))
            else:
                kind = LineKind.INCLUDED_TAX if tax.included else LineKind.TAX
                levy = tax.amount.amount if tax.amount is not None else _ZERO
                compiled.append((kind, tax.name, _ZERO, levy, tax.adults_only))
    return compiled


def _plan_chain(plan: RatePlan) -> tuple[RatePlan, PriceChange]:
    """The root plan whose prices a plan follows, and the one change its derivations make."""
    changes = []
    while plan.parent is not None and plan.change is not None:
        changes.append(plan.change)
        plan = plan.parent
    change = PriceChange(_ONE, _ZERO)
    for step in reversed(changes):
        change = change.then(step)
    return plan, change


def quote(
    plan: RatePlan,
    rules: RuleSet,
    stay: Stay,
    guests: Guests,
    *,
    booked_at: pendulum.DateTime,
    tier: str | None = None,
    coupons: Iterable[CouponLike] = (),
    occupancy: Mapping[dt.date, Decimal] | None = None,
    first_booking: bool = False,
) -> Quote:
    """Price a stay, line by line; the same inputs always give the same quote.

    Args:
        plan: The rate plan.
        rules: The rule set.
        stay: The nights.
        guests: The party.
        booked_at: The booking instant: lead time counts from its local date at the
            property, promotions check their validity against it, and the quote
            expires ``rules.quote_minutes`` after it.
        tier: The customer's loyalty tier name, for member rates.
        coupons: The coupons the guest entered, each with its ``code`` and the
            ``promotion`` it unlocks (see :mod:`staycore.pricing.coupons`).
        occupancy: Each night's occupancy, 0 to 1, for demand pricing.
        first_booking: Whether the customer has never booked before.

    Returns:
        The quote.

    Raises:
        CurrencyMismatchError: The plan and the rules are in different currencies.

    Example:
        See the module example.
    """
    return Pricer(plan, rules).quote(
        stay,
        guests,
        booked_at=booked_at,
        tier=tier,
        coupons=coupons,
        occupancy=occupancy,
        first_booking=first_booking,
    )


def price_calendar(
    pricer: Pricer,
    nights: Stay,
    guests: Guests,
    *,
    booked_at: pendulum.DateTime,
    tier: str | None = None,
    occupancy: Mapping[dt.date, Decimal] | None = None,
) -> tuple[tuple[dt.date, Money], ...]:
    """The price of each night sold alone, for channel pushes and calendar pages.

    Each night is priced as a one-night stay booked at ``booked_at``, by the same engine
    as a quote, so a calendar and a quote for one night always agree.

    Example:
        Continuing the module example above:

        >>> from staycore.pricing.quote import Pricer, price_calendar
        >>> week = price_calendar(Pricer(plan, rules), Stay.parse("2026-07-10/2026-07-17"),
        ...                       Guests(2), booked_at=pendulum.datetime(2026, 6, 1, tz="UTC"))
        >>> [str(price) for _, price in week[:2]]
        ['EUR 100.00', 'EUR 100.00']
    """
    instant = as_instant(booked_at, what="booking instant")
    booked_on = local_date(instant, pricer.rules.timezone)
    occupancy = occupancy or {}
    currency = pricer.rules.currency
    prices = []
    with decimal.localcontext(_EXACT):
        for night in nights:
            change, _ = pricer._stay_change(1, (night - booked_on).days, tier)
            price = pricer._final(night, guests, occupancy.get(night), change)
            prices.append((night, Money(price, currency)))
    return tuple(prices)


def check_quote(seen: Quote, fresh: Quote, *, now: pendulum.DateTime) -> Quote:
    """Refuse to book at a price other than the one the guest saw.

    Args:
        seen: The quote the guest accepted.
        fresh: The same stay quoted again now, with the current rules.
        now: The clock's time.

    Returns:
        ``seen``, when it is still valid and the price has not changed.

    Raises:
        QuoteExpiredError: ``seen`` has expired.
        QuoteChangedError: ``fresh`` has another total (or stay or party).

    Example:
        Continuing the module example above:

        >>> from staycore.pricing.quote import check_quote
        >>> check_quote(q, q, now=q.quoted_at.add(minutes=5)) is q
        True
    """
    if as_instant(now, what="now") >= seen.expires_at:
        msg = f"the quote expired at {seen.expires_at.isoformat()}; quote the stay again"
        raise QuoteExpiredError(msg)
    if not seen.same_price(fresh):
        msg = (
            f"the price changed from {seen.total} (rules {seen.rule_set_version}) to "
            f"{fresh.total} (rules {fresh.rule_set_version}); show the guest the new quote"
        )
        raise QuoteChangedError(msg)
    return seen
