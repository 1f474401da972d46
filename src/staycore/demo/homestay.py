"""The homestay the demo's year runs on: three room types, a spa, and the rules they sell under.

:func:`open_homestay` sets up, through an :class:`~staycore.application.Application`'s
use cases, a homestay in Provence: three room types with their calendars over the year
(:data:`ROOM_TYPES`), a few restrictions (two nights at least for a summer weekend
arrival; the loft closed for a week of repairs in November; no arrivals on Christmas
Day), a rule set (seasons, a weekend uplift, an early-bird discount, a long-stay
discount, member rates by tier, a cleaning fee and a city tax; an automatic winter
promotion; coupon codes), a spa whose two therapists are appointment resources with
their working hours, and the booking terms (a 30 % deposit, the balance a week before
arrival, the moderate cancellation policy). The loyalty programme is
:func:`~staycore.testing.hotel.garden_rewards`, whose reward and win-back coupons the
rule set honours.

Example:
    >>> import staycore
    >>> from staycore.demo.homestay import open_homestay
    >>> from staycore.testing.clock import FrozenClock
    >>> app = staycore.bootstrap(store="memory", clock=FrozenClock("2026-01-01T05:00:00Z"))
    >>> homestay = open_homestay(app, 2026)
    >>> [(room.name, room.sleeps, room.rooms) for room in homestay.rooms]
    [('Garden double', 2, 2), ('Family suite', 4, 1), ('Loft', 2, 1)]
    >>> from staycore.kernel.time import Stay
    >>> from staycore.pricing.rate_plans import Guests
    >>> quote = app.pricing.quote(homestay.pricer("Garden double"),
    ...                           Stay.parse("2026-07-17/2026-07-19"), Guests(2))
    >>> print(quote.breakdown())
    2026-07-17  Garden double                    122.91
    2026-07-18  Garden double                    122.91
    fee         Cleaning                          25.00
    tax         City tax                           6.00
    total                                        EUR 276.82
    not applied Winter escape 10 %: it is for stays within 2026-01-01/2026-03-01

    Summer, weekend and early-bird rules make each night: 95.00 x 1.25 x 1.15 x 0.90.
    >>> [therapist.name for therapist in homestay.therapists]
    ['Ana (massage)', 'Louis (facials)']
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal
from typing import Final

import attrs

from staycore.application import Application
from staycore.availability.ids import PropertyId, ResourceId, UnitTypeId
from staycore.availability.nights import NightSelection
from staycore.availability.schedule import Resource, WorkingHours
from staycore.availability.search import Listing
from staycore.kernel.money import Money
from staycore.kernel.time import Stay
from staycore.orders.schedule import PaymentSchedule
from staycore.orders.terms import BookingTerms
from staycore.pricing.changes import PriceChange
from staycore.pricing.coupons import Coupon
from staycore.pricing.ids import PromotionId, RatePlanId
from staycore.pricing.promotions import DiscountKind, Promotion
from staycore.pricing.quote import Pricer
from staycore.pricing.rate_plans import RatePlan
from staycore.pricing.rules import (
    Fee,
    FeeBasis,
    LeadTime,
    LeadTimeRule,
    LengthOfStayRule,
    RuleSet,
    Season,
    Tax,
    WeekdayRule,
)
from staycore.pricing.schema import derived_id
from staycore.testing.hotel import POINTS_OFF, WELCOME_BACK, moderate_policy

__all__ = [
    "CURRENCY",
    "ROOM_TYPES",
    "SPRING_CODE",
    "TIMEZONE",
    "WELCOME_CODE",
    "Homestay",
    "RoomType",
    "Therapist",
    "open_homestay",
]

TIMEZONE: Final = "Europe/Paris"
"""Where the homestay is: its nights, deadlines and tiers are read in this timezone."""

CURRENCY: Final = "EUR"
"""What it charges in."""

SPRING_CODE: Final = "SPRING15"
"""15 % off a stay between March and May; forty uses."""

WELCOME_CODE: Final = "WELCOME20"
"""EUR 20 off, once per guest, from a EUR 600 budget."""


@attrs.frozen
class RoomType:
    """A kind of room the homestay sells: its name, who it sleeps, how many, from what price.

    Example:
        >>> from staycore.demo.homestay import ROOM_TYPES
        >>> loft = ROOM_TYPES[-1]
        >>> loft.name, str(loft.price)
        ('Loft', 'EUR 125.00')
    """

    name: str
    sleeps: int
    rooms: int
    price: Money


ROOM_TYPES: Final = (
    RoomType("Garden double", 2, 2, Money.of("95.00", CURRENCY)),
    RoomType("Family suite", 4, 1, Money.of("165.00", CURRENCY)),
    RoomType("Loft", 2, 1, Money.of("125.00", CURRENCY)),
)
"""The three room types: four rooms in all."""


@attrs.frozen
class Therapist:
    """A spa therapist: the appointment resource and what a treatment costs.

    Example:
        >>> from staycore.demo.homestay import THERAPISTS
        >>> [(t.treatment, str(t.price)) for t in THERAPISTS]
        [('massage', 'EUR 70.00'), ('facial', 'EUR 55.00')]
    """

    resource: Resource
    treatment: str
    price: Money

    @property
    def name(self) -> str:
        """The name staff and guests call the therapist by."""
        return self.resource.name


THERAPISTS: Final = (
    Therapist(
        Resource(
            id=derived_id(ResourceId, "ana", namespace="demo-spa"),
            name="Ana (massage)",
            timezone=TIMEZONE,
            hours=WorkingHours.weekly({"tue-sat": "10:00-13:00, 14:00-18:00"}),
            slot_minutes=60,
            buffer_minutes=15,
        ),
        "massage",
        Money.of("70.00", CURRENCY),
    ),
    Therapist(
        Resource(
            id=derived_id(ResourceId, "louis", namespace="demo-spa"),
            name="Louis (facials)",
            timezone=TIMEZONE,
            hours=WorkingHours.weekly({"mon": "10:00-16:00", "thu-sun": "09:00-13:00"}),
            slot_minutes=45,
            buffer_minutes=15,
        ),
        "facial",
        Money.of("55.00", CURRENCY),
    ),
)
"""The spa's two therapists, with their working hours."""


