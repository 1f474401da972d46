"""Configuration changes in the audit log: policies at bootstrap, rule sets at the first quote."""

from __future__ import annotations

import datetime as dt
import gc
from pathlib import Path

import attrs
import pytest

import staycore
from staycore.adapters.memory import MemoryAuditLog, MemoryCouponStore, memory_stores
from staycore.adapters.sql import Database, sql_stores
from staycore.app.access import AccessPolicy
from staycore.app.configuration import (
    CONFIGURATION_CHANGED,
    configuration_digest,
    configuration_record,
    record_configuration,
    rule_set_name,
)
from staycore.app.pricing import Pricing
from staycore.application import Application
from staycore.availability.ids import UnitTypeId
from staycore.kernel.audit import (
    MAX_NAME_LENGTH,
    AuditEntry,
    AuditRecord,
    InvalidAuditEntryError,
    verify_chain,
)
from staycore.kernel.errors import StoreBusyError
from staycore.kernel.money import Money
from staycore.kernel.time import Stay
from staycore.membership.service import ServicePolicy
from staycore.ports.audit import AuditLog
from staycore.ports.stores import Stores
from staycore.pricing.changes import PriceChange
from staycore.pricing.errors import PricingError
from staycore.pricing.ids import RatePlanId
from staycore.pricing.quote import Pricer
from staycore.pricing.rate_plans import Guests, RatePlan
from staycore.pricing.rules import RuleSet
from staycore.testing.clock import FrozenClock
from staycore.testing.hotel import garden_rewards

NOW = "2026-06-01T09:00:00Z"
STAY = Stay.parse("2026-07-10/2026-07-12")
LOFT = RatePlan(
    id=RatePlanId("rp_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"),
    unit_type=UnitTypeId("ut_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"),
    name="Loft",
    base_price=Money.of("100.00", "EUR"),
)
NIGHT_AUDIT = AccessPolicy.from_data({"night_audit": ["stays.manage", "orders.read"]})


def rules(version: str = "2026", *, gold: str | None = None) -> RuleSet:
    """A rule set; ``gold`` gives gold members a percentage, so that the rules differ."""
    tiers = {} if gold is None else {"gold": PriceChange.percent(gold)}
    return RuleSet(version=version, currency="EUR", timezone="Europe/Paris", tiers=tiers)


def changes(audit: AuditLog) -> list[tuple[str, str | None, str | None]]:
    """Each configuration change: its record and its digests before and after."""
    return [
        (r.entry.record, r.entry.before_digest, r.entry.after_digest)
        for r in audit.records()
        if r.entry.action == CONFIGURATION_CHANGED
    ]


def recorded(audit: AuditLog) -> list[str]:
    return [record for record, _, _ in changes(audit)]


def assert_intact(audit: AuditLog) -> None:
    report = verify_chain(audit.records())
    assert report.ok, report.problems


@attrs.define
class CountingLog:
    """An audit log that counts the lookups and appends made on it, and can refuse appends."""

    log: AuditLog
    lookups: int = 0
    appends: int = 0
    refuse: int = 0

    def append(self, entry: AuditEntry) -> AuditRecord:
        if self.refuse:
            self.refuse -= 1
            raise StoreBusyError("the audit log is locked")
        self.appends += 1
        return self.log.append(entry)

    def records(self, *, after: int = 0, limit: int | None = None) -> tuple[AuditRecord, ...]:
        return self.log.records(after=after, limit=limit)

    def head(self) -> AuditRecord | None:
        return self.log.head()

    def latest(self, record: str) -> AuditRecord | None:
        self.lookups += 1
        return self.log.latest(record)


# -- record_configuration ------------------------------------------------------------


