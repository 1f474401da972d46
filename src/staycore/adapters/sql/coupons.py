"""The SQL adapter's coupon store: codes, their counts, and redemptions, counted atomically.

A coupon's row holds the coupon (as the codec writes it) and its live uses and spent
budget; a row per customer holds that customer's live uses of the code, and a row per
code and order the order's latest redemption, live or released. Every operation is one
transaction; the rules are the domain's
(:meth:`~staycore.pricing.coupons.CouponUsage.redeemed` and
:meth:`~staycore.pricing.coupons.CouponUsage.released`), applied to counts read under a
lock:

* on PostgreSQL, a redemption or a release first locks the coupon's row
  (``SELECT ... FOR UPDATE``), and every count of the code (its uses, its budget, its
  customers' uses, its redemptions) is changed only by a transaction holding that lock.
  So of any number of servers racing for the last use, the last of a customer's uses or
  the last of the budget, each in turn reads the counts the previous one committed, and
  only as many win as fit. One row lock per transaction: nothing can deadlock.
* on SQLite the write transaction (``BEGIN IMMEDIATE``) already excludes every other
  writer.

Example:
    >>> from staycore.adapters.sql import SqlStore
    >>> from staycore.adapters.sql.coupons import SqlCouponStore
    >>> from staycore.kernel.ids import Identifier
    >>> from staycore.kernel.money import Money
    >>> from staycore.pricing.coupons import Coupon, RedemptionRequest
    >>> from staycore.pricing.ids import PromotionId
    >>> store = SqlCouponStore(SqlStore.create("sqlite://").database)
    >>> store.add_coupons([Coupon(code="LASTROOM", promotion=PromotionId.new(), max_uses=1)])
    >>> def request(order: Identifier) -> RedemptionRequest:
    ...     return RedemptionRequest(
    ...         code="last-room", order=order,
    ...         customer=Identifier.new(), discount=Money.of("30.00", "EUR"),
    ...     )
    >>> first = Identifier.new()
    >>> store.redeem(request(first)).status.value
    'redeemed'
    >>> store.redeem(request(Identifier.new()))
    Traceback (most recent call last):
    ...
    staycore.pricing.coupons.CouponExhaustedError: [pricing.coupon_exhausted] ...
    >>> store.release("LASTROOM", first).status.value  # the first order was cancelled
    'released'
    >>> store.redeem(request(Identifier.new())).status.value
    'redeemed'
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Final, TypeAlias, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from staycore.adapters.sql.codec import decode, encode
from staycore.adapters.sql.database import Database
from staycore.adapters.sql.schema import IDENTIFIER, metadata
from staycore.kernel.ids import Identifier
from staycore.kernel.money import Money
from staycore.pricing.coupons import (
    MAX_CODE_LENGTH,
    Coupon,
    CouponUsage,
    DuplicateCouponError,
    DuplicateRedemptionError,
    Redemption,
    RedemptionRequest,
    UnknownCouponError,
    normalize_code,
)

__all__ = ["SqlCouponStore", "coupon_customers", "coupon_redemptions", "coupons"]

_Row: TypeAlias = sa.Row[*tuple[Any, ...]]
_CODE = sa.String(MAX_CODE_LENGTH)
# Codes looked up per statement when a batch is added: well under SQLite's limit of
# bound parameters.
_CHUNK: Final = 500

coupons: Final = sa.Table(
    "staycore_coupons",
    metadata,
    sa.Column("code", _CODE, primary_key=True, comment="the normalized code"),
    sa.Column("body", sa.Text, nullable=False, comment="the coupon, as the codec writes it"),
    sa.Column("uses", sa.Integer, nullable=False, comment="live redemptions, all customers"),
    sa.Column("spent", sa.Text, nullable=True, comment="the live discounts' sum (codec); or NULL"),
)
"""Each coupon with its live uses and spent budget; its row is the code's lock."""

coupon_customers: Final = sa.Table(
    "staycore_coupon_customers",
    metadata,
    sa.Column("code", _CODE, primary_key=True),
    sa.Column("customer", IDENTIFIER, primary_key=True),
    sa.Column("uses", sa.Integer, nullable=False, comment="the customer's live redemptions"),
)
"""Each customer's live uses of a code; customers with none have no row."""

coupon_redemptions: Final = sa.Table(
    "staycore_coupon_redemptions",
    metadata,
    sa.Column("code", _CODE, primary_key=True),
    sa.Column("order_id", IDENTIFIER, primary_key=True),
    sa.Column("body", sa.Text, nullable=False, comment="the redemption, as the codec writes it"),
)
"""The latest redemption of each code by each order, live or released."""

_COUPON = coupons.c
_CUSTOMER = coupon_customers.c
_REDEMPTION = coupon_redemptions.c


