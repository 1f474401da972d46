"""Pricing documents: JSON and YAML read alike, every problem named with its place."""

from __future__ import annotations

import copy
import datetime as dt
import decimal
import json
import pickle
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pendulum
import pytest

from staycore.availability.ids import UnitTypeId
from staycore.kernel.time import Stay
from staycore.pricing.changes import InvalidPriceChangeError, PriceChange
from staycore.pricing.coupons import UnknownCouponError
from staycore.pricing.ids import PromotionId, RatePlanId
from staycore.pricing.promotions import DiscountKind, Stacking
from staycore.pricing.quote import quote
from staycore.pricing.rate_plans import Guests
from staycore.pricing.rules import FeeBasis, LeadTime, TaxBasis
from staycore.pricing.schema import (
    SCHEMA_VERSION,
    InvalidRuleSetDocumentError,
    PricingData,
    PricingDocument,
    UnknownRatePlanError,
    derived_id,
    load_pricing,
    parse_change,
)
from staycore.testing.errors import assert_refused

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
JSON_EXAMPLE = EXAMPLES / "pricing.json"
YAML_EXAMPLE = EXAMPLES / "pricing.yaml"
BOOKED_AT = pendulum.datetime(2026, 6, 1, 10, tz="Europe/Lisbon")

Document = dict[str, Any]


def example() -> Document:
    data: Document = json.loads(JSON_EXAMPLE.read_text(encoding="utf-8"))
    return data


def minimal(**fields: object) -> Document:
    document: Document = {
        "schema_version": 1,
        "version": "v1",
        "currency": "EUR",
        "timezone": "Europe/Lisbon",
        "rate_plans": [
            {"key": "standard", "unit_type": "double", "base_price": "100.00"},
        ],
    }
    document.update(fields)
    return document


def problems_of(data: object) -> tuple[tuple[str, str], ...]:
    with pytest.raises(InvalidRuleSetDocumentError) as refused:
        PricingDocument.from_data(data)  # type: ignore[arg-type]
    assert refused.value.code == "pricing.invalid_document"
    return refused.value.problems


def changed(change: Callable[[Document], object]) -> Document:
    document = example()
    change(document)
    return document


# -- the example document -------------------------------------------------------------


def test_the_example_reads_the_same_from_json_and_yaml() -> None:
    from_json, from_yaml = load_pricing(JSON_EXAMPLE), load_pricing(YAML_EXAMPLE)

    assert from_json.data == from_yaml.data
    assert from_json.rule_set() == from_yaml.rule_set()
    assert dict(from_json.rate_plans) == dict(from_yaml.rate_plans)
    assert dict(from_json.coupons) == dict(from_yaml.coupons)
    assert list(from_json.rate_plans) == ["standard", "non-refundable", "member"]
    rules = from_json.rule_set()
    assert (rules.version, str(rules.currency.code), rules.timezone) == (
        "2026.1",
        "EUR",
        "Europe/Lisbon",
    )
    assert [season.name for season in rules.seasons] == [
        "winter weeknights",
        "Easter",
        "summer",
        "festive",
    ]
    assert rules.seasons[0].weekdays == frozenset({6, 0, 1, 2, 3})
    assert rules.weekdays[0].weekdays == frozenset({4, 5})
    assert rules.demand is not None
    assert rules.demand.points[-1] == (Decimal("0.95"), Decimal("25"))
    assert [(r.kind, r.days) for r in rules.lead_time] == [
        (LeadTime.EARLY_BIRD, 60),
        (LeadTime.LAST_MINUTE, 3),
    ]
    assert rules.length_of_stay[0].min_nights == 7
    assert rules.tiers == {"gold": PriceChange.percent("-5")}
    assert (str(rules.floor), str(rules.ceiling)) == ("EUR 60.00", "EUR 400.00")
    assert [(fee.name, fee.basis) for fee in rules.fees] == [("Cleaning", FeeBasis.STAY)]
    assert [(tax.name, tax.basis) for tax in rules.taxes] == [
        ("VAT", TaxBasis.PERCENT),
        ("City tax", TaxBasis.PER_PERSON_NIGHT),
    ]
    assert rules.taxes[1].adults_only
    assert [p.kind for p in rules.promotions] == [DiscountKind.PERCENT, DiscountKind.AMOUNT]
    assert rules.promotions[1].stacking is Stacking.EXCLUSIVE
    assert rules.promotions[1].valid_until == pendulum.datetime(2027, 1, 1, tz="UTC")