def test_a_configuration_is_recorded_once_then_at_each_change() -> None:
    log, clock = MemoryAuditLog(), FrozenClock(NOW)
    least = AccessPolicy.least_privilege()
    first = record_configuration(log, clock, name="access_policy", value=least)
    assert first is not None
    assert record_configuration(log, clock, name="access_policy", value=least) is None
    assert record_configuration(log, clock, name="access_policy", value=attrs.evolve(least)) is None
    clock.advance(dt.timedelta(hours=1))
    second = record_configuration(
        log, clock, name="access_policy", value=NIGHT_AUDIT, actor="staff:boss"
    )
    assert second is not None
    entry = second.entry
    assert (entry.actor, entry.action, entry.record) == (
        "staff:boss",
        "configuration.changed",
        "configuration:access_policy",
    )
    assert entry.before_digest == first.entry.after_digest == configuration_digest(least)
    assert entry.after_digest == configuration_digest(NIGHT_AUDIT)
    assert entry.at == clock.now()
    assert entry.detail == "access_policy: changed since record 1"
    # Back to the first policy: a change again, from the second.
    third = record_configuration(log, clock, name="access_policy", value=least)
    assert third is not None
    assert (third.entry.before_digest, third.entry.after_digest) == (
        configuration_digest(NIGHT_AUDIT),
        configuration_digest(least),
    )
    assert log.latest("configuration:access_policy") == third
    assert_intact(log)


def test_each_configuration_has_its_own_history() -> None:
    log, clock = MemoryAuditLog(), FrozenClock(NOW)
    record_configuration(log, clock, name="a", value={"x": 1})
    record_configuration(log, clock, name="b", value={"x": 1})
    assert record_configuration(log, clock, name="a", value={"x": 1}) is None
    assert [r.entry.record for r in log.records()] == ["configuration:a", "configuration:b"]


def test_staycore_s_configuration_values_have_plain_digests() -> None:
    values: list[object] = [
        AccessPolicy.least_privilege(),
        ServicePolicy.default(),
        garden_rewards(),
        rules(gold="-10"),
    ]
    for value in values:
        digest = configuration_digest(value)
        assert len(digest) == 64
        assert configuration_digest(value) == digest
    assert configuration_digest(rules(gold="-10")) != configuration_digest(rules(gold="-20"))


def test_parts_with_no_plain_form_are_digested_the_same_in_every_process() -> None:
    def bonus(nights: int) -> int:
        return nights * 2

    @attrs.frozen
    class Odd:
        threshold: float
        rule: object
        opaque: object

    class Opaque:
        pass

    value = Odd(threshold=0.5, rule=bonus, opaque=Opaque())
    digest = configuration_digest(value)
    assert configuration_digest(Odd(threshold=0.5, rule=bonus, opaque=Opaque())) == digest
    assert configuration_digest(attrs.evolve(value, threshold=0.25)) != digest
    assert configuration_digest(attrs.evolve(value, rule=len)) != digest
    assert configuration_digest({"set": {0.5, 1.5}}) == configuration_digest({"set": {1.5, 0.5}})


@pytest.mark.parametrize("name", ["", "   ", "line\nbreak", "x" * MAX_NAME_LENGTH, 7])
def test_a_name_that_cannot_be_recorded_is_refused_before_anything_is_read(name: object) -> None:
    log = CountingLog(MemoryAuditLog())
    with pytest.raises(InvalidAuditEntryError, match="configuration's name"):
        record_configuration(log, FrozenClock(NOW), name=name, value={})  # type: ignore[arg-type]
    assert (log.lookups, log.appends) == (0, 0)


def test_a_rule_set_version_that_cannot_be_a_record_name_is_named_by_its_digest() -> None:
    assert rule_set_name("2026-summer") == "rule_set:2026-summer"
    for version in ("v\n2", "v" * MAX_NAME_LENGTH):
        name = rule_set_name(version)
        assert name.startswith("rule_set:sha256:")
        assert len(configuration_record(name)) <= MAX_NAME_LENGTH
    assert rule_set_name("v\n2") != rule_set_name("v\n3")


# -- bootstrap ------------------------------------------------------------------------


def test_bootstrap_records_the_policies_once_over_the_same_stores() -> None:
    clock = FrozenClock(NOW)
    stores = memory_stores(clock)
    staycore.bootstrap(store=stores, clock=clock)
    staycore.bootstrap(store=stores, clock=clock)
    assert recorded(stores.audit) == [
        "configuration:access_policy",
        "configuration:service_policy",
    ]
    [(_, before, after), _] = changes(stores.audit)
    assert before is None
    assert after == configuration_digest(AccessPolicy.least_privilege())
    assert {r.entry.actor for r in stores.audit.records()} == {"system"}


