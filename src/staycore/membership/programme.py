"""A loyalty programme as data: tiers, earning, expiry, rewards, tags and triggers.

A host keeps its programme as one document, in JSON or YAML, and reads it with
:func:`load_programme` (or :meth:`LoyaltyProgramme.from_data` for values already
parsed). The document is checked in full: :class:`InvalidProgrammeError` lists every
problem at once with where it is (``tiers.levels[2].qualify.nights``). A document that
reads gives the domain's own values: a :class:`~staycore.membership.tiers.TierProgram`,
:class:`~staycore.membership.earning.EarningRules`, an
:class:`~staycore.membership.points.ExpiryPolicy`, the :class:`Reward` catalogue, the
:class:`~staycore.membership.tags.TagRule` list and the
:class:`~staycore.membership.triggers.TriggerSettings`.

Rewards and the win-back coupon unlock promotions of the host's pricing document, named
by their keys there: a reward of EUR 10 off is a promotion of EUR 10 off in pricing,
redeemed with a one-use coupon code that the loyalty use case issues when the member
spends the points. That keeps one place where discounts are defined and explained.

Example:
    >>> from staycore.membership.programme import load_programme
    >>> programme = load_programme('''
    ... schema_version: 1
    ... name: Lotus Rewards
    ... currency: EUR
    ... timezone: Europe/Paris
    ... earning: {points_per_unit: 10, review_bonus: 100, sign_in: {points: 5}}
    ... expiry: {inactivity_months: 24}
    ... tiers:
    ...   levels:
    ...     - {name: Member}
    ...     - {name: Silver, qualify: {nights: 10}, benefits: {bonus_percent: 10}}
    ...     - name: Gold
    ...       qualify: {nights: 25, stays: 12}
    ...       benefits: {bonus_percent: 25, late_checkout: "14:00"}
    ... rewards:
    ...   - {name: EUR 10 off, points: 1000, promotion: points-10}
    ... triggers: {win_back_promotion: welcome-back, upgrade_tiers: [Gold]}
    ... ''')
    >>> [tier.name for tier in programme.tiers.tiers]
    ['Member', 'Silver', 'Gold']
    >>> programme.reward("EUR 10 off").points, programme.earning.points_per_unit
    (1000, Decimal('10'))
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any, Final, Literal, TypeVar

import attrs
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from staycore.kernel.documents import UnreadableDocumentError, document_path, read_document
from staycore.kernel.errors import StaycoreError
from staycore.kernel.money import Money
from staycore.kernel.time import timezone
from staycore.membership.earning import EarningRules, PointsPromotion, SignInRule
from staycore.membership.errors import LoyaltyError
from staycore.membership.points import ExpiryPolicy
from staycore.membership.tags import InvalidTagRuleError, TagRule, parse_tag_rules
from staycore.membership.tiers import (
    Benefits,
    CalendarYear,
    RollingWindow,
    Threshold,
    Tier,
    TierProgram,
    ValidFor,
    ValidThrough,
)
from staycore.membership.triggers import TriggerSettings
from staycore.pricing.ids import PromotionId
from staycore.pricing.schema import derived_id

__all__ = [
    "InvalidProgrammeError",
    "LoyaltyProgramme",
    "ProgrammeData",
    "Reward",
    "UnknownRewardError",
    "load_programme",
]

T = TypeVar("T")
_AMOUNT: Final = re.compile(r"^\s*\d+(\.\d+)?\s*$")


class InvalidProgrammeError(LoyaltyError):
    """A programme document does not read: every problem, each with where it is.

    Attributes:
        problems: ``(path, message)`` pairs; the path is empty for the document as a whole.
        source: The file the document came from, or ``""``.

    Example:
        >>> from staycore.membership.programme import InvalidProgrammeError
        >>> print(InvalidProgrammeError([("tiers.levels", "at least one tier")]).message)
        the loyalty programme has 1 problem:
          tiers.levels: at least one tier
    """

    code = "loyalty.invalid_programme"

    def __init__(self, problems: Iterable[tuple[str, str]], *, source: str = "") -> None:
        self.problems: tuple[tuple[str, str], ...] = tuple(problems)
        self.source = source
        count = len(self.problems)
        what = f"loyalty programme {source}" if source else "the loyalty programme"
        lines = [f"{what} has {count} problem{'s' if count != 1 else ''}:"]
        lines += [f"  {path}: {text}" if path else f"  {text}" for path, text in self.problems]
        super().__init__("\n".join(lines))

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.problems, self.source))


def _rebuild(problems: tuple[tuple[str, str], ...], source: str) -> InvalidProgrammeError:
    return InvalidProgrammeError(problems, source=source)


class UnknownRewardError(LoyaltyError):
    """The programme has no reward of that name."""

    code = "loyalty.unknown_reward"


@attrs.frozen(kw_only=True)
class Reward:
    """What a member can spend points on.

    Attributes:
        name: How the guest sees it (``"EUR 10 off"``); unique in the programme.
        points: What it costs.
        promotion: The pricing promotion a one-use coupon for it unlocks (a discount at
            quote time), or ``None`` for a reward the host hands over (a spa treatment).
        description: More words for the guest app.

    Example:
        >>> from staycore.membership.programme import Reward
        >>> Reward(name="Spa treatment", points=5000).promotion is None
        True
    """

    name: str
    points: int
    promotion: PromotionId | None = None
    description: str = ""


# -- the document's shape ------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Number = int | Decimal | str


class PromotionData(_Model):
    """A points promotion: a multiplier on base points for stays in a window of dates."""

    name: str
    multiplier: Number
    start: dt.date = Field(alias="from")
    end: dt.date = Field(alias="until")
    channels: list[str] = []


class SignInData(_Model):
    """Daily sign-in points."""

    points: int


class EarningData(_Model):
    """How points are earned."""

    points_per_unit: Number
    referral_bonus: int = 0
    review_bonus: int = 0
    sign_in: SignInData | None = None
    promotions: list[PromotionData] = []


class ExpiryData(_Model):
    """When points expire: one of the two, or neither (never)."""

    lifetime_months: int | None = None
    inactivity_months: int | None = None
    inactivity_months_by_tier: dict[str, int] = {}


class QualifyData(_Model):
    """A tier's thresholds: any one of nights, stays, spend; and a spend if given."""

    nights: int | None = None
    stays: int | None = None
    spend: Number | None = None
    and_spend: Number | None = None