def test_derived_plans_follow_their_parent() -> None:
    document = load_pricing(JSON_EXAMPLE)
    standard = document.rate_plan("standard")
    for key, change in (("non-refundable", "-10"), ("member", "-5")):
        plan = document.rate_plan(key)
        assert plan.parent == standard
        assert plan.change == PriceChange.percent(change)
        assert plan.unit_type == standard.unit_type
    night, party = dt.date(2026, 12, 31), Guests(3, 1)
    assert standard.nightly(night, party) == Decimal("197.00")  # 160 + 25 + 12
    assert document.rate_plan("member").nightly(night, party) == Decimal("187.1500")


@pytest.mark.parametrize(
    ("plan", "stay", "coupons", "tier"),
    [
        ("standard", "2026-07-10/2026-07-13", ["SUMMER10"], "gold"),
        ("non-refundable", "2026-12-29/2027-01-05", ["welcome-25"], None),
        ("member", "2026-03-27/2026-04-03", [], None),
        ("standard", "2026-02-02/2026-02-10", ["WELCOME25", "SUMMER10"], None),
    ],
)
def test_json_and_yaml_quote_the_same(
    plan: str, stay: str, coupons: list[str], tier: str | None
) -> None:
    totals = []
    for path in (JSON_EXAMPLE, YAML_EXAMPLE):
        document = load_pricing(path)
        q = quote(
            document.rate_plan(plan),
            document.rule_set(),
            Stay.parse(stay),
            Guests(2, 1),
            booked_at=BOOKED_AT,
            tier=tier,
            coupons=[document.coupon(code) for code in coupons],
            occupancy={Stay.parse(stay).check_in: Decimal("0.9")},
            first_booking=True,
        )
        totals.append((q.breakdown(), q.total))
    assert totals[0] == totals[1]


def test_the_example_quotes_a_summer_weekend() -> None:
    document = load_pricing(JSON_EXAMPLE)
    q = quote(
        document.rate_plan("standard"),
        document.rule_set(),
        Stay.parse("2026-07-10/2026-07-13"),
        Guests(2),
        booked_at=BOOKED_AT,
        tier="gold",
        coupons=[document.coupon("summer10")],
        occupancy={dt.date(2026, 7, 11): Decimal("0.9")},
    )
    # Friday: 95.00 +25 % summer +15 % weekend -5 % gold; Saturday also +20 % demand.
    assert [str(p) for p in q.night_prices] == ["EUR 129.73", "EUR 155.68", "EUR 112.81"]
    assert [(line.name, str(line.amount)) for line in q.lines] == [
        ("Summer 10 % (code SUMMER10)", "EUR -39.82"),
        ("Cleaning", "EUR 40.00"),
        ("VAT 6 %", "EUR 23.90"),
        ("City tax", "EUR 24.00"),
    ]
    assert str(q.total) == "EUR 446.30"
    assert q.rule_set_version == "2026.1"


# -- identifiers ----------------------------------------------------------------------------


def test_ids_are_derived_from_the_keys_and_never_change() -> None:
    # Ids are part of the stored data (coupons, orders): these values must stay put.
    assert derived_id(RatePlanId, "standard") == "rp_0000000000V9SY1SPRFZ6AMRD4"
    assert derived_id(RatePlanId, "standard", namespace="casa-azul") == (
        "rp_00000000009H33P20AWEZN88XG"
    )
    assert derived_id(PromotionId, "summer-ten", namespace="casa-azul") == (
        "promo_0000000000RHQD0K4965BZGXQ2"
    )
    assert derived_id(UnitTypeId, "garden-double", namespace="casa-azul") == (
        "ut_0000000000B8ZJYRMKM4EDMZNQ"
    )
    assert derived_id(RatePlanId, "standard").timestamp == pendulum.datetime(1970, 1, 1)
    assert derived_id(RatePlanId, "member") != derived_id(RatePlanId, "standard")


def test_the_same_document_gives_the_same_ids_and_quotes() -> None:
    first, second = load_pricing(JSON_EXAMPLE), load_pricing(JSON_EXAMPLE)
    plan = first.rate_plan("member")
    assert (
        plan.id
        == second.rate_plan("member").id
        == derived_id(RatePlanId, "member", namespace="casa-azul")
    )
    assert (
        first.unit_types
        == second.unit_types
        == {"garden-double": derived_id(UnitTypeId, "garden-double", namespace="casa-azul")}
    )
    assert first.coupons["SUMMER10"].promotion == first.promotions["summer-ten"].id
    stay = Stay.parse("2026-08-01/2026-08-08")
    quotes = [
        quote(d.rate_plan("member"), d.rule_set(), stay, Guests(2), booked_at=BOOKED_AT)
        for d in (first, second)
    ]
    assert quotes[0].same_price(quotes[1])
    assert quotes[0].breakdown() == quotes[1].breakdown()
    assert quotes[0].rate_plan == quotes[1].rate_plan == plan.id


