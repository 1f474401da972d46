"""Coupons: the codes guests type, and how often and how far each code may be used.

A :class:`Coupon` is a code (``SUMMER10``) that unlocks a promotion
(:mod:`staycore.pricing.promotions`). What discount it gives, when and on which stays is
the quote's business; this module does the *counting*. Each coupon may have:

* ``max_uses``: how many orders may use the code at once, over all customers;
* ``max_uses_per_customer``: how many of those one customer may have;
* ``budget``: how much discount the code may give in all, summed over its orders.

An order redeems a code with a :class:`RedemptionRequest`, carrying the discount its
quote gave. A :class:`Redemption` is keyed by code and order: it is *live* (``redeemed``)
and counts against every limit until the order is cancelled, when it is ``released`` and
gives its use and its discount back. :class:`CouponUsage` is what a code has used so far,
and its :meth:`CouponUsage.redeemed` and :meth:`CouponUsage.released` state the rules
once; the stores that apply them atomically implement
:class:`staycore.ports.coupons.CouponStore`.

Codes are letters and digits, and guests type them sloppily: :func:`normalize_code`
makes ``" summer-10"`` and ``"SUMMER10"`` the same code. :func:`issue_codes` draws
batches of unique codes that cannot be misread.

Example:
    >>> from staycore.kernel.ids import Identifier
    >>> from staycore.kernel.money import Money
    >>> from staycore.pricing.coupons import Coupon, CouponUsage, RedemptionRequest
    >>> from staycore.pricing.ids import PromotionId
    >>> coupon = Coupon(
    ...     code="summer-10",
    ...     promotion=PromotionId("promo_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"),
    ...     max_uses=100,
    ...     max_uses_per_customer=1,
    ...     budget=Money.of("500.00", "EUR"),
    ... )
    >>> coupon.code
    'SUMMER10'
    >>> guest = Identifier("cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7")
    >>> request = RedemptionRequest(
    ...     code="SUMMER10",
    ...     order=Identifier("ord_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"),
    ...     customer=guest,
    ...     discount=Money.of("48.00", "EUR"),
    ... )
    >>> usage = CouponUsage(coupon=coupon, customer=guest).redeemed(request)
    >>> usage.remaining_uses, usage.remaining_budget, usage.remaining_for_customer
    (99, Money('452.00', 'EUR'), 0)
"""

from __future__ import annotations

import enum
import random
import re
import secrets
import unicodedata
from collections.abc import Collection
from typing import Final

import attrs

from staycore.kernel.currency import Currency
from staycore.kernel.errors import CurrencyMismatchError
from staycore.kernel.ids import Identifier
from staycore.kernel.money import Money
from staycore.pricing.errors import PricingError
from staycore.pricing.ids import PromotionId

__all__ = [
    "CODE_ALPHABET",
    "MAX_BATCH",
    "MAX_CODE_LENGTH",
    "BudgetExhaustedError",
    "Coupon",
    "CouponExhaustedError",
    "CouponUsage",
    "CustomerLimitReachedError",
    "DuplicateCouponError",
    "DuplicateRedemptionError",
    "InvalidCodeBatchError",
    "InvalidCouponCodeError",
    "InvalidCouponError",
    "InvalidRedemptionError",
    "Redemption",
    "RedemptionRequest",
    "RedemptionStatus",
    "UnknownCouponError",
    "issue_codes",
    "normalize_code",
]

CODE_ALPHABET: Final = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
"""The 31 characters of issued codes: digits and capitals without 0/O, 1/I/L."""

MAX_CODE_LENGTH: Final = 64
"""The longest code, prefix included, after normalizing."""

MAX_BATCH: Final = 1_000_000
"""The most codes :func:`issue_codes` draws in one call."""

# What guests type between the characters of a code: spaces and hyphens (or the dashes
# a phone's keyboard turns them into), of any width once NFKC-normalized.
_TYPED_NOISE: Final = re.compile(r"[\s\-\u2010-\u2015\u2212]+")
_CODE: Final = re.compile(r"[A-Z0-9]+")
_NOT_CODE: Final = re.compile(r"[^A-Z0-9]")


# -- errors ----------------------------------------------------------------------------


