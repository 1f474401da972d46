"""Coupon codes: normalizing what guests type, and issuing batches of unique codes."""

from __future__ import annotations

import random
from typing import Any

import pytest

from staycore.kernel.errors import InvalidIdentifierError
from staycore.kernel.ids import Identifier
from staycore.kernel.money import Money
from staycore.pricing.coupons import (
    CODE_ALPHABET,
    MAX_BATCH,
    MAX_CODE_LENGTH,
    Coupon,
    CouponUsage,
    InvalidCodeBatchError,
    InvalidCouponCodeError,
    InvalidCouponError,
    InvalidRedemptionError,
    RedemptionRequest,
    issue_codes,
    normalize_code,
)
from staycore.pricing.ids import PromotionId


def seeded(seed: int) -> random.Random:
    """A seeded generator, for reproducible codes (never for real ones)."""
    return random.Random(seed)  # noqa: S311 - reproducibility is the point here


# -- normalizing -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "SUMMER10",
        "summer10",
        " summer-10 ",
        "Summer 10",
        "S-U-M-M-E-R-1-0",
        "summer\t10\n",
        "summer\u201310",  # an en dash, as a phone keyboard types "-"
        "\uff33\uff35\uff2d\uff2d\uff25\uff32\uff11\uff10",  # full-width, from an IME
        "summer\u300010",  # an ideographic space
    ],
)
def test_sloppy_typing_finds_the_same_code(typed: str) -> None:
    assert normalize_code(typed) == "SUMMER10"


def test_look_alikes_are_kept_as_typed() -> None:
    assert normalize_code("c0de") != normalize_code("code")
    assert normalize_code("l1") == "L1"


@pytest.mark.parametrize(
    ("typed", "phrase"),
    [
        ("", "at least one letter or digit"),
        ("  - -  ", "at least one letter or digit"),
        ("10%OFF", "'%'"),
        ("SUMMER_10", "'_'"),
        ("caf\u00e9", "'\u00c9'"),
        ("A" * (MAX_CODE_LENGTH + 1), f"more than the {MAX_CODE_LENGTH}"),
        (None, "must be text"),
        (10, "must be text"),
    ],
)
def test_text_that_is_no_code_is_refused(typed: Any, phrase: str) -> None:
    with pytest.raises(InvalidCouponCodeError) as refused:
        normalize_code(typed)
    assert refused.value.code == "pricing.invalid_coupon_code"
    assert phrase in refused.value.message


def test_the_longest_code_is_accepted() -> None:
    assert normalize_code("a" * MAX_CODE_LENGTH) == "A" * MAX_CODE_LENGTH


# -- issuing ---------------------------------------------------------------------------


def test_the_alphabet_has_no_look_alikes() -> None:
    assert len(CODE_ALPHABET) == len(set(CODE_ALPHABET)) == 31
    assert not set(CODE_ALPHABET) & set("0O1IL")
    assert set(CODE_ALPHABET) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def test_a_batch_is_unique_and_spelled_from_the_alphabet() -> None:
    codes = issue_codes(5000, prefix="gift-", length=6)
    assert len(codes) == len(set(codes)) == 5000
    for code in codes:
        assert code.startswith("GIFT")
        assert len(code) == 4 + 6
        assert set(code[4:]) <= set(CODE_ALPHABET)
        assert normalize_code(code) == code


def test_the_default_is_eight_characters_without_a_prefix() -> None:
    (code,) = issue_codes(1)
    assert len(code) == 8
    assert set(code) <= set(CODE_ALPHABET)


def test_a_seeded_generator_gives_the_same_codes() -> None:
    first = issue_codes(50, prefix="DEMO", rng=seeded(42))
    assert first == issue_codes(50, prefix="DEMO", rng=seeded(42))
    assert first != issue_codes(50, prefix="DEMO", rng=seeded(43))


def test_the_secure_source_gives_different_codes_each_time() -> None:
    assert issue_codes(20, length=12) != issue_codes(20, length=12)


def test_codes_in_avoid_are_never_issued() -> None:
    avoid = issue_codes(20, length=2, rng=seeded(1))
    typed = [f" {code.lower()[0]}-{code[1:]} " for code in avoid]  # normalized before comparing
    for seed in range(20):
        codes = issue_codes(200, length=2, rng=seeded(seed), avoid=typed)
        assert not set(codes) & set(avoid)


def test_a_whole_space_can_be_issued() -> None:
    codes = issue_codes(len(CODE_ALPHABET), length=1, rng=seeded(3))
    assert sorted(codes) == sorted(CODE_ALPHABET)


def test_a_dense_batch_fills_what_avoid_leaves() -> None:
    avoid = [*CODE_ALPHABET[:20], "not a code!", "ZZ", "X0"]  # only the first 20 count
    codes = issue_codes(11, length=1, rng=seeded(5), avoid=avoid)
    assert sorted(codes) == sorted(CODE_ALPHABET[20:])


def test_more_codes_than_the_space_holds_are_refused() -> None:
    with pytest.raises(InvalidCodeBatchError) as refused:
        issue_codes(31**2 + 1, prefix="VIP", length=2)
    assert refused.value.code == "pricing.invalid_code_batch"
    assert "there are only 961 such codes" in refused.value.message
    assert "longer codes" in refused.value.message