def test_a_new_version_of_the_rules_keeps_the_ids() -> None:
    before = load_pricing(JSON_EXAMPLE)
    after = PricingDocument.from_data(changed(lambda d: d.update(version="2026.2")))
    assert after.rule_set().version == "2026.2"
    assert after.rate_plan("standard").id == before.rate_plan("standard").id
    assert after.coupons == before.coupons


def test_the_namespace_keeps_two_properties_apart() -> None:
    here = PricingDocument.from_data(minimal(namespace="here"))
    there = PricingDocument.from_data(minimal(namespace="there"))
    assert here.rate_plan("standard").id != there.rate_plan("standard").id
    assert here.unit_types["double"] != there.unit_types["double"]


def test_a_plan_or_promotion_may_pin_its_id() -> None:
    pinned_plan = RatePlanId("rp_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7")
    pinned_promotion = PromotionId("promo_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7")

    def pin(document: Document) -> None:
        document["rate_plans"][0]["id"] = str(pinned_plan)
        document["promotions"][0]["id"] = str(pinned_promotion)
        document["promotions"][0]["rate_plans"] = ["standard", "member"]

    document = PricingDocument.from_data(changed(pin))
    assert document.rate_plan("standard").id == pinned_plan
    assert document.rate_plan("member").parent == document.rate_plan("standard")
    assert document.coupons["SUMMER10"].promotion == pinned_promotion
    assert document.promotions["summer-ten"].rate_plans == frozenset(
        {pinned_plan, document.rate_plan("member").id}
    )


def test_the_host_names_its_own_unit_types() -> None:
    ours = UnitTypeId("ut_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7")
    scoped = minimal(
        promotions=[
            {"key": "p", "kind": "percent", "percent": 5, "unit_types": ["double"]},
        ],
        coupons={"FIVE": "p"},
    )
    document = PricingDocument.from_data(scoped, unit_types={"double": ours})
    assert document.rate_plan("standard").unit_type == ours
    assert document.promotions["p"].unit_types == frozenset({ours})
    derived = PricingDocument.from_data(scoped)
    assert derived.rate_plan("standard").unit_type == derived_id(UnitTypeId, "double")
    remapped = derived.with_unit_types({"double": ours})
    assert remapped.rule_set() == document.rule_set()
    assert remapped.rate_plan("standard") == document.rate_plan("standard")
    assert (
        load_pricing(JSON_EXAMPLE, unit_types={"garden-double": ours}).rate_plan("member").unit_type
        == ours
    )


# -- numbers ----------------------------------------------------------------------------------


def test_numbers_in_a_file_are_read_exactly() -> None:
    json_text = json.dumps(minimal()).replace('"100.00"', "120.10")
    assert load_pricing(json_text).rate_plan("standard").base_price.amount == Decimal("120.10")
    yaml_text = (
        "schema_version: 1\nversion: v1\ncurrency: EUR\ntimezone: Europe/Lisbon\n"
        "rate_plans:\n  - {key: standard, unit_type: double, base_price: 120.10}\n"
        "floor: 0.1\n"
    )
    document = load_pricing(yaml_text)
    assert document.rate_plan("standard").base_price.amount == Decimal("120.10")
    floor = document.rule_set().floor
    assert floor is not None
    assert floor.amount == Decimal("0.1")


def test_python_floats_are_refused_not_read_approximately() -> None:
    problems = problems_of(minimal(floor=0.1, tiers={"gold": "-5%"}))
    assert problems == (
        (
            "floor",
            "0.1 is a binary float, which cannot hold most decimal numbers exactly; write it "
            'as text, such as "120.00"',
        ),
    )


def test_amounts_may_be_text_integers_or_decimals() -> None:
    for amount in ("100", 100, Decimal("100.00"), " 100.0 "):
        document = PricingDocument.from_data(minimal(floor=amount))
        floor = document.rule_set().floor
        assert floor is not None
        assert floor.amount == 100