def test_a_changed_policy_is_recorded_from_the_one_before() -> None:
    clock = FrozenClock(NOW)
    stores = memory_stores(clock)
    staycore.bootstrap(store=stores, clock=clock)
    first = stores.audit.latest("configuration:access_policy")
    app = staycore.bootstrap(store=stores, clock=clock, access=NIGHT_AUDIT)
    assert app.access is NIGHT_AUDIT
    second = stores.audit.latest("configuration:access_policy")
    assert first is not None
    assert second is not None
    assert second.sequence == 3
    assert second.entry.before_digest == first.entry.after_digest
    assert second.entry.after_digest == configuration_digest(NIGHT_AUDIT)
    staycore.bootstrap(store=stores, clock=clock, access=NIGHT_AUDIT)
    assert len(stores.audit.records()) == 3
    assert_intact(stores.audit)


def test_the_programme_and_the_service_policy_are_recorded_as_given() -> None:
    clock = FrozenClock(NOW)
    stores = memory_stores(clock)
    staycore.bootstrap(store=stores, clock=clock, programme=garden_rewards())
    staycore.bootstrap(store=stores, clock=clock, programme=garden_rewards())
    strict = ServicePolicy(ServicePolicy.default().categories, feedback_within=dt.timedelta(days=4))
    staycore.bootstrap(store=stores, clock=clock, service_policy=strict)  # no programme
    assert recorded(stores.audit) == [
        "configuration:access_policy",
        "configuration:service_policy",
        "configuration:loyalty_programme",
        "configuration:service_policy",
    ]
    programme = stores.audit.latest("configuration:loyalty_programme")
    assert programme is not None
    assert programme.entry.after_digest == configuration_digest(garden_rewards())
    service = stores.audit.latest("configuration:service_policy")
    assert service is not None
    assert service.entry.before_digest == configuration_digest(ServicePolicy.default())
    assert service.entry.after_digest == configuration_digest(strict)


def test_bootstrap_reads_one_latest_record_per_configuration() -> None:
    clock = FrozenClock(NOW)
    stores = memory_stores(clock)
    log = CountingLog(stores.audit)
    staycore.bootstrap(
        store=attrs.evolve(stores, audit=log), clock=clock, programme=garden_rewards()
    )
    assert (log.lookups, log.appends) == (3, 3)


# -- pricing --------------------------------------------------------------------------


def quote(app: Application | Pricing, rule_set: RuleSet, guests: int = 2) -> None:
    pricing = app.pricing if isinstance(app, Application) else app
    pricing.quote(Pricer(LOFT, rule_set), STAY, Guests(guests))


def test_a_rule_set_is_recorded_when_first_quoted_and_when_its_rules_change() -> None:
    clock = FrozenClock(NOW)
    stores = memory_stores(clock)
    app = staycore.bootstrap(store=stores, clock=clock)
    booted = len(stores.audit.records())
    quote(app, rules("2026"))
    assert recorded(stores.audit)[booted:] == ["configuration:rule_set:2026"]
    quote(app, rules("2026"), guests=1)  # an equal rule set, built again
    assert len(stores.audit.records()) == booted + 1
    quote(app, rules("2027"))  # a new version
    quote(app, rules("2027", gold="-10"))  # the same version, other rules
    assert changes(stores.audit)[booted:] == [
        ("configuration:rule_set:2026", None, configuration_digest(rules("2026"))),
        ("configuration:rule_set:2027", None, configuration_digest(rules("2027"))),
        (
            "configuration:rule_set:2027",
            configuration_digest(rules("2027")),
            configuration_digest(rules("2027", gold="-10")),
        ),
    ]
    # Another process, with the rule sets in force now: nothing new.
    again = staycore.bootstrap(store=stores, clock=clock)
    quote(again, rules("2026"))
    quote(again, rules("2027", gold="-10"))
    assert len(stores.audit.records()) == booted + 3
    assert_intact(stores.audit)


def test_a_rule_set_already_seen_costs_no_lookup() -> None:
    log = CountingLog(MemoryAuditLog())
    pricing = Pricing(MemoryCouponStore(), FrozenClock(NOW), audit=log)
    pricer = Pricer(LOFT, rules())
    for guests in (1, 2, 2, 1):
        pricing.quote(pricer, STAY, Guests(guests))
    assert (log.lookups, log.appends) == (1, 1)
    quote(pricing, rules())  # equal, not the same object: a digest, still no lookup
    assert log.lookups == 1