class InvalidCouponCodeError(PricingError):
    """A coupon code is empty, too long, or has characters other than letters and digits."""

    code = "pricing.invalid_coupon_code"


class InvalidCodeBatchError(PricingError):
    """A batch of codes cannot be issued: a bad count or length, or too few codes left."""

    code = "pricing.invalid_code_batch"


class InvalidCouponError(PricingError):
    """A coupon's limits or budget, or the counts of its usage, are out of range."""

    code = "pricing.invalid_coupon"


class InvalidRedemptionError(PricingError):
    """A redemption asks for a discount that is not positive, or is applied to the wrong usage."""

    code = "pricing.invalid_redemption"


class UnknownCouponError(PricingError):
    """No coupon with this code was added to the store: mistyped, or never issued."""

    code = "pricing.unknown_coupon"


class DuplicateCouponError(PricingError):
    """A code is already taken by a different coupon; nothing of the batch was added."""

    code = "pricing.coupon_exists"


class CouponExhaustedError(PricingError):
    """The coupon has no uses left; nothing was counted.

    Attributes:
        coupon_code: The coupon's code.
        max_uses: How many live uses the coupon allows in all.

    Example:
        >>> from staycore.pricing.coupons import CouponExhaustedError
        >>> print(CouponExhaustedError("SUMMER10", 100).message)
        coupon SUMMER10 is in use by all the 100 orders it may serve; quote the order
        without it (a cancelled order gives its use back)
    """

    code = "pricing.coupon_exhausted"

    def __init__(self, coupon_code: str, max_uses: int) -> None:
        super().__init__(
            f"coupon {coupon_code} is in use by all the {max_uses} orders it may serve; "
            "quote the order without it (a cancelled order gives its use back)"
        )
        self.coupon_code = coupon_code
        self.max_uses = max_uses


class CustomerLimitReachedError(PricingError):
    """The customer has used the coupon as often as one customer may; nothing was counted.

    Attributes:
        coupon_code: The coupon's code.
        customer: The customer.
        limit: How many live uses one customer may have.

    Example:
        >>> from staycore.kernel.ids import Identifier
        >>> from staycore.pricing.coupons import CustomerLimitReachedError
        >>> guest = Identifier("cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7")
        >>> print(CustomerLimitReachedError("SUMMER10", guest, 1).message)
        customer cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7 already uses coupon SUMMER10 on 1 order,
        as many as one customer may; quote the order without it
    """

    code = "pricing.customer_limit_reached"

    def __init__(self, coupon_code: str, customer: Identifier, limit: int) -> None:
        orders = "order" if limit == 1 else "orders"
        super().__init__(
            f"customer {customer} already uses coupon {coupon_code} on {limit} {orders}, "
            "as many as one customer may; quote the order without it"
        )
        self.coupon_code = coupon_code
        self.customer = customer
        self.limit = limit


class BudgetExhaustedError(PricingError):
    """The coupon's budget has less left than the discount asked for; nothing was counted.

    Attributes:
        coupon_code: The coupon's code.
        remaining: What is left of the budget.
        wanted: The discount the order asked for.

    Example:
        >>> from staycore.kernel.money import Money
        >>> from staycore.pricing.coupons import BudgetExhaustedError
        >>> error = BudgetExhaustedError(
        ...     "SUMMER10", remaining=Money.of("15.00", "EUR"), wanted=Money.of("48.00", "EUR")
        ... )
        >>> error.remaining
        Money('15.00', 'EUR')
        >>> print(error.message)
        coupon SUMMER10 has EUR 15.00 of its budget left, less than the EUR 48.00 discount
        asked for; quote the order without it
    """

    code = "pricing.budget_exhausted"

    def __init__(self, coupon_code: str, *, remaining: Money, wanted: Money) -> None:
        super().__init__(
            f"coupon {coupon_code} has {remaining} of its budget left, less than the "
            f"{wanted} discount asked for; quote the order without it"
        )
        self.coupon_code = coupon_code
        self.remaining = remaining
        self.wanted = wanted


