"""The application: every use case of staycore, wired over one storage, from one call.

:func:`bootstrap` is the one entry point a host needs. It builds the stores (an
embedded SQLite file by default, the memory adapter, or any staycore database by URL),
the payment gateway (the sandbox by default), the clock and the notifier, and returns an
:class:`Application` whose attributes are the use cases, grouped by business context.
Build it once per process (at start-up, or when a worker boots) and call it from request
handlers or tasks: the use cases hold no per-request state, and every command that
changes something takes an idempotency key, so a retried request or task is safe.

The configuration it runs under is audited: building the application records the
access policy, the service policy and the loyalty programme, and quoting records each
pricing rule set, in :attr:`Stores.audit <staycore.ports.stores.Stores.audit>`, each
as one ``configuration.changed`` entry when it is new or differs from the one recorded
last (see :mod:`staycore.app.configuration`).

Example:
    >>> import staycore
    >>> from staycore.adapters.payments.cards import SUCCEEDING_CARD
    >>> from staycore.availability.ids import PropertyId, UnitTypeId
    >>> from staycore.availability.nights import NightSelection
    >>> from staycore.availability.search import Listing
    >>> from staycore.app.orders import PlaceOrder, StayRequest
    >>> from staycore.kernel.money import Money
    >>> from staycore.kernel.time import Stay
    >>> from staycore.orders.lines import Guest
    >>> from staycore.orders.terms import BookingTerms
    >>> from staycore.pricing.ids import RatePlanId
    >>> from staycore.pricing.quote import Pricer
    >>> from staycore.pricing.rate_plans import Guests, RatePlan
    >>> from staycore.pricing.rules import RuleSet
    >>> from staycore.testing.clock import FrozenClock
    >>> app = staycore.bootstrap(store="memory", clock=FrozenClock("2026-06-01T09:00:00Z"))
    >>> garden, season = UnitTypeId.new(), Stay.parse("2026-06-01/2026-12-31")
    >>> app.availability.open_unit_type(Listing(PropertyId.new(), garden, "Garden room", 2), season)
    >>> app.availability.set_capacity(garden, NightSelection.of(season), 3)
    >>> pricer = Pricer(
    ...     RatePlan(id=RatePlanId.new(), unit_type=garden, name="Garden room",
    ...              base_price=Money.of("120.00", "EUR")),
    ...     RuleSet(version="2026", currency="EUR", timezone="Europe/Paris"))
    >>> quote = app.pricing.quote(pricer, Stay.parse("2026-07-10/2026-07-12"), Guests(2))
    >>> order = app.booking.place(
    ...     PlaceOrder(guest=Guest(name="Mei Tan", email="mei@example.com"),
    ...                terms=BookingTerms(timezone="Europe/Paris"),
    ...                stays=[StayRequest(pricer=pricer, quote=quote)]),
    ...     idempotency_key="web-7f3a")
    >>> paid = app.booking.pay(order.id, method=SUCCEEDING_CARD, idempotency_key="pay-7f3a")
    >>> paid.order.status.value, str(paid.order.received)
    ('confirmed', 'EUR 240.00')
    >>> [message.template for message in app.notifier.sent]
    ['payment.received', 'booking.confirmed']
    >>> [record.entry.record for record in app.stores.audit.records()]
    ['configuration:access_policy', 'configuration:service_policy',
     'configuration:rule_set:2026']
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar, cast

import attrs

from staycore.adapters.memory import RecordingNotifier, memory_stores
from staycore.adapters.payments import SandboxGateway
from staycore.app.access import AccessDeniedError, AccessPolicy, Actor, Gatekeeper
from staycore.app.analytics import Analytics
from staycore.app.appointments import Appointments
from staycore.app.availability import Availability
from staycore.app.configuration import record_configuration
from staycore.app.guest_data import GuestData
from staycore.app.loyalty import Loyalty
from staycore.app.order_holds import OrderHolds
from staycore.app.orders import Orders
from staycore.app.pricing import Pricing
from staycore.app.reviews import Reviews
from staycore.app.service_desk import ServiceDesk
from staycore.availability.ids import UnitTypeId
from staycore.kernel.errors import (
    AggregateNotFoundError,
    InvalidStoreUrlError,
    StaycoreError,
    StoreSchemaError,
)
from staycore.kernel.ids import Identifier
from staycore.kernel.time import Clock, Stay, SystemClock, local_date
from staycore.membership.ids import CustomerId, ServiceRequestId
from staycore.membership.profiles import CustomerProfile
from staycore.membership.programme import LoyaltyProgramme
from staycore.membership.service import ServicePolicy, ServiceRequest
from staycore.orders.ids import OrderId
from staycore.orders.order import Order
from staycore.ports.cipher import Cipher
from staycore.ports.notifier import Notifier
from staycore.ports.payments import PaymentGateway
from staycore.ports.persistence import Aggregate
from staycore.ports.stores import Stores

if TYPE_CHECKING:
    from staycore.adapters.sql import Database

__all__ = ["DEFAULT_STORE", "Application", "NotConfiguredError", "bootstrap"]

DEFAULT_STORE = "sqlite:///staycore.db"
"""Where :func:`bootstrap` keeps everything unless told otherwise: a SQLite file in the
current directory (it needs the ``sql`` extra)."""

# How far ahead search looks by default: two years of nights from today.
_SEARCH_NIGHTS = 730


# The records a call can be about, by the type of their id: what ownership and audit read.
_KINDS: dict[type[Identifier], type[Aggregate]] = {
    OrderId: Order,
    CustomerId: CustomerProfile,
    ServiceRequestId: ServiceRequest,
}

T = TypeVar("T")


class _Guarded:
    """A use case as an actor may call it: every method through the gatekeeper."""

    def __init__(self, target: object, context: str, actor: Actor, gate: Gatekeeper) -> None:
        self._target = target
        self._context = context
        self._actor = actor
        self._gate = gate

    def __getattr__(self, name: str) -> Callable[..., object]:
        operation = f"{self._context}.{name}"
        method = getattr(self._target, name)
        if name.startswith("_") or not callable(method):
            # Attributes that are not use cases (a search index, a policy) stay with
            # the application itself: acting_as is for calls an actor makes.
            msg = f"{operation} is not a use case; read it from the application itself"
            raise AccessDeniedError(msg)

        def call(*args: object, **kwargs: object) -> object:
            return self._gate.call(self._actor, operation, method, args, kwargs)

        return call

    def __repr__(self) -> str:
        return f"<{self._context} as {self._actor.id}>"


class NotConfiguredError(StaycoreError):
    """A use case was asked for that :func:`bootstrap` was not given what it needs."""

    code = "app.not_configured"


@attrs.frozen(kw_only=True, eq=False)
class Application:
    """Every use case of staycore over one set of stores, built by :func:`bootstrap`.

    The groups follow the bounded contexts. The catalogue is kept with what it sells:
    unit types and units by :attr:`availability`, resources and services by
    :attr:`appointments`. The CRM is :attr:`service_desk`, :attr:`reviews`,
    :attr:`guest_data` and the customer profiles of :attr:`loyalty`; :attr:`analytics`
    reads them all.

    Attributes:
        availability: The catalogue of unit types and their nightly calendars,
            restrictions, holds, search and channel feeds.
        pricing: Quotes, with the coupon codes a guest typed.
        booking: Orders from quote to check-out: placing, approval, payment, webhooks,
            cancellation, date changes, the stay, and the sweeper.
        reviews: One review per stay after check-out.
        appointments: Resources, their free slots and holds on them.
        service_desk: Guests' service requests and complaints (the CRM desk).
        guest_data: Everything held about a guest, exported on their request.
        analytics: The KPIs of a period, the churn watch list and the RFM segments,
            read from the stores.
        stores: The stores everything above runs on.
        payments: The payment gateway.
        clock: The clock every use case reads.
        notifier: Where messages to guests go.
        database: The SQL database under :attr:`stores`, or ``None`` in memory.
        access: Who may do what, through :meth:`acting_as`; :func:`bootstrap` records it
            in the audit log when it is new or changed.
    """

    availability: Availability
    pricing: Pricing
    booking: Orders
    reviews: Reviews
    appointments: Appointments
    service_desk: ServiceDesk
    guest_data: GuestData
    analytics: Analytics
    stores: Stores
    payments: PaymentGateway
    clock: Clock
    notifier: Notifier
    database: Database | None = None
    access: AccessPolicy = attrs.field(factory=AccessPolicy.least_privilege)
    _loyalty: Loyalty | None = attrs.field(default=None, alias="loyalty")

    @property
    def loyalty(self) -> Loyalty:
        """Members, tiers, points and rewards, under the programme given to :func:`bootstrap`.

        Raises:
            NotConfiguredError: No programme was given.
        """
        if self._loyalty is None:
            msg = (
                "this application has no loyalty programme; pass programme=... to "
                "staycore.bootstrap (see LoyaltyProgramme.from_data)"
            )
            raise NotConfiguredError(msg)
        return self._loyalty

    def acting_as(self, actor: Actor) -> Application:
        """This application as ``actor`` may use it: every use case checked and audited.

        Each call is checked against :attr:`access` (see :mod:`staycore.app.access`): a
        call the actor's roles do not allow raises
        :class:`~staycore.app.access.AccessDeniedError`, and the refusal is written to
        the audit log (:attr:`Stores.audit <staycore.ports.stores.Stores.audit>`), as is
        every call that changes money, personal data, the catalogue or points. Build one
        per request, from the signed-in user; it costs two small objects.

        Example:
            Continuing the module example above:

            >>> from staycore.app.access import Actor
            >>> desk = app.acting_as(Actor(id="staff:ana", roles={"front_desk"}))
            >>> desk.booking.get(order.id).status.value
            'confirmed'
            >>> desk.booking.capture(order.id, idempotency_key="cap-1")
            Traceback (most recent call last):
            ...
            staycore.app.access.AccessDeniedError: [access.denied] staff:ana (roles front_desk) ...
            >>> app.stores.audit.head().entry.action
            'access.denied:booking.capture'
        """
        gate = Gatekeeper(self.access, self.stores.audit, self.clock, self._record_of)

        def guarded(context: str, target: T) -> T:
            return cast(T, _Guarded(target, context, actor, gate))

        return attrs.evolve(
            self,
            availability=guarded("availability", self.availability),
            pricing=guarded("pricing", self.pricing),
            booking=guarded("booking", self.booking),
            reviews=guarded("reviews", self.reviews),
            appointments=guarded("appointments", self.appointments),
            service_desk=guarded("service_desk", self.service_desk),
            guest_data=guarded("guest_data", self.guest_data),
            analytics=guarded("analytics", self.analytics),
            loyalty=None if self._loyalty is None else guarded("loyalty", self._loyalty),
        )

    def _record_of(self, target: Identifier) -> object | None:
        """The order, profile or service request ``target`` names, as it is now."""
        kind = _KINDS.get(type(target))
        if kind is None:
            return None
        try:
            with self.stores.aggregates.unit_of_work() as uow:
                return uow.repository(kind).get(target)
        except AggregateNotFoundError:
            return None

    def close(self) -> None:
        """Close the database's connections; the application cannot be used after."""
        if self.database is not None:
            self.database.dispose()

    def __enter__(self) -> Application:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def bootstrap(
    *,
    store: str | Stores = DEFAULT_STORE,
    payments: PaymentGateway | None = None,
    clock: Clock | None = None,
    notifier: Notifier | None = None,
    programme: LoyaltyProgramme | None = None,
    service_policy: ServicePolicy | None = None,
    search_horizon: Stay | None = None,
    schema: str | None = None,
    migrate: bool | None = None,
    access: AccessPolicy | None = None,
    cipher: Cipher | None = None,
) -> Application:
    """Build the application: its stores, gateway, clock and notifier, and every use case.

    Args:
        store: ``"memory"`` for the memory adapter (nothing outlives the process), a
            database URL (``sqlite:///path.db``, ``postgresql+psycopg://...``; needs the
            ``sql`` or ``postgres`` extra), or stores built by hand. Default:
            :data:`DEFAULT_STORE`.
        payments: The payment gateway. Default: the sandbox, signing webhooks with a
            random secret (pass your own :class:`SandboxGateway` to know it).
        clock: Default: the system clock.
        notifier: Default: a :class:`RecordingNotifier`, which keeps what it sends.
        programme: The loyalty programme; without one, :attr:`Application.loyalty`
            refuses to run.
        service_policy: The service desk's categories and deadlines (default:
            :meth:`ServicePolicy.default`).
        search_horizon: The nights search covers. Default: two years from today.
        schema: PostgreSQL: the schema staycore's tables are in.
        migrate: Create or upgrade staycore's tables on start. Default: yes for a
            SQLite file, which has no one else to do it; no for PostgreSQL, where
            ``staycore db upgrade URL`` runs once per release, not in every server.
        access: Who may do what through :meth:`Application.acting_as` (default:
            :meth:`AccessPolicy.least_privilege`).
        cipher: Encrypts guests' personal data at rest in a database store, such as
            :class:`~staycore.adapters.crypto.AesGcmCipher` (the memory store keeps
            nothing at rest, and ignores it).

    The access policy, the service policy and the programme (when given) are recorded
    in the audit log (:attr:`Stores.audit <staycore.ports.stores.Stores.audit>`) as the
    configurations ``access_policy``, ``service_policy`` and ``loyalty_programme``:
    one ``configuration.changed`` entry each time one differs from what the log
    recorded last, none when it is the same (see :mod:`staycore.app.configuration`).
    The pricing use cases record each rule set they price with in the same way.

    Raises:
        InvalidStoreUrlError: The URL is not a SQLite or PostgreSQL URL, or its extra is
            not installed.
        StoreSchemaError: The database's tables are missing or older than this staycore
            and ``migrate`` is off: run ``staycore db upgrade URL``.
        StoreUnavailableError: The database cannot be reached.

    Example:
        See the module example; on a SQLite file, built twice, the second time with a
        policy that grants the front desk payments too:

        >>> import pathlib, tempfile, staycore
        >>> from staycore.app.access import AccessPolicy
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "hotel.db"
        >>> with staycore.bootstrap(store=f"sqlite:///{path}") as app:
        ...     type(app.stores.inventory).__name__
        'SqlInventoryStore'
        >>> wider = AccessPolicy.from_data({"front_desk": ["orders.read", "payments.take"]})
        >>> with staycore.bootstrap(store=f"sqlite:///{path}", access=wider) as app:
        ...     [(r.sequence, r.entry.detail) for r in app.stores.audit.records()]
        [(1, 'access_policy: first recorded'), (2, 'service_policy: first recorded'),
         (3, 'access_policy: changed since record 1')]
    """
    clock = SystemClock() if clock is None else clock
    database: Database | None = None
    if isinstance(store, Stores):
        stores = store
    elif store == "memory":
        stores = memory_stores(clock)
    elif isinstance(store, str):
        database = _database(store, schema=schema, migrate=migrate)
        from staycore.adapters.sql import sql_stores  # noqa: PLC0415 - the sql extra

        stores = sql_stores(database, clock, cipher=cipher)
    else:
        msg = f"store must be 'memory', a database URL or Stores, got {store!r}"
        raise InvalidStoreUrlError(msg)
    if payments is None:
        payments = SandboxGateway(clock, secret=secrets.token_hex(16))
    notifier = RecordingNotifier() if notifier is None else notifier
    if search_horizon is None:
        today = local_date(clock.now(), "UTC")
        search_horizon = Stay(today, today + dt.timedelta(days=_SEARCH_NIGHTS))
    availability = Availability(stores.inventory, stores.restrictions, horizon=search_horizon)
    pricing = Pricing(stores.coupons, clock, audit=stores.audit)
    uow = stores.aggregates.unit_of_work
    booking = Orders(
        uow=uow,
        queries=stores.orders,
        holds=OrderHolds(availability, stores.appointments, stores.stock),
        pricing=pricing,
        gateway=payments,
        notifier=notifier,
        idempotency=stores.idempotency,
        clock=clock,
        atomic=stores.atomic,
    )
    loyalty = None
    if programme is not None:
        loyalty = Loyalty(
            uow=uow,
            ledger=stores.points,
            coupons=stores.coupons,
            members=stores.members,
            orders=stores.orders,
            notifier=notifier,
            idempotency=stores.idempotency,
            clock=clock,
            programme=programme,
        )
    service_desk = ServiceDesk(
        uow=uow,
        queries=stores.service_requests,
        clock=clock,
        notifier=notifier,
        idempotency=stores.idempotency,
        policy=service_policy,
    )
    access = AccessPolicy.least_privilege() if access is None else access
    try:
        _record_configuration(stores, clock, access, service_desk.policy, programme)
    except BaseException:
        if database is not None:
            database.dispose()
        raise
    return Application(
        availability=availability,
        pricing=pricing,
        booking=booking,
        reviews=Reviews(uow=uow, queries=stores.orders, clock=clock),
        appointments=Appointments(stores.appointments, clock),
        service_desk=service_desk,
        guest_data=GuestData(uow=uow, aggregates=stores.aggregates, points=stores.points),
        analytics=Analytics(
            aggregates=stores.aggregates,
            inventory=stores.inventory,
            points=stores.points,
            members=stores.members,
            clock=clock,
            unit_types=_unit_types(database, availability),
        ),
        loyalty=loyalty,
        stores=stores,
        payments=payments,
        clock=clock,
        notifier=notifier,
        database=database,
        access=access,
    )


