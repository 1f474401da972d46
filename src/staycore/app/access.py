"""Who may call which use case: actors, roles, permissions as data, and the audit of both.

Every use case needs a permission, named in :data:`PERMISSIONS` (``booking.cancel``
needs ``orders.change``). An :class:`AccessPolicy` grants permissions to roles, as data
(a mapping from role to permissions, readable from JSON); a permission ending in
``:own`` is granted only on the actor's own records (their orders, their profile, their
service requests). :meth:`AccessPolicy.least_privilege` is the default set:

========== ==================================================================================
role       may
========== ==================================================================================
guest      quote and book; read, pay, change and cancel their own orders; review their own
           stays; open their own service requests; read their own profile and points, give
           consent, redeem rewards, export their own data
front_desk quote, book, read and change orders, check guests in and out, hold and release
           rooms and slots, read profiles, open service requests; no payments, no analytics
marketing  read profiles and analytics (``analytics.read``: KPIs, the churn watch list, RFM
           segments); no edits, no export of guests' data (grant ``customers.export``)
support    service requests, reading orders and profiles; no payments, no analytics
finance    payments, captures and refunds (cancellations), points adjustments, reading
           orders, analytics
owner      everything (``*``), and the only role that erases a guest's data
system     the sweeper, webhooks, loyalty's reactions to orders and reviews, holds
========== ==================================================================================

Analytics (:mod:`staycore.app.analytics`) are aggregates and scores that name customers
by their pseudonymous id only: a role that reads them learns no guest's name or contact
details, and the guest's own role never reads them, since they rank every customer.

Only the actor's own records, and for owners every record, come back with guests'
personal data as it is (``personal.read``); for every other role, what a use case
returns has its names, e-mail addresses, phones and identity numbers masked
(``M***``, ``m***@example.com``, ``138****1234``), as the policy's
:class:`~staycore.kernel.masking.MaskingPolicy` says.

:class:`Gatekeeper` checks a call against the policy, and writes to the audit log every
refusal and every call that changes money, personal data, the catalogue or points, or
exports a guest's data, with digests of the record before and after.
:meth:`staycore.application.Application.acting_as` puts one in front of every use case.

Example:
    >>> from staycore.app.access import AccessPolicy, Actor
    >>> policy = AccessPolicy.least_privilege()
    >>> desk = Actor(id="staff:ana", roles={"front_desk"})
    >>> policy.allows(desk, "booking.check_in"), policy.allows(desk, "booking.capture")
    (True, False)
    >>> policy.needs("booking.capture")
    'payments.manage'
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Final

import attrs

from staycore.kernel.audit import AuditEntry, digest_of
from staycore.kernel.errors import StaycoreError
from staycore.kernel.events import plain_value
from staycore.kernel.ids import Identifier
from staycore.kernel.masking import MaskingPolicy, masked
from staycore.kernel.time import Clock
from staycore.membership.ids import CustomerId
from staycore.ports.audit import AuditLog

__all__ = [
    "AUDITED",
    "PERMISSIONS",
    "PERSONAL_READ",
    "AccessDeniedError",
    "AccessPolicy",
    "Actor",
    "Gatekeeper",
    "InvalidAccessPolicyError",
    "Ownership",
]


class AccessDeniedError(StaycoreError):
    """The actor's roles do not grant the permission the call needs."""

    code = "access.denied"


class InvalidAccessPolicyError(StaycoreError):
    """An access policy names an unknown permission, or is not a mapping of roles."""

    code = "access.invalid_policy"


class Ownership(enum.Enum):
    """How far a grant reaches: every record, or only the actor's own."""

    ANY = "any"
    OWN = "own"