class DuplicateRedemptionError(PricingError):
    """The order already redeemed the code with another customer or discount.

    Attributes:
        existing: The live redemption of the code by the order.

    Example:
        Continuing the module example above:

        >>> from staycore.pricing.coupons import DuplicateRedemptionError
        >>> import attrs
        >>> error = DuplicateRedemptionError(
        ...     request.to_redemption(), attrs.evolve(request, discount=Money.of("50", "EUR"))
        ... )
        >>> print(error.message)
        order ord_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7 already redeemed coupon SUMMER10 for
        cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7 with a discount of EUR 48.00, not EUR 50 for
        cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7; a retry must repeat the first request. To
        change the discount, release the redemption first, then redeem again
    """

    code = "pricing.duplicate_redemption"

    def __init__(self, existing: Redemption, request: RedemptionRequest) -> None:
        super().__init__(
            f"order {existing.order} already redeemed coupon {existing.code} for "
            f"{existing.customer} with a discount of {existing.discount}, not "
            f"{request.discount} for {request.customer}; a retry must repeat the first "
            "request. To change the discount, release the redemption first, then redeem again"
        )
        self.existing = existing


# -- codes -----------------------------------------------------------------------------


def normalize_code(text: str) -> str:
    """Return a coupon code as it is stored: upper case, without spaces and hyphens.

    Guests copy codes from emails and type them on phones: ``" summer-10"``,
    ``"Summer 10"`` and ``"SUMMER10"`` typed in full-width characters (as East Asian
    keyboards do) are all ``"SUMMER10"``: the text is NFKC-normalized, then spaces and
    hyphens are dropped and letters upper-cased. What remains must be ASCII letters and
    digits, at most :data:`MAX_CODE_LENGTH` of them. Look-alike characters are kept as
    typed: ``O`` and ``0`` are different codes, which is why :func:`issue_codes` never
    uses either.

    Args:
        text: The code as typed.

    Returns:
        The normalized code.

    Raises:
        InvalidCouponCodeError: Nothing is left, the code is too long, or it has other
            characters than letters, digits, spaces and hyphens.

    Example:
        >>> from staycore.pricing.coupons import normalize_code
        >>> normalize_code(" summer-10 "), normalize_code("Summer 10")
        ('SUMMER10', 'SUMMER10')
        >>> normalize_code("10%OFF")
        Traceback (most recent call last):
        ...
        staycore.pricing.coupons.InvalidCouponCodeError: [pricing.invalid_coupon_code] ...
    """
    if not isinstance(text, str):
        msg = f"a coupon code must be text such as 'SUMMER10'; got {text!r}"
        raise InvalidCouponCodeError(msg)
    code = _TYPED_NOISE.sub("", unicodedata.normalize("NFKC", text)).upper()
    if not code:
        msg = f"a coupon code needs at least one letter or digit; got {text!r}"
        raise InvalidCouponCodeError(msg)
    if not _CODE.fullmatch(code):
        bad = "".join(sorted(set(_NOT_CODE.findall(code))))
        msg = (
            f"coupon code {text!r} has characters other than letters A-Z and digits: "
            f"{bad!r}; a code is letters and digits (spaces and hyphens are ignored)"
        )
        raise InvalidCouponCodeError(msg)
    if len(code) > MAX_CODE_LENGTH:
        msg = (
            f"coupon code {text!r} has {len(code)} letters and digits, more than the "
            f"{MAX_CODE_LENGTH} a code may have"
        )
        raise InvalidCouponCodeError(msg)
    return code