@attrs.frozen(eq=False)
class Homestay:
    """The homestay as set up for a year: its room types, prices, spa, terms and calendar.

    Attributes:
        year: The nights of the simulated year.
        rooms: The room types.
        unit_types: Each room type's unit type, by name.
        rules: The rule set every room type is priced under.
        therapists: The spa's therapists.
        terms: The booking terms every order is placed under.

    Example:
        See the module example.
    """

    year: Stay
    rooms: tuple[RoomType, ...]
    unit_types: dict[str, UnitTypeId]
    rules: RuleSet
    therapists: tuple[Therapist, ...]
    terms: BookingTerms
    _pricers: dict[str, Pricer] = attrs.field(alias="pricers")

    def pricer(self, room: str) -> Pricer:
        """The rate plan and rules of the room type called ``room``.

        Example:
            >>> from staycore.demo.homestay import open_homestay
            >>> import staycore
            >>> app = staycore.bootstrap(store="memory")
            >>> str(open_homestay(app, 2026).pricer("Loft").plan.base_price)
            'EUR 125.00'
        """
        return self._pricers[room]

    def room(self, unit_type: UnitTypeId) -> RoomType:
        """The room type sold as ``unit_type``."""
        name = next(name for name, known in self.unit_types.items() if known == unit_type)
        return next(room for room in self.rooms if room.name == name)

    def capacity(self, unit_type: UnitTypeId) -> int:
        """How many rooms of ``unit_type`` there are each night."""
        return self.room(unit_type).rooms