# -- changes -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "change"),
    [
        ("+15%", PriceChange.percent("15")),
        ("-10 %", PriceChange.percent("-10")),
        (" + 2.5% ", PriceChange.percent("2.5")),
        ("+20.00", PriceChange.amount("20.00")),
        ("-5", PriceChange.amount("-5")),
        ("-100%", PriceChange.percent("-100")),
    ],
)
def test_changes_are_read_as_written(text: str, change: PriceChange) -> None:
    assert parse_change(text) == change


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("15%", 'needs a sign: "+15%" raises the price, "-15%" lowers it'),
        ("-10 percent", "is not a change"),
        ("--5", "is not a change"),
        ("", "is not a change"),
        ("-120%", "more than the whole price"),
        (5, "got the number 5: put it in quotes"),
        (True, "got true"),
        (None, "a change is text with its sign"),
    ],
)
def test_bad_changes_say_how_to_write_one(value: object, says: str) -> None:
    assert_refused(
        InvalidPriceChangeError,
        "pricing.invalid_change",
        says,
        lambda: parse_change(value),  # type: ignore[arg-type]
    )


# -- every problem, with its place ---------------------------------------------------------


def _set(path: str, value: object) -> Callable[[Document], None]:
    """A change that sets ``a.b[0].c`` in a document."""

    def change(document: Document) -> None:
        *parents, last = _parts(path)
        target: Any = document
        for part in parents:
            target = target[part]
        target[last] = value

    return change


def _drop(path: str) -> Callable[[Document], None]:
    def change(document: Document) -> None:
        *parents, last = _parts(path)
        target: Any = document
        for part in parents:
            target = target[part]
        del target[last]

    return change


def _parts(path: str) -> list[str | int]:
    pieces = path.replace("]", "").replace("[", ".").split(".")
    return [int(piece) if piece.isdigit() else piece for piece in pieces]