def _batch_number(value: int, what: str, *, most: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= most:
        msg = f"{what} must be a whole number from 1 to {most:,}; got {value!r}"
        raise InvalidCodeBatchError(msg)
    return value


def _normalized_or_none(text: str) -> str | None:
    try:
        return normalize_code(text)
    except InvalidCouponCodeError:
        return None  # cannot be any issued code


def issue_codes(
    count: int,
    *,
    prefix: str = "",
    length: int = 8,
    rng: random.Random | None = None,
    avoid: Collection[str] = (),
) -> tuple[str, ...]:
    """Draw ``count`` different coupon codes: ``prefix`` then ``length`` random characters.

    The random characters come from :data:`CODE_ALPHABET`, which has no 0/O and no 1/I/L,
    so a code read aloud or from a printed card is typed right. They are drawn from the
    operating system's secure source (:mod:`secrets`), so codes cannot be predicted from
    codes seen; pass a seeded :class:`random.Random` only for tests and demos.

    Codes are different within the batch and from every code in ``avoid``; two batches
    of ``n`` and ``m`` codes drawn without ``avoid`` share a code with a probability of
    about ``n * m / 31 ** length`` (two batches of 10,000 eight-character codes: about
    1 in 8,500), so pass the codes already issued, and a store refuses a duplicate anyway.
    The random part is also what stops guessing: with ``n`` live codes, a guess hits one
    with a probability of ``n / 31 ** length``, so keep ``length`` at 8 or more for codes
    that give real money.

    Args:
        count: How many codes, from 1 to :data:`MAX_BATCH`.
        prefix: Text every code starts with (``"SUMMER"``); normalized like a code.
        length: How many random characters follow the prefix; at least 1, and prefix
            and random part together at most :data:`MAX_CODE_LENGTH`.
        rng: A seeded generator for reproducible codes; the secure source by default.
        avoid: Codes already issued (normalized before comparing).

    Returns:
        The codes, normalized, in the order drawn.

    Raises:
        InvalidCodeBatchError: ``count`` or ``length`` is out of range, or there are
            fewer than ``count`` codes of this prefix and length outside ``avoid``.
        InvalidCouponCodeError: ``prefix`` is not letters and digits.

    Example:
        >>> import random
        >>> from staycore.pricing.coupons import issue_codes
        >>> issue_codes(3, prefix="summer-", rng=random.Random(7))
        ('SUMMERHTHRKY5Z', 'SUMMER3Z8WZRGP', 'SUMMER5URWP6EE')
        >>> len(set(issue_codes(1000, length=4)))
        1000
        >>> issue_codes(32, length=1)
        Traceback (most recent call last):
        ...
        staycore.pricing.coupons.InvalidCodeBatchError: [pricing.invalid_code_batch] ...
    """
    count = _batch_number(count, "count", most=MAX_BATCH)
    head = normalize_code(prefix) if prefix else ""
    length = _batch_number(length, "length", most=MAX_CODE_LENGTH - len(head))
    size = len(CODE_ALPHABET) ** length
    avoided = {code for code in map(_normalized_or_none, avoid) if code is not None}
    # Only avoided codes of this prefix, length and alphabet take places in the space.
    taken = sum(
        1
        for code in avoided
        if len(code) == len(head) + length
        and code.startswith(head)
        and all(char in CODE_ALPHABET for char in code[len(head) :])
    )
    if count > size - taken:
        shape = f"{length} random character{'s' if length > 1 else ''}"
        shape += f" after {head}" if head else ""
        left = (
            f"only {size - taken:,} such codes are left besides the {taken:,} in avoid"
            if taken
            else f"there are only {size:,} such codes"
        )
        msg = (
            f"cannot issue {count:,} codes of {shape}: {left}. "
            "Ask for longer codes or use another prefix"
        )
        raise InvalidCodeBatchError(msg)
    draw = rng if rng is not None else secrets.SystemRandom()
    if 2 * (count + taken) > size:
        # Dense: draw without replacement, so that the last codes need no retries.
        drawn = (_spell(head, index, length) for index in draw.sample(range(size), count + taken))
        return tuple(code for code in drawn if code not in avoided)[:count]
    codes: dict[str, None] = {}  # a set that keeps the order drawn
    while len(codes) < count:  # at most half the space is taken: under 2 draws a code
        code = _spell(head, draw.randrange(size), length)
        if code not in avoided:
            codes[code] = None
    return tuple(codes)


def _spell(head: str, index: int, length: int) -> str:
    chars = []
    for _ in range(length):
        index, digit = divmod(index, len(CODE_ALPHABET))
        chars.append(CODE_ALPHABET[digit])
    return head + "".join(reversed(chars))


# -- coupons ---------------------------------------------------------------------------


def _limit(value: int | None, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        msg = f"{what} must be a whole number of at least 1, or None for no limit; got {value!r}"
        raise InvalidCouponError(msg)
    return value


def _max_uses(value: int | None) -> int | None:
    return _limit(value, "max_uses")


def _max_uses_per_customer(value: int | None) -> int | None:
    return _limit(value, "max_uses_per_customer")


def _budget(value: Money | None) -> Money | None:
    if value is None:
        return None
    if not isinstance(value, Money) or not value.is_positive:
        msg = (
            f"a coupon's budget must be a positive Money such as Money.of('500.00', 'EUR'), "
            f"or None for no budget; got {value!r}"
        )
        raise InvalidCouponError(msg)
    return value


@attrs.frozen(kw_only=True)
class Coupon:
    """A code that unlocks a promotion, with the limits on its use.

    Attributes:
        code: The code, normalized (:func:`normalize_code`).
        promotion: The promotion it unlocks.
        max_uses: How many orders may use it at once, over all customers; ``None`` for
            no limit. A cancelled order gives its use back.
        max_uses_per_customer: How many of those one customer may have; ``None`` for no
            limit.
        budget: The most discount it may give, summed over its orders; ``None`` for no
            budget. Its currency is the coupon's: discounts in another one are refused.

    Raises:
        InvalidCouponCodeError: ``code`` is not a valid code.
        InvalidCouponError: A limit is below 1 or not a whole number, or the budget is
            not positive money.

    Example:
        Continuing the module example above:

        >>> coupon.currency
        Currency('EUR')
        >>> Coupon(code="WELCOME", promotion=coupon.promotion, max_uses=0)
        Traceback (most recent call last):
        ...
        staycore.pricing.coupons.InvalidCouponError: [pricing.invalid_coupon] ...
    """

    code: str = attrs.field(converter=normalize_code)
    promotion: PromotionId
    max_uses: int | None = attrs.field(default=None, converter=_max_uses)
    max_uses_per_customer: int | None = attrs.field(default=None, converter=_max_uses_per_customer)
    budget: Money | None = attrs.field(default=None, converter=_budget)

    @property
    def currency(self) -> Currency | None:
        """The budget's currency, or ``None`` for a coupon without a budget."""
        return None if self.budget is None else self.budget.currency


def _discount(value: Money) -> Money:
    if not isinstance(value, Money) or not value.is_positive:
        msg = (
            f"a redemption's discount is what the quote took off, a positive Money; "
            f"got {value!r}. Redeem a coupon only when the quote applied it"
        )
        raise InvalidRedemptionError(msg)
    return value


@attrs.frozen(kw_only=True)
class RedemptionRequest:
    """An order's use of a coupon code, with the discount its quote gave.

    Attributes:
        code: The code, normalized.
        order: The order using it; an order redeems a code at most once at a time.
        customer: The customer the order is for, counted against the per-customer limit.
        discount: The discount the quote gave with this code; positive, and in the
            coupon's currency if it has a budget.

    Raises:
        InvalidCouponCodeError: ``code`` is not a valid code.
        InvalidRedemptionError: ``discount`` is not positive money.

    Example:
        Continuing the module example above:

        >>> request.code, request.discount
        ('SUMMER10', Money('48.00', 'EUR'))
        >>> attrs.evolve(request, discount=Money.zero("EUR"))
        Traceback (most recent call last):
        ...
        staycore.pricing.coupons.InvalidRedemptionError: [pricing.invalid_redemption] ...
    """

    code: str = attrs.field(converter=normalize_code)
    order: Identifier = attrs.field(validator=Identifier.validate)
    customer: Identifier = attrs.field(validator=Identifier.validate)
    discount: Money = attrs.field(converter=_discount)

    def to_redemption(self) -> Redemption:
        """The live redemption this request becomes once counted.

        Example:
            >>> request.to_redemption().status.value
            'redeemed'
        """
        return Redemption(
            code=self.code,
            order=self.order,
            customer=self.customer,
            discount=self.discount,
            status=RedemptionStatus.REDEEMED,
        )


class RedemptionStatus(enum.Enum):
    """Whether a redemption counts against its coupon's limits."""

    REDEEMED = "redeemed"  # live: it takes a use and its discount from the budget
    RELEASED = "released"  # the order was cancelled: the use and discount came back


@attrs.frozen(kw_only=True)
class Redemption:
    """An order's use of a coupon code.

    Attributes:
        code: The code.
        order: The order.
        customer: The customer it counts for.
        discount: The discount taken from the coupon's budget while it is live.
        status: ``redeemed`` (live) or ``released``.

    Example:
        Continuing the module example above:

        >>> redemption = request.to_redemption()
        >>> redemption.is_live, redemption.released().is_live
        (True, False)
    """

    code: str
    order: Identifier
    customer: Identifier
    discount: Money
    status: RedemptionStatus

    @property
    def is_live(self) -> bool:
        """Whether it counts against the coupon's limits (it is ``redeemed``)."""
        return self.status is RedemptionStatus.REDEEMED

    def matches(self, request: RedemptionRequest) -> bool:
        """Whether ``request`` asks for exactly this redemption (a retry, not a new one).

        Example:
            >>> redemption.matches(request)
            True
            >>> redemption.matches(attrs.evolve(request, discount=Money.of("50", "EUR")))
            False
        """
        return (
            self.code == request.code
            and self.order == request.order
            and self.customer == request.customer
            and self.discount == request.discount
        )

    def released(self) -> Redemption:
        """Return this redemption released: it no longer counts.

        Example:
            >>> redemption.released().status.value
            'released'
        """
        return attrs.evolve(self, status=RedemptionStatus.RELEASED)


# -- usage -----------------------------------------------------------------------------


def _unspent(usage: CouponUsage) -> Money | None:
    budget = usage.coupon.budget
    return None if budget is None else Money.zero(budget.currency)


def _customer_unused(usage: CouponUsage) -> int | None:
    return None if usage.customer is None else 0


@attrs.frozen(kw_only=True)
class CouponUsage:
    """What a coupon has used so far: its live redemptions, overall and for one customer.

    Build ``CouponUsage(coupon=coupon)`` for a coupon nobody used yet. With a
    ``customer`` it also counts that customer's live uses, which is what a redemption
    for them is checked against.

    Attributes:
        coupon: The coupon, with its limits.
        uses: Live redemptions of the code, over all customers.
        spent: The discounts of the live redemptions, summed, in the budget's currency;
            ``None`` for a coupon without a budget (its discounts may be in any currency).
        customer: The customer whose uses are counted too, or ``None``.
        customer_uses: That customer's live redemptions; ``None`` without a customer.

    Raises:
        InvalidCouponError: A count is negative or above its limit, or ``spent`` is not
            in the budget's currency, negative, or above the budget.

    Example:
        Continuing the module example above:

        >>> usage.uses, usage.spent, usage.customer_uses
        (1, Money('48.00', 'EUR'), 1)
        >>> fresh = CouponUsage(coupon=coupon)
        >>> fresh.remaining_uses, fresh.spent, fresh.remaining_for_customer
        (100, Money('0.00', 'EUR'), None)
    """

    coupon: Coupon
    uses: int = 0
    spent: Money | None = attrs.field(default=attrs.Factory(_unspent, takes_self=True))
    customer: Identifier | None = None
    customer_uses: int | None = attrs.field(
        default=attrs.Factory(_customer_unused, takes_self=True)
    )

    def __attrs_post_init__(self) -> None:
        coupon = self.coupon
        if not _count_within(self.uses, coupon.max_uses):
            msg = f"{coupon.code} cannot have {self.uses!r} live uses of at most {coupon.max_uses}"
            raise InvalidCouponError(msg)
        if (self.customer is None) != (self.customer_uses is None):
            msg = "give customer_uses with a customer, and neither without"
            raise InvalidCouponError(msg)
        if self.customer_uses is not None and not (
            _count_within(self.customer_uses, coupon.max_uses_per_customer)
            and self.customer_uses <= self.uses
        ):
            msg = (
                f"{self.customer} cannot have {self.customer_uses!r} live uses of {coupon.code}: "
                f"at most {coupon.max_uses_per_customer} a customer, and {self.uses} in all"
            )
            raise InvalidCouponError(msg)
        budget, spent = coupon.budget, self.spent
        fits = (
            spent is None
            if budget is None
            else isinstance(spent, Money)
            and spent.currency == budget.currency
            and not spent.is_negative
            and spent <= budget
        )
        if not fits:
            msg = (
                f"{coupon.code} cannot have spent {spent!r} of a budget of {budget!r}: "
                "spent is zero or more in the budget's currency, up to the budget, "
                "and None without one"
            )
            raise InvalidCouponError(msg)

    @property
    def code(self) -> str:
        """The coupon's code."""
        return self.coupon.code

    @property
    def remaining_uses(self) -> int | None:
        """Uses left over all customers; ``None`` for no limit."""
        limit = self.coupon.max_uses
        return None if limit is None else limit - self.uses

    @property
    def remaining_budget(self) -> Money | None:
        """Discount left to give; ``None`` for no budget."""
        budget = self.coupon.budget
        return None if budget is None or self.spent is None else budget - self.spent

    @property
    def remaining_for_customer(self) -> int | None:
        """Uses left to :attr:`customer`; ``None`` without a customer or a per-customer limit."""
        limit = self.coupon.max_uses_per_customer
        if limit is None or self.customer_uses is None:
            return None
        return limit - self.customer_uses

    def redeemed(self, request: RedemptionRequest) -> CouponUsage:
        """Return the usage after counting ``request``, or raise why it cannot be.

        The checks run in this order, and the first that fails is raised: the currency,
        the uses left, the customer's uses left, the budget left.

        Args:
            request: A new redemption of this code by :attr:`customer`.

        Raises:
            CurrencyMismatchError: The coupon has a budget in another currency.
            CouponExhaustedError: No uses are left.
            CustomerLimitReachedError: The customer has no uses left.
            BudgetExhaustedError: Less budget is left than the discount.
            InvalidRedemptionError: The request is for another code, or another customer
                than the usage counts.

        Example:
            Continuing the module example above (one use per customer):

            >>> usage.redeemed(request)
            Traceback (most recent call last):
            ...
            staycore.pricing.coupons.CustomerLimitReachedError: [pricing.customer_limit_reached] ...
        """
        self._check_for(request.code, request.customer)
        coupon, discount = self.coupon, request.discount
        if coupon.budget is not None and discount.currency != coupon.budget.currency:
            msg = (
                f"coupon {coupon.code} has a budget in {coupon.budget.currency}, and cannot "
                f"give a discount in {discount.currency}; quote the order without it"
            )
            raise CurrencyMismatchError(msg)
        if coupon.max_uses is not None and self.uses >= coupon.max_uses:
            raise CouponExhaustedError(coupon.code, coupon.max_uses)
        per_customer = coupon.max_uses_per_customer
        if per_customer is not None and (self.customer_uses or 0) >= per_customer:
            raise CustomerLimitReachedError(coupon.code, request.customer, per_customer)
        remaining = self.remaining_budget
        if remaining is not None and discount > remaining:
            raise BudgetExhaustedError(coupon.code, remaining=remaining, wanted=discount)
        return self._moved(1, discount)

    def released(self, redemption: Redemption) -> CouponUsage:
        """Return the usage after giving back a live redemption's use and discount.

        Args:
            redemption: A live redemption of this code by :attr:`customer`.

        Raises:
            InvalidRedemptionError: The redemption is not live, or is of another code or
                customer than the usage counts.

        Example:
            >>> after = usage.released(request.to_redemption())
            >>> after.uses, after.spent, after.remaining_for_customer
            (0, Money('0.00', 'EUR'), 1)
        """
        self._check_for(redemption.code, redemption.customer)
        if not redemption.is_live:
            msg = f"{redemption.order}'s use of {redemption.code} was released already"
            raise InvalidRedemptionError(msg)
        return self._moved(-1, -redemption.discount)

    def _check_for(self, code: str, customer: Identifier) -> None:
        if code != self.code or customer != self.customer:
            msg = (
                f"this usage counts {self.code} for {self.customer}, not {code} for "
                f"{customer}; read the usage of the code for that customer"
            )
            raise InvalidRedemptionError(msg)

    def _moved(self, uses: int, discount: Money) -> CouponUsage:
        return attrs.evolve(
            self,
            uses=self.uses + uses,
            spent=None if self.spent is None else self.spent + discount,
            customer_uses=None if self.customer_uses is None else self.customer_uses + uses,
        )


def _count_within(value: int, limit: int | None) -> bool:
    return (
        not isinstance(value, bool)
        and isinstance(value, int)
        and value >= 0
        and (limit is None or value <= limit)
    )