class SqlCouponStore:
    """A :class:`~staycore.ports.coupons.CouponStore` in a SQL database.

    Args:
        database: The database, with staycore's tables.

    Example:
        >>> from staycore.adapters.sql import SqlStore
        >>> from staycore.adapters.sql.coupons import SqlCouponStore
        >>> from staycore.ports.coupons import CouponStore
        >>> isinstance(SqlCouponStore(SqlStore.create("sqlite://").database), CouponStore)
        True
    """

    def __init__(self, database: Database) -> None:
        self._database = database

    def add_coupons(self, coupons: Sequence[Coupon]) -> None:
        """Add every coupon of the batch, or none.

        Raises:
            DuplicateCouponError: A code is taken by a different coupon; nothing was added.

        Example:
            Continuing the module example above: adding a coupon again changes nothing.

            >>> lastroom = store.coupon("LASTROOM")
            >>> store.add_coupons([lastroom])
            >>> store.usage("LASTROOM").uses
            1
            >>> store.add_coupons([Coupon(code="LASTROOM", promotion=PromotionId.new())])
            Traceback (most recent call last):
            ...
            staycore.pricing.coupons.DuplicateCouponError: [pricing.coupon_exists] ...
        """
        batch: dict[str, Coupon] = {}
        for coupon in coupons:
            taken = batch.setdefault(coupon.code, coupon)
            if taken != coupon:
                raise _taken(coupon, taken)
        if not batch:
            return
        rows = [
            {"code": code, "body": encode(coupon), "uses": 0, "spent": _spent_text(coupon)}
            for code, coupon in sorted(batch.items())
        ]

        def add(connection: Connection) -> None:
            inserted = _insert_new(connection, rows)
            left = sorted(code for code in batch if code not in inserted)
            for chunk in _chunks(left):
                query = sa.select(_COUPON.code, _COUPON.body).where(_COUPON.code.in_(chunk))
                for code, body in connection.execute(query):
                    stored = cast(Coupon, decode(body))
                    if stored != batch[code]:
                        # Raising rolls back the coupons of the batch inserted above.
                        raise _taken(batch[code], stored)

        self._database.run(add)

    def coupon(self, code: str) -> Coupon:
        """Return the coupon of ``code`` (normalized first).

        Raises:
            UnknownCouponError: No coupon has this code.
            InvalidCouponCodeError: ``code`` cannot be a code at all.

        Example:
            Continuing the module example above:

            >>> store.coupon(" lastroom ").max_uses
            1
        """
        code = normalize_code(code)
        query = sa.select(_COUPON.body).where(_COUPON.code == code)
        with self._database.transaction(write=False) as connection:
            body = connection.execute(query).scalar_one_or_none()
        if body is None:
            raise _unknown(code)
        return cast(Coupon, decode(body))

    def redeem(self, request: RedemptionRequest) -> Redemption:
        """Count the order's use of the code and its discount, if every limit allows it.

        Raises:
            UnknownCouponError: No coupon has this code.
            CurrencyMismatchError: The coupon's budget is in another currency.
            CouponExhaustedError: The coupon has no uses left.
            CustomerLimitReachedError: The customer has no uses of it left.
            BudgetExhaustedError: Less budget is left than the discount.
            DuplicateRedemptionError: The order redeemed the code live with another
                customer or discount.

        Example:
            See the module example.
        """
        code, order, customer = request.code, str(request.order), str(request.customer)
        redemption = request.to_redemption()
        body = encode(redemption)  # before the transaction: it holds the coupon's lock

        def redeem(connection: Connection) -> Redemption:
            row = _locked_coupon(connection, code)
            earlier = _redemption(connection, code, order)
            if earlier is not None and earlier.is_live:
                if earlier.matches(request):
                    return earlier  # a retry
                raise DuplicateRedemptionError(earlier, request)
            uses = _customer_uses(connection, code, customer)
            usage = _usage(row, request.customer, uses).redeemed(request)
            _keep(connection, usage, customer, had=uses)
            _keep_redemption(connection, code, order, body, known=earlier is not None)
            return redemption

        return self._database.run(redeem)

    def release(self, code: str, order: Identifier) -> Redemption | None:
        """Give back the order's use of the code and its discount; ``None`` if it had none.

        Raises:
            UnknownCouponError: No coupon has this code.

        Example:
            Continuing the module example above: a release is idempotent.

            >>> store.release("LASTROOM", first).status.value
            'released'
            >>> store.release("LASTROOM", Identifier.new()) is None
            True
        """
        code = normalize_code(code)
        order_id = str(order)

        def release(connection: Connection) -> Redemption | None:
            row = _locked_coupon(connection, code)
            redemption = _redemption(connection, code, order_id)
            if redemption is None or not redemption.is_live:
                return redemption
            customer = str(redemption.customer)
            uses = _customer_uses(connection, code, customer)
            usage = _usage(row, redemption.customer, uses).released(redemption)
            _keep(connection, usage, customer, had=uses)
            released = redemption.released()
            _keep_redemption(connection, code, order_id, encode(released), known=True)
            return released

        return self._database.run(release)

    def usage(self, code: str, customer: Identifier | None = None) -> CouponUsage:
        """Return the code's live uses and spent budget, and ``customer``'s live uses if given.

        Raises:
            UnknownCouponError: No coupon has this code.

        Example:
            Continuing the module example above:

            >>> usage = store.usage("LASTROOM")
            >>> usage.uses, usage.remaining_uses
            (1, 0)
        """
        code = normalize_code(code)
        query = sa.select(_COUPON.body, _COUPON.uses, _COUPON.spent).where(_COUPON.code == code)
        if customer is not None:
            # One statement reads both counts, so they are of one moment: on PostgreSQL
            # each statement sees its own snapshot.
            joined = coupons.outerjoin(
                coupon_customers,
                sa.and_(_CUSTOMER.code == _COUPON.code, _CUSTOMER.customer == str(customer)),
            )
            query = query.add_columns(_CUSTOMER.uses.label("customer_uses")).select_from(joined)
        with self._database.transaction(write=False) as connection:
            row = connection.execute(query).one_or_none()
        if row is None:
            raise _unknown(code)
        if customer is None:
            return _usage(row)
        return _usage(row, customer, row.customer_uses)

    def __repr__(self) -> str:
        return f"SqlCouponStore({self._database!r})"