PERMISSIONS: Final[Mapping[str, str]] = {
    # availability: the catalogue, calendars and holds
    "availability.assign": "catalog.manage",
    "availability.block": "catalog.manage",
    "availability.unblock": "catalog.manage",
    "availability.import_feed": "catalog.manage",
    "availability.open_unit_type": "catalog.manage",
    "availability.restrict": "catalog.manage",
    "availability.set_allowance": "catalog.manage",
    "availability.set_capacity": "catalog.manage",
    "availability.resync": "catalog.manage",
    "availability.check": "availability.read",
    "availability.search": "availability.read",
    "availability.export_entries": "availability.read",
    "availability.hold": "availability.read",
    "availability.hold_stay": "holds.manage",
    "availability.replace_stay": "holds.manage",
    "availability.confirm": "holds.manage",
    "availability.extend": "holds.manage",
    "availability.release": "holds.manage",
    "availability.expire_due": "holds.manage",
    # pricing
    "pricing.quote": "pricing.quote",
    "pricing.redeem": "holds.manage",
    "pricing.release": "holds.manage",
    "pricing.release_codes": "holds.manage",
    # booking
    "booking.place": "orders.place",
    "booking.get": "orders.read",
    "booking.amount_due_now": "orders.read",
    "booking.approve": "orders.approve",
    "booking.decline": "orders.approve",
    "booking.confirm": "orders.change",
    "booking.cancel": "orders.change",
    "booking.cancel_lines": "orders.change",
    "booking.cancel_nights": "orders.change",
    "booking.change_dates": "orders.change",
    "booking.pay": "payments.take",
    "booking.capture": "payments.manage",
    "booking.handle_webhook": "payments.manage",
    "booking.check_in": "stays.manage",
    "booking.check_out": "stays.manage",
    "booking.complete": "stays.manage",
    "booking.mark_no_show": "stays.manage",
    "booking.sweep": "system.sweep",
    # reviews
    "reviews.leave": "reviews.write",
    "reviews.answer": "reviews.answer",
    # appointments
    "appointments.save_resource": "catalog.manage",
    "appointments.find": "availability.read",
    "appointments.free_slots": "availability.read",
    "appointments.hold_slot": "holds.manage",
    "appointments.confirm": "holds.manage",
    "appointments.extend": "holds.manage",
    "appointments.release": "holds.manage",
    "appointments.expire_due": "holds.manage",
    # the service desk
    "service_desk.open": "service.open",
    "service_desk.get": "service.open",
    "service_desk.add_update": "service.open",
    "service_desk.cancel": "service.open",
    "service_desk.reopen": "service.open",
    "service_desk.close_with_rating": "service.open",
    "service_desk.assign": "service.manage",
    "service_desk.respond": "service.manage",
    "service_desk.start": "service.manage",
    "service_desk.resolve": "service.manage",
    "service_desk.unresolved": "service.manage",
    "service_desk.report": "service.manage",
    "service_desk.escalate_due": "system.sweep",
    # loyalty and profiles
    "loyalty.profile": "profiles.read",
    "loyalty.member": "profiles.read",
    "loyalty.account": "profiles.read",
    "loyalty.progress": "profiles.read",
    "loyalty.status": "profiles.read",
    "loyalty.give_consent": "profiles.consent",
    "loyalty.enrol": "profiles.edit",
    "loyalty.merge": "profiles.edit",
    "loyalty.adjust": "points.adjust",
    "loyalty.redeem_reward": "loyalty.use",
    "loyalty.refer": "loyalty.use",
    "loyalty.sign_in": "loyalty.use",
    "loyalty.order_completed": "loyalty.events",
    "loyalty.order_refunded": "loyalty.events",
    "loyalty.review_left": "loyalty.events",
    "loyalty.expire_points": "system.sweep",
    "loyalty.due_triggers": "system.sweep",
    "loyalty.run_triggers": "system.sweep",
    "loyalty.publish": "system.sweep",
    # a guest's data
    "guest_data.export": "customers.export",
    "guest_data.erase": "customers.erase",
    # analytics: KPIs, churn and segments over every customer, by id
    "analytics.kpis": "analytics.read",
    "analytics.churn_watch": "analytics.read",
    "analytics.segments": "analytics.read",
}
"""The permission each use case needs, by ``context.method``."""

AUDITED: Final[frozenset[str]] = frozenset(
    {
        "catalog.manage",  # rooms, calendars, restrictions: what is sold
        "orders.place",  # a guest's contact details stored
        "orders.change",  # cancellations and date changes move money
        "payments.take",
        "payments.manage",
        "stays.manage",  # a no-show is charged
        "profiles.edit",
        "profiles.consent",
        "points.adjust",
        "customers.export",
        "customers.erase",
    }
)
"""The permissions whose every use is written to the audit log."""