class BenefitsData(_Model):
    """What a tier gives."""

    bonus_percent: Number = 0
    member_rate_plan: str | None = None
    late_checkout: dt.time | None = None
    upgrade_on_arrival: bool = False
    welcome_amenity: str | None = None


class LevelData(_Model):
    """One tier; the first has no ``qualify``: every member holds it."""

    name: str
    qualify: QualifyData | None = None
    benefits: BenefitsData = BenefitsData()


class TiersData(_Model):
    """The tiers and how they are kept."""

    window: Literal["calendar_year"] | int = "calendar_year"
    """``calendar_year``, or a rolling window of that many days."""
    valid_through: dict[str, int] = {"month": 2, "years_after": 2}
    """``{month, years_after}``: to the end of that month; or ``{days}``: that long."""
    soft_landing: int | None = 1
    levels: list[LevelData]


class RewardData(_Model):
    """A reward, with the key of the pricing promotion it unlocks, if any."""

    name: str
    points: int
    promotion: str | None = None
    description: str = ""


class TriggersData(_Model):
    """When the triggers fire, and the promotion a win-back coupon unlocks."""

    birthday_days_before: int = 3
    win_back_after_days: int = 182
    win_back_promotion: str | None = None
    tier_expiry_days_before: int = 60
    points_expiry_days_before: int = 30
    upgrade_tiers: list[str] = []


class ProgrammeData(_Model):
    """A loyalty programme document, as a pydantic model (``model_json_schema()``)."""

    schema_version: Literal[1]
    name: str
    currency: str
    timezone: str
    earning: EarningData
    expiry: ExpiryData = ExpiryData()
    tiers: TiersData
    rewards: list[RewardData] = []
    tags: list[dict[str, Any]] = []
    triggers: TriggersData = TriggersData()