def rule_set(year: int) -> RuleSet:
    """The homestay's rules for ``year``.

    Seasons (winter low season -10 %, summer +25 %, the winter holidays +15 %), Friday
    and Saturday nights +15 %, -10 % for booking 45 days ahead, -10 % from five nights,
    member rates (Silver -5 %, Gold and Platinum -10 %), a EUR 60 floor, EUR 25 cleaning
    per stay, EUR 1.50 city tax per adult and night; a winter promotion that needs no
    code, :data:`SPRING_CODE`, :data:`WELCOME_CODE`, and the loyalty programme's reward
    and win-back promotions.

    Example:
        >>> from staycore.demo.homestay import rule_set
        >>> rules = rule_set(2026)
        >>> [season.name for season in rules.seasons]
        ['low season', 'summer', 'winter holidays']
        >>> [promotion.name for promotion in rules.promotions if not promotion.requires_code]
        ['Winter escape 10 %']
    """
    first = dt.date(year, 1, 1)
    eur = CURRENCY
    return RuleSet(
        version=f"{year}-homestay",
        currency=eur,
        timezone=TIMEZONE,
        seasons=[
            Season("low season", Stay(dt.date(year, 1, 5), dt.date(year, 3, 1)), _pct(-10)),
            Season("summer", Stay(dt.date(year, 6, 15), dt.date(year, 9, 15)), _pct(25)),
            Season(
                "winter holidays", Stay(dt.date(year, 12, 19), dt.date(year + 1, 1, 4)), _pct(15)
            ),
        ],
        weekdays=[WeekdayRule("weekend", {calendar.FRIDAY, calendar.SATURDAY}, _pct(15))],
        lead_time=[LeadTimeRule("early bird", LeadTime.EARLY_BIRD, 45, _pct(-10))],
        length_of_stay=[LengthOfStayRule(5, _pct(-10))],
        tiers={"Silver": _pct(-5), "Gold": _pct(-10), "Platinum": _pct(-10)},
        floor=Money.of("60.00", eur),
        fees=[Fee("Cleaning", Money.of("25.00", eur), FeeBasis.STAY)],
        taxes=[Tax.per_person_night("City tax", Money.of("1.50", eur), adults_only=True)],
        promotions=[
            Promotion(
                id=derived_id(PromotionId, "winter-escape", namespace="demo"),
                name="Winter escape 10 %",
                kind=DiscountKind.PERCENT,
                percent=Decimal(10),
                requires_code=False,
                min_nights=3,
                stay_dates=Stay(first, dt.date(year, 3, 1)),
            ),
            Promotion(
                id=_SPRING,
                name="Spring 15 %",
                kind=DiscountKind.PERCENT,
                percent=Decimal(15),
                stay_dates=Stay(dt.date(year, 3, 1), dt.date(year, 6, 1)),
            ),
            Promotion(
                id=_WELCOME,
                name="Welcome 20",
                kind=DiscountKind.AMOUNT,
                amount=Money.of("20.00", eur),
            ),
            Promotion(
                id=POINTS_OFF,
                name="Garden Rewards: EUR 10 off",
                kind=DiscountKind.AMOUNT,
                amount=Money.of("10.00", eur),
            ),
            Promotion(
                id=WELCOME_BACK,
                name="Welcome back 15 %",
                kind=DiscountKind.PERCENT,
                percent=Decimal(15),
            ),
        ],
    )


_SPRING: Final = derived_id(PromotionId, "spring-15", namespace="demo")
_WELCOME: Final = derived_id(PromotionId, "welcome-20", namespace="demo")


def open_homestay(app: Application, year: int) -> Homestay:
    """Set the homestay up for ``year`` through ``app``'s use cases, and return it.

    Opens each room type's calendar from 1 January to mid-January of the next year,
    sets its rooms and restrictions, saves the therapists, and adds the coupon codes.

    Example:
        See the module example.
    """
    nights = Stay(dt.date(year, 1, 1), dt.date(year + 1, 1, 15))
    home = PropertyId.new()
    rules = rule_set(year)
    unit_types: dict[str, UnitTypeId] = {}
    pricers: dict[str, Pricer] = {}
    for room in ROOM_TYPES:
        unit_type = UnitTypeId.new()
        app.availability.open_unit_type(Listing(home, unit_type, room.name, room.sleeps), nights)
        app.availability.set_capacity(unit_type, NightSelection.of(nights), room.rooms)
        # Two nights at least for a summer weekend arrival; no arrivals on Christmas Day.
        summer_weekends = NightSelection.between(
            dt.date(year, 6, 15), dt.date(year, 9, 15), weekdays={4, 5}
        )
        app.availability.restrict(unit_type, summer_weekends, min_stay_arrival=2)
        christmas = NightSelection.between(dt.date(year, 12, 25), dt.date(year, 12, 26))
        app.availability.restrict(unit_type, christmas, closed_to_arrival=True)
        unit_types[room.name] = unit_type
        plan = RatePlan(
            id=RatePlanId.new(), unit_type=unit_type, name=room.name, base_price=room.price
        )
        pricers[room.name] = Pricer(plan, rules)
    # The loft's shower is redone in November: no sales for a week.
    repairs = NightSelection.between(dt.date(year, 11, 2), dt.date(year, 11, 9))
    app.availability.restrict(unit_types["Loft"], repairs, stop_sell=True)
    for therapist in THERAPISTS:
        app.appointments.save_resource(therapist.resource)
    app.stores.coupons.add_coupons(
        [
            Coupon(code=SPRING_CODE, promotion=_SPRING, max_uses=40),
            Coupon(
                code=WELCOME_CODE,
                promotion=_WELCOME,
                max_uses_per_customer=1,
                budget=Money.of("600.00", CURRENCY),
            ),
        ]
    )
    return Homestay(
        year=Stay(dt.date(year, 1, 1), dt.date(year + 1, 1, 1)),
        rooms=ROOM_TYPES,
        unit_types=unit_types,
        rules=rules,
        therapists=THERAPISTS,
        terms=BookingTerms(
            timezone=TIMEZONE,
            schedule=PaymentSchedule.deposit_and_balance(Decimal(30), balance_days_before=7),
            cancellation=moderate_policy(),
        ),
        pricers=pricers,
    )


def _pct(value: int) -> PriceChange:
    return PriceChange.percent(value)