PERSONAL_READ: Final = "personal.read"
"""The permission to see guests' personal data as it is; without it, what a use case
returns comes with every personal field masked (:func:`~staycore.kernel.masking.masked`)."""

_KNOWN: Final = frozenset({*PERMISSIONS.values(), PERSONAL_READ})

_LEAST_PRIVILEGE: Final[Mapping[str, tuple[str, ...]]] = {
    "guest": (
        "pricing.quote",
        "availability.read",
        "orders.place:own",
        "orders.read:own",
        "orders.change:own",
        "payments.take:own",
        "reviews.write:own",
        "service.open:own",
        "profiles.read:own",
        "profiles.consent:own",
        "loyalty.use:own",
        "customers.export:own",
        "personal.read:own",
    ),
    "front_desk": (
        "pricing.quote",
        "availability.read",
        "holds.manage",
        "orders.place",
        "orders.read",
        "orders.change",
        "orders.approve",
        "stays.manage",
        "service.open",
        "profiles.read",
    ),
    "marketing": ("profiles.read", "availability.read", "analytics.read"),
    "support": ("service.open", "service.manage", "orders.read", "profiles.read"),
    "finance": (
        "orders.read",
        "orders.change",
        "payments.take",
        "payments.manage",
        "points.adjust",
        "analytics.read",
    ),
    "owner": ("*",),
    "system": (
        "system.sweep",
        "payments.manage",
        "loyalty.events",
        "holds.manage",
        "orders.read",
    ),
}


def _roles(roles: Iterable[str]) -> frozenset[str]:
    if (
        not isinstance(roles, Iterable)
        or isinstance(roles, str)
        or not all(isinstance(role, str) for role in roles)
    ):
        msg = f"an actor's roles are a set of names such as {{'front_desk'}}, got {roles!r}"
        raise InvalidAccessPolicyError(msg)
    return frozenset(roles)


@attrs.frozen
class Actor:
    """Who is calling: an id for the audit log, their roles, and the guest they are.

    Attributes:
        id: Stable and meaningful to the host, such as ``"staff:ana"`` or the guest's
            customer id; it is what the audit log records.
        roles: The roles the policy grants permissions to.
        customer: For a guest, their customer id: the records that are their own.
    """

    id: str = attrs.field()
    roles: frozenset[str] = attrs.field(converter=_roles)
    customer: CustomerId | None = None

    @id.validator
    def _check_id(self, _attribute: object, value: object) -> None:
        if not isinstance(value, str) or not value.strip():
            msg = f"an actor needs an id for the audit log, such as 'staff:ana', got {value!r}"
            raise InvalidAccessPolicyError(msg)

    @classmethod
    def guest(cls, customer: CustomerId) -> Actor:
        """A guest acting for themselves.

        Example:
            >>> from staycore.app.access import Actor
            >>> from staycore.membership.ids import CustomerId
            >>> Actor.guest(CustomerId("cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7")).roles
            frozenset({'guest'})
        """
        return cls(id=str(customer), roles={"guest"}, customer=customer)