def test_codes_in_avoid_shrink_the_space() -> None:
    avoid = [f"VIP{char}" for char in CODE_ALPHABET[:30]] + ["VIPO", "VIP22", "OTHER"]
    assert len(issue_codes(1, prefix="vip", length=1, avoid=avoid)) == 1
    with pytest.raises(InvalidCodeBatchError) as refused:
        issue_codes(2, prefix="vip", length=1, avoid=avoid)
    assert "only 1 such codes are left besides the 30 in avoid" in refused.value.message


@pytest.mark.parametrize(
    ("arguments", "phrase"),
    [
        ({"count": 0}, "count must be a whole number from 1 to 1,000,000"),
        ({"count": -3}, "count must be"),
        ({"count": True}, "count must be"),
        ({"count": 2.0}, "count must be"),
        ({"count": MAX_BATCH + 1}, "count must be"),
        ({"count": 1, "length": 0}, "length must be a whole number from 1 to 64"),
        ({"count": 1, "length": "8"}, "length must be"),
        ({"count": 1, "prefix": "A" * 60, "length": 5}, "from 1 to 4"),
    ],
)
def test_bad_batches_are_refused(arguments: dict[str, Any], phrase: str) -> None:
    with pytest.raises(InvalidCodeBatchError) as refused:
        issue_codes(**arguments)
    assert phrase in refused.value.message


def test_a_prefix_that_is_no_code_is_refused() -> None:
    with pytest.raises(InvalidCouponCodeError):
        issue_codes(1, prefix="50%")


# -- coupons, requests and usage -------------------------------------------------------

PROMO = PromotionId("promo_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7")
GUEST = Identifier("cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7")


@pytest.mark.parametrize(
    "limits",
    [
        {"max_uses": 0},
        {"max_uses": -1},
        {"max_uses": True},
        {"max_uses": 1.5},
        {"max_uses_per_customer": 0},
        {"budget": Money.zero("EUR")},
        {"budget": Money.of("-5", "EUR")},
        {"budget": "100.00"},
    ],
)
def test_bad_limits_are_refused(limits: dict[str, Any]) -> None:
    with pytest.raises(InvalidCouponError) as refused:
        Coupon(code="WELCOME", promotion=PROMO, **limits)
    assert refused.value.code == "pricing.invalid_coupon"


def test_a_coupon_normalizes_its_code() -> None:
    coupon = Coupon(code="welcome-back", promotion=PROMO)
    assert coupon.code == "WELCOMEBACK"
    assert (coupon.max_uses, coupon.max_uses_per_customer, coupon.budget) == (None, None, None)
    assert coupon.currency is None


@pytest.mark.parametrize("discount", [Money.zero("EUR"), Money.of("-1", "EUR"), "10.00"])
def test_a_redemption_needs_a_positive_discount(discount: Any) -> None:
    with pytest.raises(InvalidRedemptionError):
        RedemptionRequest(code="WELCOME", order=Identifier.new(), customer=GUEST, discount=discount)


@pytest.mark.parametrize(
    "counts",
    [
        {"uses": -1},
        {"uses": 4},  # above max_uses
        {"spent": Money.of("101", "EUR")},
        {"spent": Money.of("-1", "EUR")},
        {"spent": Money.of("1", "USD")},
        {"spent": None},
        {"customer": GUEST},  # without its uses
        {"customer_uses": 1},  # without a customer
        {"customer": GUEST, "customer_uses": 3},  # above the per-customer limit
        {"uses": 1, "customer": GUEST, "customer_uses": 2},  # more than all uses
    ],
)
def test_impossible_usages_are_refused(counts: dict[str, Any]) -> None:
    coupon = Coupon(
        code="WELCOME",
        promotion=PROMO,
        max_uses=3,
        max_uses_per_customer=2,
        budget=Money.of("100", "EUR"),
    )
    fields: dict[str, Any] = {"coupon": coupon} | counts
    if "customer" in counts and "customer_uses" not in counts:
        fields["customer_uses"] = None
    with pytest.raises(InvalidCouponError):
        CouponUsage(**fields)


def test_a_usage_counts_only_requests_of_its_code_and_customer() -> None:
    usage = CouponUsage(coupon=Coupon(code="WELCOME", promotion=PROMO), customer=GUEST)
    request = RedemptionRequest(
        code="OTHER", order=Identifier.new(), customer=GUEST, discount=Money.of("5", "EUR")
    )
    with pytest.raises(InvalidRedemptionError):
        usage.redeemed(request)
    with pytest.raises(InvalidRedemptionError):
        CouponUsage(coupon=usage.coupon).redeemed(
            RedemptionRequest(
                code="WELCOME", order=request.order, customer=GUEST, discount=request.discount
            )
        )


def test_only_a_live_redemption_can_be_released() -> None:
    coupon = Coupon(code="WELCOME", promotion=PROMO, max_uses=3)
    request = RedemptionRequest(
        code="WELCOME", order=Identifier.new(), customer=GUEST, discount=Money.of("5", "EUR")
    )
    usage = CouponUsage(coupon=coupon, customer=GUEST).redeemed(request)
    assert usage.released(request.to_redemption()).uses == 0
    with pytest.raises(InvalidRedemptionError):
        usage.released(request.to_redemption().released())


@pytest.mark.parametrize("changes", [{"order": None}, {"order": [1]}, {"customer": 42}])
def test_a_redemption_names_its_order_and_customer_by_id(changes: dict[str, Any]) -> None:
    fields: dict[str, Any] = {
        "code": "WELCOME",
        "order": Identifier.new(),
        "customer": GUEST,
        "discount": Money.of("5", "EUR"),
    }
    with pytest.raises(InvalidIdentifierError):
        RedemptionRequest(**(fields | changes))