FIELD_PROBLEMS = [
    (_drop("version"), "version", "required, but missing"),
    (_set("version", "  "), "version", 'must be some text, got "  "'),
    (_set("currency", "EURO"), "currency", 'must be an ISO 4217 currency code such as "EUR"'),
    (_set("timezone", "Lisbon"), "timezone", "unknown timezone 'Lisbon'"),
    (_set("namespace", 7), "namespace", "must be text, got 7"),
    (_set("colour", "blue"), "colour", "unknown field; the fields are schema_version, version"),
    (
        _set("rate_plans[0].base_price", -5),
        "rate_plans[0].base_price",
        'must be a decimal amount such as "120.00", got -5',
    ),
    (
        _set("rate_plans[0].base_price", "12,50"),
        "rate_plans[0].base_price",
        'must be a decimal amount such as "120.00", got "12,50"',
    ),
    (_set("rate_plans[0].base_prise", 1), "rate_plans[0].base_prise", 'did you mean "base_price"?'),
    (_set("rate_plans[0].key", ""), "rate_plans[0].key", 'must be some text, got ""'),
    (_set("rate_plans[0].id", "ord_1"), "rate_plans[0].id", "is not a RatePlanId"),
    (_set("rate_plans[0].base_occupancy", 0), "rate_plans[0].base_occupancy", "must be 1 or more"),
    (_set("rate_plans[0].base_occupancy", "2"), "rate_plans[0].base_occupancy", "whole number"),
    (_set("rate_plans[0].taxes_included", "yes"), "rate_plans[0].taxes_included", "true or false"),
    (_drop("rate_plans[0].unit_type"), "rate_plans[0]", "a rate plan needs unit_type"),
    (
        _set("rate_plans[0].change", "-5%"),
        "rate_plans[0]",
        'a change belongs to a derived plan: add "derived_from", or remove "change"',
    ),
    (
        _set("rate_plans[1].base_price", "1"),
        "rate_plans[1]",
        'a derived plan takes its prices, unit type and taxes from "standard"; remove base_price',
    ),
    (_drop("rate_plans[1].change"), "rate_plans[1]", "a derived plan needs a change"),
    (
        _set("rate_plans[0].overrides[0]", {"price": "1.00"}),
        "rate_plans[0].overrides[0]",
        "give nights, weekdays or both",
    ),
    (_set("rate_plans", {}), "rate_plans", "must be a list, got a mapping"),
    (_set("rate_plans[0]", "standard"), "rate_plans[0]", "must be a mapping of fields"),
    (
        _set("seasons[1].nights", "2026-07-01/2026-06-01"),
        "seasons[1].nights",
        '"2026-07-01/2026-06-01" ends before it starts',
    ),
    (
        _set("seasons[1].nights", "2026-07-01/2026-07-01"),
        "seasons[1].nights",
        "holds no night",
    ),
    (
        _set("seasons[1].nights", "2026-02-30/2026-03-02"),
        "seasons[1].nights",
        "day is out of range for month",
    ),
    (_set("seasons[1].nights", "July"), "seasons[1].nights", "must be a date range such as"),
    (
        _set("seasons[0].weekdays[1]", "fry"),
        "seasons[0].weekdays[1]",
        '"fry" is not a weekday; write mon, tue, wed, thu, fri, sat or sun',
    ),
    (_set("weekdays[0].weekdays", []), "weekdays[0].weekdays", "at least one weekday"),
    (_set("weekdays[0].weekdays", "fri"), "weekdays[0].weekdays", "must be a list"),
    (_set("weekdays[0].change", "15%"), "weekdays[0].change", 'needs a sign: "+15%"'),
    (
        _set("demand[1].change", "+10.00"),
        "demand[1].change",
        'demand moves prices by a percentage, such as "+20%"',
    ),
    (_set("demand[1].occupancy", "1.2"), "demand[1].occupancy", "a share from 0 to 1"),
    (_set("lead_time[0].kind", "early"), "lead_time[0].kind", 'must be "early_bird" or'),
    (_set("lead_time[0].days", -1), "lead_time[0].days", "must be 0 or more, got -1"),
    (_set("length_of_stay[0].min_nights", 0), "length_of_stay[0].min_nights", "1 or more"),
    (_set("tiers.gold", "-5"), "", ""),  # an amount is a change too
    (_set("tiers.gold", -5), "tiers.gold", "got the number -5: put it in quotes"),
    (_set("floor", "-1"), "floor", 'got "-1" (0 or more)'),
    (_set("fees[0].per", "week"), "fees[0].per", 'must be "stay", "night", "guest" or'),
    (_set("fees[0].amount", None), "fees[0].amount", "got null"),
    (_set("taxes[0].percent", "120"), "taxes[0].percent", "a percentage from 0 to 100"),
    (_set("taxes[0].included", True), "taxes[0]", "included belongs to a levy"),
    (_set("taxes[1].percent", "5"), "taxes[1]", 'either "percent" (a rate) or'),
    (_drop("taxes[0].percent"), "taxes[0]", 'a tax needs "percent"'),
    (
        _set("promotions[0].amount", "3"),
        "promotions[0]",
        'a promotion of kind "percent" has no use',
    ),
    (_drop("promotions[1].amount"), "promotions[1]", 'a promotion of kind "amount" needs amount'),
    (_set("promotions[0].percent", "0"), "promotions[0].percent", "above 0 and at most 100"),
    (_set("promotions[1].amount", "0"), "promotions[1].amount", "above 0"),
    (_set("promotions[0].kind", "bogo"), "promotions[0].kind", 'must be "percent", "amount"'),
    (
        _set("promotions[1].valid_until", "2027-01-01T00:00:00"),
        "promotions[1].valid_until",
        'has no offset; add one, such as "+02:00" or "Z"',
    ),
    (_set("promotions[1].valid_until", "soon"), "promotions[1].valid_until", "with its offset"),
    (_set("promotions[1].stacking", "alone"), "promotions[1].stacking", '"exclusive"'),
    (_set("coupons.SUMMER10", 5), "coupons.SUMMER10", "must be a mapping of fields, got 5"),
    (
        _set("coupons.WELCOME25.max_uses", 0),
        "coupons.WELCOME25.max_uses",
        "must be 1 or more, got 0",
    ),
    (_set("quote_minutes", 0), "quote_minutes", "must be 1 or more, got 0"),
    (_set("rounding", "banker"), "rounding.mode", 'must be "half_even", "half_up"'),
    (_set("rounding", {"increment": "0"}), "rounding.increment", "above 0"),
]


@pytest.mark.parametrize(("change", "path", "says"), FIELD_PROBLEMS)
def test_a_field_that_does_not_read_is_named_with_its_place(
    change: Callable[[Document], None], path: str, says: str
) -> None:
    document = changed(change)
    if not says:
        PricingDocument.from_data(document)
        return
    problems = problems_of(document)
    assert len(problems) == 1, problems
    assert problems[0][0] == path
    assert says in problems[0][1]