def _record_configuration(
    stores: Stores,
    clock: Clock,
    access: AccessPolicy,
    service_policy: ServicePolicy,
    programme: LoyaltyProgramme | None,
) -> None:
    """Record the configuration the application is built with, where it changed."""
    configuration: dict[str, object] = {
        "access_policy": access,
        "service_policy": service_policy,
    }
    if programme is not None:
        configuration["loyalty_programme"] = programme
    for name, value in configuration.items():
        record_configuration(stores.audit, clock, name=name, value=value)


def _unit_types(
    database: Database | None, availability: Availability
) -> Callable[[], tuple[UnitTypeId, ...]]:
    """Lists every unit type with a calendar, for the room nights analytics count.

    On a database, every calendar in it, whoever opened it; otherwise (the memory
    adapter, stores built by hand) the unit types this application lists in search.
    """
    if database is None:
        index = availability.index
        return lambda: tuple(index.listing_at(i).unit_type for i in range(len(index)))
    import sqlalchemy as sa  # noqa: PLC0415 - the sql extra

    from staycore.adapters.sql.inventory import inventory_calendars  # noqa: PLC0415

    def calendared() -> tuple[UnitTypeId, ...]:
        query = sa.select(inventory_calendars.c.unit_type).order_by(inventory_calendars.c.unit_type)
        with database.transaction(write=False) as connection:
            return tuple(UnitTypeId(found) for found in connection.execute(query).scalars())

    return calendared


def _database(url: str, *, schema: str | None, migrate: bool | None) -> Database:
    """The database at ``url``, its tables brought up to date or checked."""
    try:
        from staycore.adapters.sql import Database  # noqa: PLC0415 - the sql extra
        from staycore.adapters.sql.migrations import (  # noqa: PLC0415
            current_revision,
            head_revision,
            upgrade,
        )
    except ModuleNotFoundError as missing:
        msg = f"a database store needs the sql extra: pip install 'staycore[sql]' ({missing})"
        raise InvalidStoreUrlError(msg) from None
    database = Database(url, schema=schema)
    try:
        if migrate if migrate is not None else database.engine.dialect.name == "sqlite":
            upgrade(database)
        else:
            found, wanted = current_revision(database), head_revision()
            if found != wanted:
                msg = (
                    f"the database at {database.url} has staycore's tables at revision "
                    f"{found or 'none'}, this staycore needs {wanted}: run "
                    f"`staycore db upgrade {database.url}`, or pass migrate=True"
                )
                raise StoreSchemaError(msg)
    except BaseException:
        database.dispose()
        raise
    return database