@attrs.frozen
class AccessPolicy:
    """Which permissions each role has; ``*`` is every permission, ``:own`` own records only.

    Raises:
        InvalidAccessPolicyError: A grant names no known permission.

    Example:
        >>> from staycore.app.access import AccessPolicy, Actor
        >>> policy = AccessPolicy.from_data({"night_audit": ["stays.manage", "orders.read"]})
        >>> policy.allows(Actor(id="staff:lu", roles={"night_audit"}), "booking.mark_no_show")
        True
        >>> AccessPolicy.from_data({"intern": ["orders.delete"]})
        Traceback (most recent call last):
        ...
        staycore.app.access.InvalidAccessPolicyError: [access.invalid_policy] ...
    """

    grants: Mapping[str, Mapping[str, Ownership]]
    masking: MaskingPolicy = attrs.field(factory=MaskingPolicy.default)

    @classmethod
    def least_privilege(cls) -> AccessPolicy:
        """The default roles: guest, front_desk, marketing, support, finance, owner, system."""
        return cls.from_data(_LEAST_PRIVILEGE)

    @classmethod
    def from_data(
        cls, data: Mapping[str, Iterable[str]], *, masking: MaskingPolicy | None = None
    ) -> AccessPolicy:
        """Read a policy from a mapping of role to permissions (as JSON gives it).

        ``masking`` says how much of guests' personal data roles without
        ``personal.read`` are shown (default: :meth:`MaskingPolicy.default`).
        """
        if not isinstance(data, Mapping):
            msg = f"a policy maps roles to lists of permissions, got {type(data).__name__}"
            raise InvalidAccessPolicyError(msg)
        grants: dict[str, dict[str, Ownership]] = {}
        for role, permissions in data.items():
            if not isinstance(role, str) or isinstance(permissions, str | bytes):
                msg = f"role {role!r} must name a list of permissions, got {permissions!r}"
                raise InvalidAccessPolicyError(msg)
            granted = grants[role] = {}
            for grant in permissions:
                name, _, scope = str(grant).partition(":")
                if (name != "*" and name not in _KNOWN) or scope not in ("", "own"):
                    msg = (
                        f"role {role!r} grants {grant!r}, which is no permission; use one of "
                        f"{sorted(_KNOWN)}, '*' for all, and ':own' to limit a grant to the "
                        "actor's own records"
                    )
                    raise InvalidAccessPolicyError(msg)
                wider = granted.get(name) is Ownership.ANY
                granted[name] = Ownership.ANY if wider or not scope else Ownership.OWN
        return cls(grants, masking or MaskingPolicy.default())

    @staticmethod
    def needs(operation: str) -> str:
        """The permission ``operation`` (``context.method``) needs.

        Raises:
            AccessDeniedError: No use case is called that: nothing grants it.
        """
        permission = PERMISSIONS.get(operation)
        if permission is None:
            msg = f"{operation} is no use case staycore knows; nothing grants it"
            raise AccessDeniedError(msg)
        return permission

    def reach(self, actor: Actor, permission: str) -> Ownership | None:
        """How far ``actor``'s roles grant ``permission``: any record, own ones, or not at all."""
        reach: Ownership | None = None
        for role in actor.roles:
            granted = self.grants.get(role, {})
            found = granted.get(permission) or granted.get("*")
            if found is Ownership.ANY:
                return found
            reach = found or reach
        return reach

    def allows(self, actor: Actor, operation: str) -> bool:
        """Whether ``actor`` may call ``operation`` on some record (own ones at least)."""
        return self.reach(actor, self.needs(operation)) is not None


RecordOf = Callable[[Identifier], object | None]
"""The record an id names as it is now (an order, a profile, a service request), or None."""


