"""The guests of the demo's year, and the trips they mean to make, drawn from a seed.

:func:`plan_year` draws a population of guests with habits (regulars who come back
every month or two, returners who come two or three times, one-timers, and drifters who
came often in the spring and then stopped) and, for each, the trips they mean to make:
when they book, which nights, for how many, and what will happen (a declined card, a
coupon, a massage, a cancellation, a change of dates, a no-show, a request to the
desk, a review). Everything comes from one :class:`random.Random` seeded with the
seed, in a fixed order, so that the same seed gives the same year.

The plan is what the guests *intend*; the simulation (:mod:`staycore.demo.year`) runs
it through the use cases, which may refuse some of it (the room is full, a coupon ran
out, a change of dates breaks a restriction).

Example:
    >>> from staycore.demo.guests import Habit, plan_year
    >>> plan = plan_year(seed=7, guests=40, days=365, year=2026)
    >>> len(plan.guests), len(plan.trips) > len(plan.guests)
    (40, True)
    >>> plan == plan_year(seed=7, guests=40, days=365, year=2026)
    True
    >>> plan.trips == plan_year(seed=8, guests=40, days=365, year=2026).trips
    False
    >>> import collections
    >>> sorted(collections.Counter(guest.habit.value for guest in plan.guests).items())
    [('drifter', 4), ('one-timer', 25), ('regular', 2), ('returner', 9)]
    >>> first = plan.trips[0]
    >>> plan.guests[first.guest].name, str(first.booked_on), str(first.stay), first.room
    ('Ana Dubois', '2026-01-01', '2026-01-02/2026-01-05', 'Family suite')
"""

from __future__ import annotations

import datetime as dt
import enum
import random
from typing import Final

import attrs

from staycore.kernel.errors import StaycoreError
from staycore.kernel.time import Stay

__all__ = ["Fate", "Guest", "Habit", "InvalidYearError", "Plan", "Request", "Trip", "plan_year"]

_SHORTEST: Final = 14  # days: enough for a trip to be booked, stayed and left


class InvalidYearError(StaycoreError):
    """The demo's year was asked for with a count of guests or days it cannot run.

    Example:
        >>> from staycore.demo.guests import plan_year
        >>> plan_year(seed=1, guests=10, days=3, year=2026)
        Traceback (most recent call last):
        ...
        staycore.demo.guests.InvalidYearError: [demo.invalid_year] days must be a whole
        number from 14 to 365 (the days of 2026), got 3
    """

    code = "demo.invalid_year"


class Habit(enum.Enum):
    """How often a guest comes back."""

    REGULAR = "regular"
    """Every month or two, for short stays."""
    RETURNER = "returner"
    """Two or three times a year."""
    ONE_TIMER = "one-timer"
    """Once."""
    DRIFTER = "drifter"
    """Often in the first months, then no more."""


# Shares of the population, and how many trips each habit makes in a year.
_HABITS: Final = (
    (Habit.ONE_TIMER, 62),
    (Habit.RETURNER, 20),
    (Habit.REGULAR, 7),
    (Habit.DRIFTER, 11),
)
_TRIPS: Final = {
    Habit.ONE_TIMER: (1, 1),
    Habit.RETURNER: (2, 3),
    Habit.REGULAR: (4, 6),
    Habit.DRIFTER: (2, 3),
}
_FIRST: Final = (
    "Mei", "Leo", "Ana", "Bo", "Ines", "Tom", "Sofia", "Karim", "Yuki", "Lena", "Omar", "Clara",
    "Hugo", "Nadia", "Pablo", "Elif", "Jonas", "Amara", "Luca", "Sara", "Noah", "Aiko", "Rosa",
    "Felix", "Maya", "Ivan", "Zoe", "Malik", "Greta", "Tariq",
)  # fmt: skip
_LAST: Final = (
    "Tan", "Martin", "Silva", "Dubois", "Moreau", "Keller", "Rossi", "Novak", "Haddad", "Berg",
    "Sato", "Costa", "Laurent", "Weber", "Garcia", "Ito", "Nielsen", "Fontaine", "Kaya", "Meyer",
)  # fmt: skip