def test_a_rule_set_gone_and_its_id_reused_is_not_taken_for_another() -> None:
    log = CountingLog(MemoryAuditLog())
    pricing = Pricing(MemoryCouponStore(), FrozenClock(NOW), audit=log)
    for n in range(20):  # rule sets built and dropped: ids are reused
        quote(pricing, rules(f"v{n % 4}", gold=f"-{n % 3 + 1}"))
        gc.collect()
    assert log.appends == len({(n % 4, n % 3) for n in range(20)})
    assert len(pricing._known) <= 1


def test_a_quote_whose_rule_set_cannot_be_recorded_fails_and_is_recorded_next_time() -> None:
    log = CountingLog(MemoryAuditLog(), refuse=1)
    pricing = Pricing(MemoryCouponStore(), FrozenClock(NOW), audit=log)
    pricer = Pricer(LOFT, rules())
    with pytest.raises(StoreBusyError):
        pricing.quote(pricer, STAY, Guests(2))
    assert log.records() == ()
    pricing.quote(pricer, STAY, Guests(2))
    assert recorded(log) == ["configuration:rule_set:2026"]


def test_pricing_without_an_audit_log_records_nothing() -> None:
    clock = FrozenClock(NOW)
    stores = memory_stores(clock)
    quote(Pricing(stores.coupons, clock), rules())
    assert stores.audit.records() == ()


def test_a_quote_refused_records_no_rule_set() -> None:
    log = MemoryAuditLog()
    pricing = Pricing(MemoryCouponStore(), FrozenClock(NOW), audit=log)
    with pytest.raises(PricingError, match="tier"):
        pricing.quote(Pricer(LOFT, rules()), STAY, Guests(2), tier=5)  # type: ignore[arg-type]
    assert log.records() == ()


# -- on SQL ----------------------------------------------------------------------------


def sql_app(database: Database, clock: FrozenClock, **options: object) -> Application:
    stores: Stores = sql_stores(database, clock)
    return staycore.bootstrap(store=stores, clock=clock, **options)  # type: ignore[arg-type]


def test_on_sql_policies_and_rule_sets_are_recorded_once_per_change(database: Database) -> None:
    clock = FrozenClock(NOW)
    app = sql_app(database, clock, programme=garden_rewards())
    quote(app, rules("2026"))
    quote(app, rules("2026"))
    # A restart, and a second server, with the same configuration: nothing new.
    again = sql_app(database, clock, programme=garden_rewards())
    quote(again, rules("2026"))
    second_server = Database(database.url, schema=database.schema)
    try:
        quote(sql_app(second_server, clock, programme=garden_rewards()), rules("2026"))
    finally:
        second_server.dispose()
    assert recorded(app.stores.audit) == [
        "configuration:access_policy",
        "configuration:service_policy",
        "configuration:loyalty_programme",
        "configuration:rule_set:2026",
    ]
    # A new policy and new rules under the same version: one change each.
    changed = sql_app(database, clock, access=NIGHT_AUDIT, programme=garden_rewards())
    quote(changed, rules("2026", gold="-5"))
    quote(changed, rules("2026", gold="-5"))
    audit = changed.stores.audit
    assert changes(audit)[4:] == [
        (
            "configuration:access_policy",
            configuration_digest(AccessPolicy.least_privilege()),
            configuration_digest(NIGHT_AUDIT),
        ),
        (
            "configuration:rule_set:2026",
            configuration_digest(rules("2026")),
            configuration_digest(rules("2026", gold="-5")),
        ),
    ]
    latest = audit.latest("configuration:rule_set:2026")
    assert latest is not None
    assert latest.sequence == 6
    assert_intact(audit)


def test_on_a_sqlite_url_a_restart_records_nothing_new(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hotel.db'}"
    clock = FrozenClock(NOW)
    with staycore.bootstrap(store=url, clock=clock) as app:
        quote(app, rules())
    with staycore.bootstrap(store=url, clock=clock) as app:
        quote(app, rules())
        assert recorded(app.stores.audit) == [
            "configuration:access_policy",
            "configuration:service_policy",
            "configuration:rule_set:2026",
        ]
    with staycore.bootstrap(store=url, clock=clock, access=NIGHT_AUDIT) as app:
        assert len(app.stores.audit.records()) == 4
        assert_intact(app.stores.audit)