# -- the programme ------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class LoyaltyProgramme:
    """A loyalty programme: everything the loyalty use cases decide by.

    Attributes:
        name: The programme's name.
        timezone: The calendar its days (birthdays, sign-ins, tier ends) are counted in.
        tiers: The tiers and how members qualify and keep them.
        earning: How points are earned.
        expiry: When points expire.
        rewards: What points buy.
        tag_rules: The tags profiles get.
        triggers: When the triggers fire.
        win_back_promotion: The promotion a win-back coupon unlocks, or ``None`` for a
            win-back message without a coupon.
    """

    name: str
    timezone: str
    tiers: TierProgram
    earning: EarningRules
    expiry: ExpiryPolicy
    rewards: tuple[Reward, ...] = ()
    tag_rules: tuple[TagRule, ...] = ()
    triggers: TriggerSettings = attrs.field(factory=TriggerSettings)
    win_back_promotion: PromotionId | None = None

    def reward(self, name: str) -> Reward:
        """The reward called ``name``.

        Raises:
            UnknownRewardError: There is none; the message lists those there are.

        Example:
            Continuing the module example above:

            >>> programme.reward("Free night")
            Traceback (most recent call last):
            ...
            staycore.membership.programme.UnknownRewardError: [loyalty.unknown_reward] ...
        """
        for reward in self.rewards:
            if reward.name == name:
                return reward
        known = ", ".join(repr(r.name) for r in self.rewards) or "none"
        msg = f"the programme has no reward {name!r}; its rewards are {known}"
        raise UnknownRewardError(msg)

    @classmethod
    def from_data(cls, data: object, *, source: str = "") -> LoyaltyProgramme:
        """Read a programme from parsed values (a mapping, as JSON or YAML gives).

        Raises:
            InvalidProgrammeError: Every problem, each with where it is.

        Example:
            >>> from staycore.membership.programme import LoyaltyProgramme
            >>> LoyaltyProgramme.from_data({"schema_version": 1})
            Traceback (most recent call last):
            ...
            staycore.membership.programme.InvalidProgrammeError: [loyalty.invalid_programme] ...
        """
        try:
            parsed = ProgrammeData.model_validate(data)
        except ValidationError as error:
            problems = [(document_path(e["loc"]), e["msg"]) for e in error.errors()]
            raise InvalidProgrammeError(problems, source=source) from None
        return _Builder(parsed, source).build()


def load_programme(
    source: str | os.PathLike[str],
    *,
    format: Literal["json", "yaml"] | None = None,
) -> LoyaltyProgramme:
    """Read a programme document from its text, or from a file.

    Args:
        source: The document's text (a ``str``), or a path.
        format: ``"json"`` or ``"yaml"``; by default guessed as
            :func:`~staycore.kernel.documents.read_document` does. YAML needs PyYAML
            (``pip install 'staycore[yaml]'``).

    Raises:
        InvalidProgrammeError: The text does not read, or the document has problems.

    Example:
        See the module example.
    """
    try:
        data, name = read_document(source, format=format, reader="load_programme")
    except UnreadableDocumentError as error:
        raise InvalidProgrammeError(error.problems, source=error.source) from None
    return LoyaltyProgramme.from_data(data, source=name)