@attrs.frozen
class Guest:
    """A guest of the year: who they are and how they behave.

    Attributes:
        number: Their place in the population, from 0.
        name: Their name (unique in the population).
        email: Their e-mail address.
        habit: How often they come.
        member: Whether they enrol in the loyalty programme at their first booking.
        consents: Whether a member agrees to marketing by e-mail (win-back offers).
        redeems: Whether a member spends points on rewards when they can.
        mood: How they rate what they find, from 1 (never pleased) to 5 (always).
    """

    number: int
    name: str
    email: str
    habit: Habit
    member: bool
    consents: bool
    redeems: bool
    mood: float


class Request(enum.Enum):
    """What a guest asks the desk during a stay, and how the desk copes."""

    HOUSEKEEPING = "housekeeping"
    """Towels, a pillow: resolved the same evening."""
    MAINTENANCE = "maintenance"
    """Something broken: resolved the next morning."""
    COMPLAINT = "complaint"
    """Resolved the next morning."""
    SLOW_COMPLAINT = "slow complaint"
    """Resolved two days later, past its deadline."""
    OPEN_COMPLAINT = "open complaint"
    """Never resolved."""

    @property
    def category(self) -> str:
        """The service desk category it is opened under."""
        return self.value.split()[-1]


@attrs.frozen(kw_only=True)
class Fate:
    """What happens on a trip, drawn in advance; the use cases decide what can.

    Attributes:
        looks: Other dates the guest searches before the ones they book.
        declined: The first card is declined (a test card that fails).
        abandons: After the decline, the guest gives up: the order expires unpaid.
        coupon: A code the guest types, if any (besides reward and win-back codes).
        spa: Which therapist the guest books, by position, if any.
        spa_pick: Which of the free slots they take, as a share from 0 to 1.
        cancel_on: The day the guest cancels, if they do.
        change_on: The day the guest asks to move the stay, if they do.
        shift: By how many days they move it.
        no_show: The guest never turns up.
        balance_at_desk: The guest ignores the reminder and pays the balance on arrival.
        request: What they ask the desk during the stay, if anything.
        review: Their scores for cleanliness, service, location and value, if they
            review the stay.
    """

    looks: int = 0
    declined: bool = False
    abandons: bool = False
    coupon: str | None = None
    spa: int | None = None
    spa_pick: float = 0.0
    cancel_on: dt.date | None = None
    change_on: dt.date | None = None
    shift: int = 0
    no_show: bool = False
    balance_at_desk: bool = False
    request: Request | None = None
    review: tuple[int, int, int, int] | None = None


@attrs.frozen
class Trip:
    """A stay a guest means to make: when they book it, the nights, the party, the room.

    Attributes:
        number: Its place among the year's trips, from 0, in booking order.
        guest: The guest, by number.
        booked_on: The day they book.
        stay: The nights they want.
        party: How many guests.
        room: The room type they look for first.
        fate: What happens next.
    """

    number: int
    guest: int
    booked_on: dt.date
    stay: Stay
    party: int
    room: str
    fate: Fate


@attrs.frozen
class Plan:
    """The year's guests and their trips, in booking order."""

    guests: tuple[Guest, ...]
    trips: tuple[Trip, ...]