REFERENCE_PROBLEMS = [
    (
        _set("rate_plans[1].derived_from", "standrd"),
        "rate_plans[1].derived_from",
        'no rate plan has the key "standrd"; the keys are "standard", "non-refundable", "member"',
    ),
    (
        _set("rate_plans[2].derived_from", "member"),
        "rate_plans[2].derived_from",
        "rate plans derive from each other in a loop: member -> member",
    ),
    (
        _set("rate_plans[2].key", "non-refundable"),
        "rate_plans[2].key",
        '"non-refundable" is the key of rate_plans[1] already',
    ),
    (
        _set("rate_plans[2].id", str(derived_id(RatePlanId, "standard", namespace="casa-azul"))),
        "rate_plans[2].id",
        "is the id of rate_plans[0] already",
    ),
    (
        _set("promotions[1].key", "summer-ten"),
        "promotions[1].key",
        '"summer-ten" is the key of promotions[0] already',
    ),
    (
        _set("promotions[0].rate_plans", ["standard", "flex"]),
        "promotions[0].rate_plans[1]",
        'no such key "flex"; the keys are "standard", "non-refundable", "member"',
    ),
    (
        _set("promotions[0].unit_types", ["loft"]),
        "promotions[0].unit_types[0]",
        'no such key "loft"; the keys are "garden-double"',
    ),
    (
        _set("promotions[1].valid_from", "2027-02-01T00:00:00Z"),
        "promotions[1]",
        "promotion 'Welcome 25.00': its validity ends before it starts",
    ),
    (
        _set("coupons.SUMMER10", "summer"),
        "coupons.SUMMER10.promotion",
        'no promotion has the key "summer"; the keys are "summer-ten", "welcome"',
    ),
    (
        _set("coupons.summer-10", "summer-ten"),
        'coupons["summer-10"]',
        '"summer-10" is the code "SUMMER10" as guests type it (SUMMER10); keep one',
    ),
    (_set("coupons.10%OFF", "summer-ten"), 'coupons["10%OFF"]', "other than letters A-Z"),
    (
        _set("demand[1].occupancy", "0.4"),
        "demand",
        "a demand curve needs points with occupancies rising strictly",
    ),
    (
        _set("floor", "500"),
        "floor",
        "500 is above the ceiling 400.00; lower the floor or raise the ceiling",
    ),
    (
        _set(
            "promotions[1]", {"key": "w", "kind": "free_nights", "stay_nights": 3, "pay_nights": 3}
        ),
        "promotions[1]",
        "'stay 3, pay 3' needs 1 <= pay nights < stay nights",
    ),
]


@pytest.mark.parametrize(("change", "path", "says"), REFERENCE_PROBLEMS)
def test_parts_that_do_not_fit_together_are_named_with_their_place(
    change: Callable[[Document], None], path: str, says: str
) -> None:
    problems = problems_of(changed(change))
    assert any(where == path and says in what for where, what in problems), problems


def test_every_problem_is_listed_at_once() -> None:
    def many(document: Document) -> None:
        document["rate_plans"][0]["base_price"] = -5
        document["seasons"][1]["nights"] = "2026-07-01/2026-06-01"
        document["tiers"]["silver"] = "2%"
        document["quote_minutes"] = 0

    with pytest.raises(InvalidRuleSetDocumentError) as refused:
        PricingDocument.from_data(changed(many), source="pricing.json")
    error = refused.value
    assert [path for path, _ in error.problems] == [
        "rate_plans[0].base_price",
        "seasons[1].nights",
        "tiers.silver",
        "quote_minutes",
    ]
    assert error.message.splitlines()[:3] == [
        "pricing document pricing.json has 4 problems:",
        '  rate_plans[0].base_price: must be a decimal amount such as "120.00", got -5 (0 or more)',
        '  seasons[1].nights: "2026-07-01/2026-06-01" ends before it starts',
    ]
    assert error.source == "pricing.json"


def test_every_reference_problem_is_listed_at_once() -> None:
    def many(document: Document) -> None:
        document["rate_plans"][1]["derived_from"] = "nope"
        document["coupons"]["EXTRA"] = "nope"
        document["floor"] = "999"

    paths = [path for path, _ in problems_of(changed(many))]
    assert paths == ["rate_plans[1].derived_from", "coupons.EXTRA.promotion", "floor"]


def test_the_error_survives_pickling() -> None:
    problems = problems_of(minimal(floor="-1"))
    error = InvalidRuleSetDocumentError(problems, source="x.json")
    copied = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
    assert (copied.problems, copied.source, str(copied)) == (problems, "x.json", str(error))


# -- the format's version ----------------------------------------------------------------------


def test_an_unknown_schema_version_is_refused_alone() -> None:
    problems = problems_of({"schema_version": 2, "anything": "the next format may add"})
    assert problems == (
        (
            "schema_version",
            f"this staycore reads schema_version {SCHEMA_VERSION} only, not 2: upgrade "
            "staycore to read this document, or write it for schema_version 1",
        ),
    )


@pytest.mark.parametrize(
    ("version", "says"),
    [("1", 'must be the whole number 1, got "1"'), (True, "must be the whole number 1")],
)
def test_a_schema_version_that_is_no_number_is_a_problem_among_others(
    version: object, says: str
) -> None:
    problems = problems_of(minimal(schema_version=version, floor="-1"))
    assert [path for path, _ in problems] == ["schema_version", "floor"]
    assert says in problems[0][1]