class _Builder:
    """Turns a parsed document into domain values, gathering every problem on the way."""

    def __init__(self, data: ProgrammeData, source: str) -> None:
        self.data = data
        self.source = source
        self.problems: list[tuple[str, str]] = []

    def attempt(self, path: str, make: Callable[[], T]) -> T | None:
        """``make()``, or ``None`` with its error recorded as a problem at ``path``."""
        try:
            return make()
        except InvalidTagRuleError as error:
            self.problems += [(f"{path}{p}", m) for p, m in error.problems]
        except StaycoreError as error:
            self.problems.append((path, error.message))
        return None

    def money(self, value: Number | None, path: str) -> Money | None:
        if value is None:
            return None
        text = str(value)
        if not _AMOUNT.match(text):
            self.problems.append((path, f'must be an amount such as "1200.00", got {text!r}'))
            return None
        return self.attempt(path, lambda: Money.of(text, self.data.currency))

    def build(self) -> LoyaltyProgramme:
        data = self.data
        self.attempt("timezone", lambda: timezone(data.timezone))
        earning = self.attempt("earning", self.earning)
        expiry = self.attempt("expiry", self.expiry)
        tiers = self.tiers()
        made = [self.reward(index) for index in range(len(data.rewards))]
        rewards = tuple(reward for reward in made if reward is not None)
        names = [r.name for r in rewards]
        for name in {n for n in names if names.count(n) > 1}:
            self.problems.append(("rewards", f"the reward {name!r} is named twice"))
        tag_rules = self.attempt("tags", lambda: parse_tag_rules(data.tags))
        t = data.triggers
        triggers = self.attempt(
            "triggers",
            lambda: TriggerSettings(
                birthday_days_before=t.birthday_days_before,
                win_back_after_days=t.win_back_after_days,
                tier_expiry_days_before=t.tier_expiry_days_before,
                points_expiry_days_before=t.points_expiry_days_before,
                upgrade_tiers=t.upgrade_tiers,
            ),
        )
        if tiers is not None:
            known = {tier.name for tier in tiers.tiers}
            for name in t.upgrade_tiers:
                if name not in known:
                    self.problems.append(
                        (
                            "triggers.upgrade_tiers",
                            f"no tier {name!r}; the tiers are {sorted(known)}",
                        )
                    )
        if self.problems:
            raise InvalidProgrammeError(self.problems, source=self.source)
        if earning is None or expiry is None or tiers is None or tag_rules is None:
            raise AssertionError(self.problems)  # pragma: no cover - each recorded a problem
        if triggers is None:
            raise AssertionError(self.problems)  # pragma: no cover - it recorded a problem
        return LoyaltyProgramme(
            name=data.name,
            timezone=data.timezone,
            tiers=tiers,
            earning=earning,
            expiry=expiry,
            rewards=rewards,
            tag_rules=tag_rules,
            triggers=triggers,
            win_back_promotion=_promotion(t.win_back_promotion),
        )

    def earning(self) -> EarningRules:
        e = self.data.earning
        return EarningRules(
            currency=self.data.currency,
            points_per_unit=e.points_per_unit,
            referral_bonus=e.referral_bonus,
            review_bonus=e.review_bonus,
            sign_in=None if e.sign_in is None else SignInRule(points=e.sign_in.points),
            promotions=[
                PointsPromotion(
                    name=p.name,
                    multiplier=p.multiplier,
                    start=p.start,
                    end=p.end,
                    channels=p.channels,
                )
                for p in e.promotions
            ],
        )

    def expiry(self) -> ExpiryPolicy:
        x = self.data.expiry
        if x.lifetime_months is not None and x.inactivity_months is not None:
            msg = "give lifetime_months or inactivity_months, not both"
            raise InvalidProgrammeError([("", msg)])
        if x.lifetime_months is not None:
            return ExpiryPolicy.lifetime(months=x.lifetime_months)
        if x.inactivity_months is not None:
            return ExpiryPolicy.inactivity(
                months=x.inactivity_months, by_tier=x.inactivity_months_by_tier
            )
        return ExpiryPolicy.never()

    def tiers(self) -> TierProgram | None:
        t = self.data.tiers
        levels: list[Tier] = []
        for index, level in enumerate(t.levels):
            path = f"tiers.levels[{index}]"
            made = self.attempt(path, functools.partial(self.level, level, path))
            if made is not None:
                levels.append(made)
        window: CalendarYear | RollingWindow | None = CalendarYear()
        if t.window != "calendar_year":
            days = int(t.window)
            window = self.attempt("tiers.window", lambda: RollingWindow(days=days))
        validity = self.attempt("tiers.valid_through", lambda: _validity(t.valid_through))
        if len(levels) != len(t.levels) or window is None or validity is None:
            return None
        return self.attempt(
            "tiers",
            lambda: TierProgram(
                tiers=levels,
                currency=self.data.currency,
                window=window,
                validity=validity,
                soft_landing=t.soft_landing,
            ),
        )

    def level(self, level: LevelData, path: str) -> Tier:
        q = level.qualify
        threshold = None
        if q is not None:
            spend = self.money(q.spend, f"{path}.qualify.spend")
            and_spend = self.money(q.and_spend, f"{path}.qualify.and_spend")
            threshold = Threshold(nights=q.nights, stays=q.stays, spend=spend, and_spend=and_spend)
        b = level.benefits
        benefits = Benefits(
            bonus_percent=b.bonus_percent,
            member_rate_plan=b.member_rate_plan,
            late_checkout=b.late_checkout,
            upgrade_on_arrival=b.upgrade_on_arrival,
            welcome_amenity=b.welcome_amenity,
        )
        return Tier(name=level.name, threshold=threshold, benefits=benefits)

    def reward(self, index: int) -> Reward | None:
        r = self.data.rewards[index]
        if r.points < 1:
            self.problems.append((f"rewards[{index}].points", "must be 1 or more"))
            return None
        if not r.name.strip():
            self.problems.append((f"rewards[{index}].name", "must not be blank"))
            return None
        return Reward(
            name=r.name,
            points=r.points,
            promotion=_promotion(r.promotion),
            description=r.description,
        )


def _validity(rule: Mapping[str, int]) -> ValidThrough | ValidFor:
    if set(rule) == {"days"}:
        return ValidFor(days=rule["days"])
    if set(rule) == {"month", "years_after"}:
        return ValidThrough(month=rule["month"], years_after=rule["years_after"])
    msg = f"write {{month, years_after}} or {{days}}, not {sorted(rule)}"
    raise InvalidProgrammeError([("", msg)])


def _promotion(key: str | None) -> PromotionId | None:
    """The id pricing gives the promotion of ``key`` (see :func:`derived_id`)."""
    return None if key is None else derived_id(PromotionId, key)