def _taken(coupon: Coupon, taken: Coupon) -> DuplicateCouponError:
    msg = (
        f"coupon code {coupon.code} is taken by another coupon (of {taken.promotion}); "
        "nothing of this batch was added. Issue its codes again with "
        "issue_codes(..., avoid=<the codes issued>)"
    )
    return DuplicateCouponError(msg)


def _unknown(code: str) -> UnknownCouponError:
    msg = (
        f"no coupon has the code {code}: check it with the guest, or add_coupons() it "
        "before it is redeemed"
    )
    return UnknownCouponError(msg)


def _spent_text(coupon: Coupon) -> str | None:
    budget = coupon.budget
    return None if budget is None else encode(Money.zero(budget.currency))


def _chunks(codes: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(codes), _CHUNK):
        yield codes[start : start + _CHUNK]


def _insert_new(connection: Connection, rows: list[dict[str, Any]]) -> set[str]:
    """Insert the rows whose code is free, in one statement; return the codes inserted.

    A code taken meanwhile by another transaction is skipped, not an error (which, on
    PostgreSQL, would spoil the transaction): the caller compares what is stored.
    """
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert  # noqa: PLC0415 - by dialect
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]  # noqa: PLC0415
    statement = insert(coupons).on_conflict_do_nothing().returning(_COUPON.code)
    return set(connection.execute(statement, rows).scalars())


def _locked_coupon(connection: Connection, code: str) -> _Row:
    """The coupon's row, locked until the transaction ends (on SQLite: already exclusive)."""
    query = sa.select(_COUPON.body, _COUPON.uses, _COUPON.spent).where(_COUPON.code == code)
    row = connection.execute(query.with_for_update()).one_or_none()
    if row is None:
        raise _unknown(code)
    return row


def _redemption(connection: Connection, code: str, order: str) -> Redemption | None:
    query = sa.select(_REDEMPTION.body).where(
        _REDEMPTION.code == code, _REDEMPTION.order_id == order
    )
    body = connection.execute(query).scalar_one_or_none()
    return None if body is None else cast(Redemption, decode(body))


def _customer_uses(connection: Connection, code: str, customer: str) -> int | None:
    """The customer's live uses of the code, or ``None`` when they have no row."""
    query = sa.select(_CUSTOMER.uses).where(_CUSTOMER.code == code, _CUSTOMER.customer == customer)
    return connection.execute(query).scalar_one_or_none()


def _usage(
    row: _Row, customer: Identifier | None = None, customer_uses: int | None = None
) -> CouponUsage:
    coupon = cast(Coupon, decode(row.body))
    spent = None if row.spent is None else cast(Money, decode(row.spent))
    if customer is None:
        return CouponUsage(coupon=coupon, uses=row.uses, spent=spent)
    return CouponUsage(
        coupon=coupon,
        uses=row.uses,
        spent=spent,
        customer=customer,
        customer_uses=customer_uses or 0,
    )


def _keep(connection: Connection, usage: CouponUsage, customer: str, *, had: int | None) -> None:
    """Store the counts of a usage moved for ``customer``, who had ``had`` uses (a row)."""
    code = usage.code
    spent = None if usage.spent is None else encode(usage.spent)
    connection.execute(
        coupons.update().where(_COUPON.code == code).values(uses=usage.uses, spent=spent)
    )
    mine = sa.and_(_CUSTOMER.code == code, _CUSTOMER.customer == customer)
    uses = usage.customer_uses
    if not uses:
        if had is not None:
            connection.execute(coupon_customers.delete().where(mine))
    elif had is None:
        connection.execute(
            coupon_customers.insert().values(code=code, customer=customer, uses=uses)
        )
    else:
        connection.execute(coupon_customers.update().where(mine).values(uses=uses))


def _keep_redemption(
    connection: Connection, code: str, order: str, body: str, *, known: bool
) -> None:
    """Store the order's latest redemption of the code (replacing a released one if known)."""
    if known:
        connection.execute(
            coupon_redemptions.update()
            .where(_REDEMPTION.code == code, _REDEMPTION.order_id == order)
            .values(body=body)
        )
    else:
        connection.execute(coupon_redemptions.insert().values(code=code, order_id=order, body=body))