def plan_year(*, seed: int, guests: int, days: int, year: int) -> Plan:
    """Draw ``guests`` guests and their trips over the first ``days`` days of ``year``.

    Arrivals lean towards summer and weekends; most guests book a few days ahead, a
    few up to two months ahead. A guest's trips never overlap.

    Args:
        seed: Seeds the draw: the same seed gives the same plan.
        guests: How many guests.
        days: How many days of the year are simulated (365 for the whole year).
        year: The calendar year.

    Raises:
        InvalidYearError: ``guests`` is negative, or ``days`` is under 14 or beyond the
            year.

    Example:
        See the module example.
    """
    first = dt.date(year, 1, 1)
    longest = (dt.date(year + 1, 1, 1) - first).days
    if isinstance(guests, bool) or not isinstance(guests, int) or guests < 0:
        msg = f"guests must be a whole number, 0 or more, got {guests!r}"
        raise InvalidYearError(msg)
    if isinstance(days, bool) or not isinstance(days, int) or not _SHORTEST <= days <= longest:
        msg = (
            f"days must be a whole number from {_SHORTEST} to {longest} (the days of {year}), "
            f"got {days!r}"
        )
        raise InvalidYearError(msg)
    rng = random.Random(seed)  # noqa: S311 - a seeded, repeatable draw, not a secret
    names = [f"{given} {family}" for family in _LAST for given in _FIRST]
    chosen = rng.sample(names, guests) if guests <= len(names) else _numbered(names, guests)
    population = []
    for number, name in enumerate(chosen):
        habit = rng.choices([h for h, _ in _HABITS], weights=[w for _, w in _HABITS])[0]
        member = rng.random() < (0.8 if habit in (Habit.REGULAR, Habit.DRIFTER) else 0.35)
        population.append(
            Guest(
                number=number,
                name=name,
                email=f"{name.lower().replace(' ', '.')}.{number}@example.com",
                habit=habit,
                member=member,
                consents=member and rng.random() < 0.7,
                redeems=member and rng.random() < 0.6,
                mood=(3.0 if habit is Habit.DRIFTER else 4.2) + rng.uniform(-0.8, 0.8),
            )
        )
    weights = [_weight(first + dt.timedelta(days=offset)) for offset in range(days)]
    drafts: list[tuple[dt.date, int, Stay, int, str, Fate]] = []
    last_quarter = first + dt.timedelta(days=days - 90)
    for guest in population:
        for index, (booked_on, stay) in enumerate(_trips(rng, guest, first, days, weights)):
            party = rng.choices([1, 2, 3, 4], weights=[15, 65, 10, 10])[0]
            room = (
                "Family suite"
                if party > 2
                else rng.choices(["Garden double", "Loft"], weights=[65, 35])[0]
            )
            fate = _fate(rng, guest, booked_on, stay, first_trip=index == 0)
            if fate.abandons and booked_on < last_quarter:
                # An order left unpaid expires, and an expired order stays open (money
                # may still arrive for it): every later sweep reads it. Guests give up
                # only in the last quarter, so that a few do without slowing the year.
                fate = attrs.evolve(fate, abandons=False)
            drafts.append((booked_on, guest.number, stay, party, room, fate))
    drafts.sort(key=lambda draft: (draft[0], draft[1], draft[2].check_in))
    trips = tuple(
        Trip(number, guest, booked_on, stay, party, room, fate)
        for number, (booked_on, guest, stay, party, room, fate) in enumerate(drafts)
    )
    return Plan(guests=tuple(population), trips=trips)


def _numbered(names: list[str], count: int) -> list[str]:
    """More guests than names: number them."""
    return [f"{names[n % len(names)]} {n // len(names) + 1}" for n in range(count)]


def _weight(day: dt.date) -> float:
    """How likely an arrival is on ``day``: summer and weekends draw more guests."""
    season = 3.0 if 6 <= day.month <= 8 else 1.5 if day.month in (4, 5, 9, 10, 12) else 1.0
    return season * (1.4 if day.weekday() in (3, 4, 5) else 1.0)