def test_a_missing_schema_version_is_a_problem() -> None:
    document = minimal()
    del document["schema_version"]
    assert problems_of(document) == (
        (
            "schema_version",
            "required: the version of the format the document is written in; write 1",
        ),
    )


def test_a_document_is_a_mapping() -> None:
    assert "is a mapping (a JSON object)" in problems_of([1, 2])[0][1]


# -- reading text and files --------------------------------------------------------------------


def test_text_is_json_or_yaml_by_its_first_character() -> None:
    as_json = load_pricing(json.dumps(minimal()))
    as_yaml = load_pricing(
        "schema_version: 1\nversion: v1\ncurrency: EUR\ntimezone: Europe/Lisbon\n"
        "rate_plans: [{key: standard, unit_type: double, base_price: '100.00'}]\n"
    )
    assert as_json.rule_set() == as_yaml.rule_set()
    assert as_json.rate_plan("standard") == as_yaml.rate_plan("standard")
    assert load_pricing(json.dumps(minimal()), format="yaml").data == as_json.data


def test_a_file_is_read_by_its_suffix_or_its_content(tmp_path: Path) -> None:
    text = YAML_EXAMPLE.read_text(encoding="utf-8")
    for name in ("pricing.yml", "pricing.txt", "pricing"):
        (tmp_path / name).write_text(text, encoding="utf-8")
        assert load_pricing(tmp_path / name).data == load_pricing(JSON_EXAMPLE).data
    (tmp_path / "odd.yaml").write_text(JSON_EXAMPLE.read_text(encoding="utf-8"))
    assert (
        load_pricing(tmp_path / "odd.yaml", format="json").data == load_pricing(YAML_EXAMPLE).data
    )


def test_a_problem_in_a_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "pricing.json"
    path.write_text(json.dumps(minimal(floor="-1")), encoding="utf-8")
    with pytest.raises(InvalidRuleSetDocumentError) as refused:
        load_pricing(path)
    assert refused.value.source == str(path)
    assert str(refused.value).startswith(
        f"[pricing.invalid_document] pricing document {path} has 1 problem:"
    )


def test_a_missing_file_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_pricing(tmp_path / "missing.json")


def test_a_file_that_is_no_text_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "pricing.json"
    path.write_bytes(b"\xff\xfe{}")
    with pytest.raises(InvalidRuleSetDocumentError, match="not UTF-8 text"):
        load_pricing(path)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('{"schema_version": 1,', "not valid JSON: Expecting property name"),
        ("schema_version: [1,\n", "not valid YAML:"),
        ('{"version": "a", "version": "b"}', 'the key "version" appears twice in one object'),
        ("version: a\nversion: b\n", 'line 2: the key "version" appears twice in one mapping'),
        ("pricing.yaml", "looks like a file name"),
        ("just words", 'got "just words"'),
    ],
)
def test_text_that_is_no_document_says_why(text: str, says: str) -> None:
    with pytest.raises(InvalidRuleSetDocumentError) as refused:
        load_pricing(text)
    ((path, message),) = refused.value.problems
    assert path == ""
    assert says in message


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(InvalidRuleSetDocumentError, match="unknown format 'toml'"):
        load_pricing("{}", format="toml")  # type: ignore[arg-type]


def test_load_pricing_takes_text_or_a_path() -> None:
    with pytest.raises(TypeError, match="not bytes"):
        load_pricing(b"{}")  # type: ignore[arg-type]


def test_yaml_dates_and_times_stay_text() -> None:
    document = load_pricing(YAML_EXAMPLE)
    assert document.data.promotions[1].valid_until == "2027-01-01T00:00:00+00:00"
    assert document.data.seasons[0].nights == "2026-01-05/2026-03-20"


def test_yaml_needs_pyyaml_and_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "yaml", None)
    with pytest.raises(InvalidRuleSetDocumentError) as refused:
        load_pricing(YAML_EXAMPLE)
    assert "pip install 'staycore[yaml]'" in str(refused.value)
    assert load_pricing(JSON_EXAMPLE).rule_set().version == "2026.1"