class Gatekeeper:
    """Checks each call against the policy and writes what it must to the audit log.

    Args:
        policy: Who may do what.
        audit: Where refusals and audited calls are written.
        clock: When they happened.
        record_of: The record an id names, for grants limited to one's own records and
            for the digest of an audited record before the call; ``None`` for an id it
            does not know (which no ``:own`` grant reaches).

    Example:
        >>> from staycore.adapters.memory import MemoryAuditLog
        >>> from staycore.app.access import AccessPolicy, Actor, Gatekeeper
        >>> from staycore.testing.clock import FrozenClock
        >>> log = MemoryAuditLog()
        >>> gate = Gatekeeper(AccessPolicy.least_privilege(), log,
        ...                   FrozenClock("2026-06-01T09:00:00Z"), record_of=lambda _id: None)
        >>> gate.call(Actor(id="staff:lu", roles={"marketing"}), "booking.sweep", print, (), {})
        Traceback (most recent call last):
        ...
        staycore.app.access.AccessDeniedError: [access.denied] staff:lu (roles marketing) ...
        >>> [(r.entry.actor, r.entry.action) for r in log.records()]
        [('staff:lu', 'access.denied:booking.sweep')]
    """

    def __init__(
        self, policy: AccessPolicy, audit: AuditLog, clock: Clock, record_of: RecordOf
    ) -> None:
        self.policy = policy
        self._audit = audit
        self._clock = clock
        self._record_of = record_of

    def call(
        self,
        actor: Actor,
        operation: str,
        function: Callable[..., object],
        args: tuple[object, ...],
        kwargs: Mapping[str, object],
    ) -> object:
        """Call ``function`` for ``actor`` if the policy lets them, auditing as it must.

        Raises:
            AccessDeniedError: The policy does not let them (the refusal is audited).
        """
        permission = self.policy.needs(operation)
        target = _target_of(args, kwargs)
        reach = self.policy.reach(actor, permission)
        sees = self.policy.reach(actor, PERSONAL_READ)
        audited = permission in AUDITED
        current = None
        if target is not None and (Ownership.OWN in (reach, sees) or audited):
            current = self._record_of(target)
        if reach is Ownership.OWN and not _owned(actor, target, current, args, kwargs):
            self._refuse(actor, operation, permission, target, own_only=True)
        if reach is None:
            self._refuse(actor, operation, permission, target, own_only=False)
        result = function(*args, **kwargs)
        if audited:
            self._write(
                actor,
                operation,
                target or _id_of(result),
                before=_digest(current),
                after=_digest(result),
            )
        if sees is None or (
            sees is Ownership.OWN and not _owned(actor, target, current, args, kwargs)
        ):
            return masked(result, self.policy.masking)
        return result

    def _refuse(
        self,
        actor: Actor,
        operation: str,
        permission: str,
        target: Identifier | None,
        *,
        own_only: bool,
    ) -> None:
        self._write(actor, f"access.denied:{operation}", target, detail=permission)
        roles = ", ".join(sorted(actor.roles)) or "none"
        where = f" on {target}" if target is not None else ""
        scope = " (their roles have it on their own records only)" if own_only else ""
        msg = (
            f"{actor.id} (roles {roles}) may not call {operation}{where}: it needs "
            f"{permission}{scope}; ask an owner to grant it"
        )
        raise AccessDeniedError(msg)

    def _write(
        self,
        actor: Actor,
        action: str,
        record: Identifier | None,
        *,
        before: str | None = None,
        after: str | None = None,
        detail: str = "",
    ) -> None:
        self._audit.append(
            AuditEntry(
                actor=actor.id,
                action=action,
                record=str(record) if record is not None else "-",
                at=self._clock.now(),
                before_digest=before,
                after_digest=after,
                detail=detail,
            )
        )


def _target_of(args: Collection[object], kwargs: Mapping[str, object]) -> Identifier | None:
    """The record a call is about: its first identifier argument."""
    for value in (*args, *kwargs.values()):
        if isinstance(value, Identifier):
            return value
    return None


def _owned(
    actor: Actor,
    target: Identifier | None,
    current: object,
    args: Collection[object],
    kwargs: Mapping[str, object],
) -> bool:
    """Whether the call is about the actor's own record, or a new one naming only them."""
    if actor.customer is None:
        return False
    if target is None:
        return all(
            customer == actor.customer for customer in _customers_in((*args, *kwargs.values()))
        )
    if isinstance(target, CustomerId):
        return target == actor.customer
    return _customers_in((current,)) == [actor.customer]


def _customers_in(values: Iterable[object]) -> list[CustomerId]:
    """The customers values name: an order's or a command's guest, a request's customer."""
    named = []
    for value in values:
        guest = getattr(value, "guest", None)
        customer = getattr(guest, "customer", None) or getattr(value, "customer", None)
        if isinstance(customer, CustomerId):
            named.append(customer)
    return named


def _id_of(result: object) -> Identifier | None:
    """The id of what a call made: an order, or the order a payment outcome carries."""
    found = getattr(result, "id", None) or getattr(getattr(result, "order", None), "id", None)
    return found if isinstance(found, Identifier) else None


def _digest(value: object) -> str | None:
    """A digest of what a record was or became: of every field, personal ones too."""
    return None if value is None else digest_of(plain_value(value))