def _trips(
    rng: random.Random, guest: Guest, first: dt.date, days: int, weights: list[float]
) -> list[tuple[dt.date, Stay]]:
    """When ``guest`` books and which nights, for each of their trips, in date order."""
    low, high = _TRIPS[guest.habit]
    wanted = rng.randint(low, high)
    # Drifters come in the first 40 % of the year only; arrivals leave room to leave.
    last = max(int(days * 0.4), 10) if guest.habit is Habit.DRIFTER else days - 6
    offsets = range(1, max(last, 2))
    trips: list[tuple[dt.date, Stay]] = []
    for _ in range(wanted * 4):  # a few tries to place trips that do not overlap
        if len(trips) == wanted:
            break
        arrival = first + dt.timedelta(
            days=rng.choices(offsets, weights=weights[1 : max(last, 2)])[0]
        )
        short = guest.habit is Habit.REGULAR
        nights = rng.choices([1, 2, 3, 4, 5, 7], weights=[10, 25, 25, 15, 10, 15])[0]
        nights = min(nights, 3) if short else nights
        stay = Stay(arrival, arrival + dt.timedelta(days=nights))
        if stay.check_out > first + dt.timedelta(days=days):
            continue
        lead = int(rng.uniform(40, 60)) if rng.random() < 0.03 else int(rng.expovariate(1 / 3.5))
        booked_on = max(first, arrival - dt.timedelta(days=lead))
        clear = all(
            stay.check_out + dt.timedelta(days=10) <= other.check_in
            or other.check_out + dt.timedelta(days=10) <= stay.check_in
            for _, other in trips
        )
        if clear:
            trips.append((booked_on, stay))
    return sorted(trips, key=lambda trip: trip[1].check_in)


def _fate(
    rng: random.Random, guest: Guest, booked_on: dt.date, stay: Stay, *, first_trip: bool
) -> Fate:
    """What happens on one trip."""
    lead = (stay.check_in - booked_on).days
    looks = rng.choices([0, 1, 2, 3], weights=[30, 30, 25, 15])[0]
    declined = rng.random() < 0.08
    abandons = declined and rng.random() < 0.3
    coupon = None
    if 3 <= stay.check_in.month <= 5 and rng.random() < 0.35:
        coupon = "SPRING15"
    elif first_trip and rng.random() < 0.12:
        coupon = "WELCOME20"
    spa = rng.randrange(2) if rng.random() < 0.25 else None
    spa_pick = rng.random()
    cancel_on = None
    if lead >= 1 and rng.random() < 0.10:
        cancel_on = booked_on + dt.timedelta(days=rng.randint(1, lead))
    change_on, shift = None, 0
    if cancel_on is None and spa is None and lead >= 3 and rng.random() < 0.08:
        change_on = booked_on + dt.timedelta(days=rng.randint(1, lead - 1))
        shift = rng.choice([-3, -2, -1, 1, 2, 3, 5, 7])
    no_show = cancel_on is None and rng.random() < 0.03
    complaint = 0.5 if guest.habit is Habit.DRIFTER else 0.2
    request = None
    if rng.random() < 0.22:
        if rng.random() < complaint:
            request = rng.choices(
                [Request.COMPLAINT, Request.SLOW_COMPLAINT, Request.OPEN_COMPLAINT],
                weights=[65, 20, 15] if guest.habit is not Habit.DRIFTER else [35, 25, 40],
            )[0]
        else:
            request = rng.choice([Request.HOUSEKEEPING, Request.MAINTENANCE])
    review = None
    if rng.random() < 0.45:
        unhappy = 1.2 if request in _COMPLAINTS else 0.0
        review = (
            _score(rng, guest.mood - unhappy),
            _score(rng, guest.mood - unhappy),
            _score(rng, guest.mood + 0.4),
            _score(rng, guest.mood - 0.2),
        )
    return Fate(
        looks=looks,
        declined=declined,
        abandons=abandons,
        coupon=coupon,
        spa=spa,
        spa_pick=spa_pick,
        cancel_on=cancel_on,
        change_on=change_on,
        shift=shift,
        no_show=no_show,
        balance_at_desk=rng.random() < 0.1,
        request=request,
        review=review,
    )


_COMPLAINTS: Final = frozenset({Request.COMPLAINT, Request.SLOW_COMPLAINT, Request.OPEN_COMPLAINT})


def _score(rng: random.Random, mood: float) -> int:
    """A score from 1 to 5 around ``mood``."""
    return max(1, min(5, round(mood + rng.uniform(-0.7, 0.7))))