def test_reading_json_never_imports_pyyaml() -> None:
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from staycore.pricing.schema import load_pricing\n"
        f"load_pricing(Path({str(JSON_EXAMPLE)!r}))\n"
        "print('yaml' in sys.modules)\n"
    )
    result = subprocess.run(  # noqa: S603 - this interpreter, our own script
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "False"


# -- the document's parts ----------------------------------------------------------------------


def test_an_unknown_plan_or_coupon_names_the_ones_there_are() -> None:
    document = load_pricing(JSON_EXAMPLE)
    assert_refused(
        UnknownRatePlanError,
        "pricing.unknown_rate_plan",
        'its plans are "standard", "non-refundable", "member"',
        lambda: document.rate_plan("flex"),
    )
    assert_refused(
        UnknownCouponError,
        "pricing.unknown_coupon",
        'its codes are "SUMMER10", "WELCOME25"',
        lambda: document.coupon("SPRING5"),
    )
    assert document.coupon(" summer-10 ") == document.coupons["SUMMER10"]
    assert repr(document) == (
        "PricingDocument(version='2026.1', rate_plans=['standard', 'non-refundable', 'member'])"
    )


def test_coupons_carry_their_limits() -> None:
    welcome = load_pricing(JSON_EXAMPLE).coupons["WELCOME25"]
    assert (welcome.max_uses, welcome.max_uses_per_customer, str(welcome.budget)) == (
        None,
        1,
        "EUR 2500.00",
    )


def test_every_kind_of_promotion_and_scope_reads() -> None:
    document = PricingDocument.from_data(
        minimal(
            rate_plans=[
                {"key": "standard", "unit_type": "double", "base_price": "100.00"},
                {"key": "flex", "derived_from": "standard", "change": "-10%"},
                {"key": "flexer", "derived_from": "flex", "change": "-5.00"},
            ],
            promotions=[
                {"key": "big", "kind": "threshold", "amount": "50", "threshold": "500"},
                {
                    "key": "4for3",
                    "name": "Stay 4, pay 3",
                    "kind": "free_nights",
                    "stay_nights": 4,
                    "pay_nights": 3,
                    "requires_code": False,
                    "rate_plans": ["flexer"],
                    "valid_from": "2026-01-01T00:00:00+00:00",
                    "priority": 1,
                },
            ],
            coupons={"BIG50": {"promotion": "big", "max_uses": 10}},
        )
    )
    rules = document.rule_set()
    big, free = rules.promotions
    assert (big.kind, str(big.amount), str(big.threshold)) == (
        DiscountKind.THRESHOLD,
        "EUR 50",
        "EUR 500",
    )
    assert (free.stay_nights, free.pay_nights, free.requires_code, free.priority) == (
        4,
        3,
        False,
        1,
    )
    flexer = document.rate_plan("flexer")
    assert free.rate_plans == frozenset({flexer.id})
    assert flexer.parent == document.rate_plan("flex")
    q = quote(flexer, rules, Stay.parse("2026-07-06/2026-07-10"), Guests(2), booked_at=BOOKED_AT)
    assert [(line.name, str(line.amount)) for line in q.lines] == [("Stay 4, pay 3", "EUR -85.00")]


def test_rounding_taxes_included_and_levies() -> None:
    document = PricingDocument.from_data(
        minimal(
            rate_plans=[
                {
                    "key": "standard",
                    "unit_type": "double",
                    "base_price": "100.00",
                    "taxes_included": True,
                },
            ],
            tiers={"gold": "-3.33%"},
            taxes=[
                {"name": "VAT", "percent": "10"},
                {"name": "Levy", "per_person_night": "1.50", "included": True},
            ],
            rounding={"mode": "half_up", "increment": "0.05"},
            quote_minutes=15,
        )
    )
    rules = document.rule_set()
    assert (rules.rounding.mode, rules.rounding.increment) == (
        decimal.ROUND_HALF_UP,
        Decimal("0.05"),
    )
    assert rules.quote_minutes == 15
    q = quote(
        document.rate_plan("standard"),
        rules,
        Stay.parse("2026-07-06/2026-07-07"),
        Guests(2),
        booked_at=BOOKED_AT,
        tier="gold",
    )
    assert str(q.night_prices[0]) == "EUR 96.65"  # 96.67 to the nearest 0.05
    assert [(line.kind.value, str(line.amount)) for line in q.lines] == [
        ("included tax", "EUR 8.80"),
        ("included tax", "EUR 3.00"),
    ]
    assert str(q.total) == "EUR 96.65"
    assert q.expires_at == BOOKED_AT.add(minutes=15)


def test_validated_data_can_be_kept_and_read_again() -> None:
    data = PricingData.model_validate(example())
    assert PricingDocument.from_data(data).rule_set() == load_pricing(JSON_EXAMPLE).rule_set()
    dumped = json.dumps(data.model_dump(mode="json", exclude_defaults=True))
    assert load_pricing(dumped).rule_set() == load_pricing(JSON_EXAMPLE).rule_set()
    assert copy.deepcopy(data) == data
