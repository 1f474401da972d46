"""Customer profiles: who a guest is, how to reach them, what they agreed to, what they did.

A :class:`CustomerProfile` is the membership context's view of one guest: their name and
contact details, their preferences (``no_smoking``, ``high_floor``), the consent records
that say whether they may be sent marketing on a channel, their completed stays
(:class:`~staycore.membership.history.StayRecord`), every order that touched them, the
reviews they left, the friends they referred, and the tags the rules of
:mod:`staycore.membership.tags` gave them, each with why.

Like the order aggregate, a profile is an immutable value: every change is a method
that returns the changed profile (its version one higher) and the events it recorded,
and a call that changes nothing returns the same profile and no event, so a reaction
delivered twice is harmless.

**Personal data is marked.** The fields that identify a person (the name, the contact
details, the identity number, the birthday) carry the attrs metadata
``{"personal": True}``; :func:`personal_fields` lists them, for whatever encrypts, masks
or erases them. A profile's ``repr`` hides them, and no event or error message carries
them: events name the fields that changed, never their values.

**Consent is history.** Every :class:`ConsentRecord` given is kept. What decides whether
a guest may be sent a message on a channel, for a purpose, at an instant is the latest
record for that channel and purpose at or before it (:meth:`CustomerProfile.consents_to`);
no record means no. Two records at the same instant that disagree decide *no*: when in
doubt, do not send.

**Duplicates merge without losing history.** A guest who booked online and then at the
front desk may have two profiles. :func:`same_customer` tells when two profiles share
an e-mail address or a phone number (normalised: case, spaces and dashes do not matter),
and :func:`merge` folds the duplicate into the survivor: every stay, order, review,
referral and consent record of both is kept.

Instants are kept in UTC, as events keep them.

Example:
    >>> import pendulum
    >>> from staycore.kernel.money import Money
    >>> from staycore.kernel.time import Stay
    >>> from staycore.membership.history import StayRecord
    >>> from staycore.membership.ids import CustomerId
    >>> from staycore.membership.profiles import (
    ...     ContactDetails, CustomerProfile, merge, same_customer)
    >>> from staycore.orders.ids import OrderId
    >>> from staycore.ports.notifier import Channel
    >>> at = pendulum.datetime(2026, 3, 1, 9, tz="Europe/Lisbon")
    >>> mei, registered = CustomerProfile.register(
    ...     CustomerId("cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"), name="Mei Tan",
    ...     contact=ContactDetails(emails=[" Mei.Tan@Example.COM"]), at=at)
    >>> mei.contact.emails, registered[0].event_type
    (('mei.tan@example.com',), 'ProfileRegistered')
    >>> mei, _ = mei.give_consent(Channel.EMAIL, granted=True, at=at, source="booking form")
    >>> mei.consents_to(Channel.EMAIL, at=at.add(days=1)), mei.consents_to(Channel.SMS, at=at)
    (True, False)
    >>> stay = StayRecord(
    ...     order=OrderId("ord_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"),
    ...     stay=Stay.parse("2026-03-02/2026-03-05"), spend=Money.of("540.00", "EUR"),
    ...     completed_at=at.add(days=4), room="executive")
    >>> mei, events = mei.record_stay(stay, at=at.add(days=4))
    >>> mei.version, mei.last_stay_on, events[0].fields
    (3, datetime.date(2026, 3, 5), ('stays', 'orders'))

    The front desk registered her again, with a phone number and the same e-mail:

    >>> desk, _ = CustomerProfile.register(
    ...     CustomerId("cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A8"), name="Tan Mei",
    ...     contact=ContactDetails(emails=["mei.tan@example.com"], phones=["+886 912-345-678"]),
    ...     at=at.add(days=10))
    >>> same_customer(mei, desk)
    True
    >>> merged, (event,) = merge(mei, desk, at=at.add(days=11))
    >>> merged.id == mei.id, merged.contact.phones, len(merged.stays), merged.merged_from
    (True, ('+886912345678',), 1, (CustomerId('cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A8'),))
    >>> event.event_type, event.duplicate
    ('ProfilesMerged', CustomerId('cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A8'))
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, Final

import attrs
import pendulum

from staycore.kernel.erasure import ERASED, PERSONAL, PersonalDataErased
from staycore.kernel.errors import StaycoreError
from staycore.kernel.events import DomainEvent
from staycore.kernel.money import to_decimal
from staycore.kernel.time import as_instant
from staycore.membership.errors import MembershipError
from staycore.membership.history import StayRecord
from staycore.membership.ids import CustomerId
from staycore.orders.ids import OrderId
from staycore.ports.notifier import Channel

__all__ = [
    "MARKETING",
    "ConsentChanged",
    "ConsentRecord",
    "ContactDetails",
    "CustomerProfile",
    "DuplicateStayError",
    "InvalidProfileError",
    "ProfileChange",
    "ProfileChanged",
    "ProfileRegistered",
    "ProfilesMerged",
    "ProfilesNotDuplicatesError",
    "Referral",
    "ReviewRecord",
    "Tag",
    "TagsChanged",
    "merge",
    "personal_fields",
    "same_customer",
]

MARKETING: Final = "marketing"
"""The purpose a consent is for unless another is named."""

_PERSONAL: Final = PERSONAL
_UTC: Final = pendulum.UTC
_NAME: Final = re.compile(r"^[a-z][a-z0-9_]*$")
_NAME_LENGTH: Final = 64
# What people type between the parts of a name or a phone number.
_SEPARATORS: Final = re.compile(r"[\s\-\u2010-\u2015\u2212]+")
_PHONE_NOISE: Final = re.compile(r"[\s\-\u2010-\u2015\u2212.()/]+")
_MIN_PHONE_DIGITS: Final = 6
_MAX_PHONE_DIGITS: Final = 15  # E.164: country code and number together
_MIN_SCORE: Final = Decimal(1)
_MAX_SCORE: Final = Decimal(5)


# -- errors ----------------------------------------------------------------------------


class InvalidProfileError(MembershipError):
    """A profile, its contact details or a record of it is not valid; the message names the field.

    Messages never repeat a personal value (an e-mail address, a phone number): they say
    which one is wrong and why.

    Example:
        >>> from staycore.membership.profiles import ContactDetails
        >>> ContactDetails(emails=["mei.tan@example.com", "mei.tan.example.com"])
        Traceback (most recent call last):
        ...
        staycore.membership.profiles.InvalidProfileError: [membership.invalid_profile]
        emails[1] is not an e-mail address: it needs exactly one '@' ...
    """

    code = "membership.invalid_profile"


class ProfilesNotDuplicatesError(MembershipError):
    """Two profiles cannot be merged: they are one profile, or share no e-mail or phone.

    Example:
        See :func:`merge`.
    """

    code = "membership.not_duplicates"


class DuplicateStayError(MembershipError):
    """A stay is already recorded for the order, with other details.

    Attributes:
        order: The order whose stay is recorded.

    Example:
        >>> from staycore.orders.ids import OrderId
        >>> from staycore.membership.profiles import DuplicateStayError
        >>> print(DuplicateStayError(OrderId("ord_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7")).message)
        the stay of order ord_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7 is recorded already, with other
        details; remove it (remove_stay) before recording it again
    """

    code = "membership.duplicate_stay"

    def __init__(self, order: OrderId) -> None:
        super().__init__(
            f"the stay of order {order} is recorded already, with other details; remove it "
            "(remove_stay) before recording it again"
        )
        self.order = order


# -- personal data ---------------------------------------------------------------------


def _default(field: attrs.Attribute[Any]) -> object:
    """The value a field takes when it is not given."""
    factory = getattr(field.default, "factory", None)  # an attrs.Factory, built anew
    return factory() if callable(factory) else field.default


def personal_fields(cls: type) -> tuple[str, ...]:
    """Return the names of the fields of an attrs class that hold personal data.

    A field is personal when its attrs metadata has ``"personal": True``; whatever
    encrypts, masks or erases personal data acts on exactly these.

    Raises:
        InvalidProfileError: ``cls`` is not an attrs class.

    Example:
        >>> from staycore.membership.profiles import ContactDetails, CustomerProfile
        >>> personal_fields(CustomerProfile)
        ('name', 'contact', 'identity_number', 'birthday')
        >>> personal_fields(ContactDetails)
        ('emails', 'phones')
    """
    if not (isinstance(cls, type) and attrs.has(cls)):
        msg = f"personal_fields reads an attrs class such as CustomerProfile, got {cls!r}"
        raise InvalidProfileError(msg)
    return tuple(field.name for field in attrs.fields(cls) if field.metadata.get("personal"))


def _hidden(value: object) -> str:
    """How a personal value shows in a ``repr``: that it is there, never what it is."""
    if value is None or value == ():
        return repr(value)
    return "<personal>"


# -- values ----------------------------------------------------------------------------


def _utc(value: dt.datetime, what: str) -> pendulum.DateTime:
    instant = as_instant(value, what=what)
    return instant if instant.tzinfo is _UTC else instant.in_tz(_UTC)


def _at(value: dt.datetime) -> pendulum.DateTime:
    return _utc(value, "at")


def _given_at(value: dt.datetime) -> pendulum.DateTime:
    return _utc(value, "given_at")


def _created_at(value: dt.datetime) -> pendulum.DateTime:
    return _utc(value, "created_at")


def _converted_at(value: dt.datetime | None) -> pendulum.DateTime | None:
    return None if value is None else _utc(value, "converted_at")


def _name(value: object, what: str, example: str) -> str:
    """A short lower-case name (a preference, a purpose, a tag), as it is stored.

    Case, spaces and dashes do not matter: ``"No smoking"`` is ``no_smoking``.
    """
    if not isinstance(value, str):
        msg = f"{what} must be text such as {example!r}, got {value!r}"
        raise InvalidProfileError(msg)
    name = _SEPARATORS.sub("_", unicodedata.normalize("NFKC", value).strip()).lower()
    if not _NAME.match(name) or len(name) > _NAME_LENGTH:
        msg = (
            f"{what} {value!r} is not a name: use up to {_NAME_LENGTH} lower-case letters, "
            f"digits and underscores, starting with a letter, such as {example!r}"
        )
        raise InvalidProfileError(msg)
    return name


def _text(value: object, what: str, example: str) -> str:
    if not isinstance(value, str) or not value.strip():
        msg = f"{what} must be some text such as {example!r}"
        raise InvalidProfileError(msg)
    return value.strip()


def _many(value: object, what: str, example: str) -> tuple[object, ...]:
    """The items of a list or tuple field; a bare string counts as one item."""
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, Iterable) or isinstance(value, Mapping):
        msg = f"{what} must be a list such as [{example!r}], got {value!r}"
        raise InvalidProfileError(msg)
    return tuple(value)


def _email_problem(email: str) -> str:
    if not email:
        return "it is empty"
    if any(char.isspace() for char in email):
        return "it has a space in it"
    local, at, domain = email.partition("@")
    if not at or "@" in domain:
        return "it needs exactly one '@'"
    if not local:
        return "it has nothing before the '@'"
    labels = domain.split(".")
    if len(labels) < 2 or not all(labels) or len(labels[-1]) < 2:
        return "it needs a domain such as example.com after the '@'"
    return ""


def _emails(value: str | Iterable[str]) -> tuple[str, ...]:
    emails: list[str] = []
    for index, item in enumerate(_many(value, "emails", "mei@example.com")):
        if not isinstance(item, str):
            msg = (
                f"emails[{index}] must be text such as 'mei@example.com', got {type(item).__name__}"
            )
            raise InvalidProfileError(msg)
        email = unicodedata.normalize("NFKC", item).strip().lower()
        problem = _email_problem(email)
        if problem:
            msg = (
                f"emails[{index}] is not an e-mail address: {problem}; "
                "write it like mei@example.com"
            )
            raise InvalidProfileError(msg)
        if email not in emails:
            emails.append(email)
    return tuple(emails)


def _phone(item: object, index: int) -> str:
    if not isinstance(item, str):
        msg = f"phones[{index}] must be text such as '+886 912 345 678', got {type(item).__name__}"
        raise InvalidProfileError(msg)
    phone = _PHONE_NOISE.sub("", unicodedata.normalize("NFKC", item))
    if phone.startswith("00"):  # the international prefix of most countries, as a '+'
        phone = "+" + phone[2:]
    digits = phone.removeprefix("+")
    problem = ""
    if not digits.isdecimal() or not digits.isascii():
        problem = (
            "it may have digits, a leading '+', spaces, dashes, dots and brackets, nothing else"
        )
    elif not _MIN_PHONE_DIGITS <= len(digits) <= _MAX_PHONE_DIGITS:
        problem = (
            f"it has {len(digits)} digits, and a phone number has "
            f"{_MIN_PHONE_DIGITS} to {_MAX_PHONE_DIGITS}"
        )
    if problem:
        msg = f"phones[{index}] is not a phone number: {problem}; write it like +886 912 345 678"
        raise InvalidProfileError(msg)
    return phone


def _phones(value: str | Iterable[str]) -> tuple[str, ...]:
    phones: list[str] = []
    for index, item in enumerate(_many(value, "phones", "+886 912 345 678")):
        phone = _phone(item, index)
        if phone not in phones:
            phones.append(phone)
    return tuple(phones)


@attrs.frozen(kw_only=True)
class ContactDetails:
    """How to reach a guest: e-mail addresses and phone numbers, both personal data.

    Each list is normalised when built: e-mail addresses lower-cased, phone numbers
    reduced to their digits with an optional leading ``+`` (a leading ``00`` becomes
    ``+``), duplicates dropped, the first given first. Full-width characters, as East
    Asian keyboards type them, are read as their ASCII forms. A bare string is read as a
    list of one. Numbers are matched as written: ``+886912345678`` and its national form
    ``0912345678`` are different numbers.

    Attributes:
        emails: E-mail addresses, each with one ``@`` and a domain with a dot.
        phones: Phone numbers of 6 to 15 digits.

    Raises:
        InvalidProfileError: An address or number is malformed; the message names which
            (``phones[1]``) and what is wrong, without repeating it.

    Example:
        >>> from staycore.membership.profiles import ContactDetails
        >>> contact = ContactDetails(emails="Mei@Example.com", phones=["0091 (80) 1234-5678"])
        >>> contact.emails, contact.phones
        (('mei@example.com',), ('+918012345678',))
        >>> contact
        ContactDetails(emails=<personal>, phones=<personal>)
        >>> ContactDetails(phones=["12-34"])
        Traceback (most recent call last):
        ...
        staycore.membership.profiles.InvalidProfileError: [membership.invalid_profile]
        phones[0] is not a phone number: it has 4 digits, and a phone number has 6 to 15; ...
    """

    emails: tuple[str, ...] = attrs.field(
        default=(), converter=_emails, metadata=_PERSONAL, repr=_hidden
    )
    phones: tuple[str, ...] = attrs.field(
        default=(), converter=_phones, metadata=_PERSONAL, repr=_hidden
    )

    @property
    def is_empty(self) -> bool:
        """Whether there is no way to reach the guest."""
        return not self.emails and not self.phones

    def shares_with(self, other: ContactDetails) -> bool:
        """Whether the two share an e-mail address or a phone number.

        Example:
            >>> from staycore.membership.profiles import ContactDetails
            >>> ContactDetails(phones="+33 6 12 34 56 78").shares_with(
            ...     ContactDetails(phones="0033612345678"))
            True
        """
        return bool(set(self.emails) & set(other.emails) or set(self.phones) & set(other.phones))

    def merged(self, other: ContactDetails) -> ContactDetails:
        """Return both sets of details together, these first.

        Example:
            >>> from staycore.membership.profiles import ContactDetails
            >>> ContactDetails(emails="a@example.com").merged(
            ...     ContactDetails(emails=["b@example.com", "a@example.com"])).emails
            ('a@example.com', 'b@example.com')
        """
        return ContactDetails(emails=self.emails + other.emails, phones=self.phones + other.phones)


def _channel(value: Channel | str) -> Channel:
    if isinstance(value, Channel):
        return value
    try:
        return Channel(value.strip().lower() if isinstance(value, str) else value)
    except ValueError:
        names = ", ".join(channel.value for channel in Channel)
        msg = f"channel must be one of {names}; got {value!r}"
        raise InvalidProfileError(msg) from None


def _purpose(value: str) -> str:
    return _name(value, "purpose", MARKETING)


def _source(value: str) -> str:
    return _text(value, "a consent's source", "booking form")


@attrs.frozen(kw_only=True)
class ConsentRecord:
    """A guest said yes, or no, to messages on a channel for a purpose, at an instant.

    A profile keeps every record; the latest at or before an instant decides
    (:meth:`CustomerProfile.consents_to`).

    Attributes:
        channel: The channel the consent is for.
        granted: Yes (``True``) or no (``False``).
        at: When the guest said it, kept in UTC.
        source: Where it was said (``"booking form"``, ``"front desk"``, ``"app settings"``).
        purpose: What messages it is for; ``"marketing"`` unless named.

    Raises:
        InvalidProfileError: An unknown channel, a ``granted`` that is not a bool, an
            empty source or a purpose that is not a short lower-case name.

    Example:
        >>> import pendulum
        >>> from staycore.membership.profiles import ConsentRecord
        >>> record = ConsentRecord(channel="sms", granted=False, source="front desk",
        ...                        at=pendulum.datetime(2026, 3, 1, 9, tz="Asia/Taipei"))
        >>> record.channel, record.purpose, record.at.isoformat()
        (<Channel.SMS: 'sms'>, 'marketing', '2026-03-01T01:00:00+00:00')
    """

    channel: Channel = attrs.field(converter=_channel)
    granted: bool
    at: pendulum.DateTime = attrs.field(converter=_at)
    source: str = attrs.field(converter=_source)
    purpose: str = attrs.field(default=MARKETING, converter=_purpose)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.granted, bool):
            msg = f"a consent is granted (True) or refused (False), got {self.granted!r}"
            raise InvalidProfileError(msg)


def _tag_name(value: str) -> str:
    return _name(value, "a tag's name", "business_high_value")


def _reason(value: str) -> str:
    return _text(value, "a tag's reason", "3 stays in a row in an executive room")


def _rule(value: str) -> str:
    return _text(value, "a tag's rule", "business_high_value")


@attrs.frozen(kw_only=True)
class Tag:
    """A label on a profile (``family``, ``high_net_worth``), and why it was given.

    Attributes:
        name: The tag, a short lower-case name.
        reason: Why it was given, in a sentence built from the facts that earned it.
        given_at: When it was first given, kept in UTC.
        rule: The rule that gave it (see :mod:`staycore.membership.tags`).

    Example:
        >>> import pendulum
        >>> from staycore.membership.profiles import Tag
        >>> Tag(name="family", reason="2 stays with children, the last on 2026-08-20",
        ...     given_at=pendulum.datetime(2026, 8, 20, 11, tz="UTC"), rule="family").name
        'family'
    """

    name: str = attrs.field(converter=_tag_name)
    reason: str = attrs.field(converter=_reason)
    given_at: pendulum.DateTime = attrs.field(converter=_given_at)
    rule: str = attrs.field(converter=_rule)


def _customer(value: object, what: str) -> CustomerId:
    if not isinstance(value, CustomerId):
        msg = f"{what} must be a CustomerId such as CustomerId.new(), got {value!r}"
        raise InvalidProfileError(msg)
    return value


def _order(value: object, what: str) -> OrderId:
    if not isinstance(value, OrderId):
        msg = f"{what} must be an OrderId, got {value!r}"
        raise InvalidProfileError(msg)
    return value


@attrs.frozen(kw_only=True)
class Referral:
    """A friend the guest referred, and whether the referral converted (the friend stayed).

    Attributes:
        referred: The referred customer.
        at: When the referral was shared, kept in UTC.
        converted_at: When it converted, or ``None`` while it has not.

    Raises:
        InvalidProfileError: ``referred`` is not a customer id, or it converted before
            it was shared.

    Example:
        >>> import pendulum
        >>> from staycore.membership.ids import CustomerId
        >>> from staycore.membership.profiles import Referral
        >>> shared = pendulum.datetime(2026, 5, 1, tz="UTC")
        >>> friend = CustomerId("cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5B1")
        >>> referral = Referral(referred=friend, at=shared)
        >>> referral.converted
        False
        >>> referral.joined(Referral(referred=friend, at=shared.add(days=2),
        ...                          converted_at=shared.add(days=30))).converted
        True
    """

    referred: CustomerId
    at: pendulum.DateTime = attrs.field(converter=_at)
    converted_at: pendulum.DateTime | None = attrs.field(default=None, converter=_converted_at)

    def __attrs_post_init__(self) -> None:
        _customer(self.referred, "a referral's referred customer")
        if self.converted_at is not None and self.converted_at < self.at:
            msg = (
                f"a referral converts after it is shared: converted_at "
                f"{self.converted_at.isoformat()} is before {self.at.isoformat()}"
            )
            raise InvalidProfileError(msg)

    @property
    def converted(self) -> bool:
        """Whether the referred friend became a guest."""
        return self.converted_at is not None

    def joined(self, other: Referral) -> Referral:
        """Return what two records of one referral say together.

        The referral was shared when it was first shared, and converted when it first
        converted; joining is the same whatever the order, and joining a record with
        itself changes nothing.

        Raises:
            InvalidProfileError: The two are referrals of different customers.

        Example:
            See the class example.
        """
        if other.referred != self.referred:
            msg = (
                f"a referral of {self.referred} cannot be joined with one of {other.referred}; "
                "join records of the same referred customer"
            )
            raise InvalidProfileError(msg)
        converted = [at for at in (self.converted_at, other.converted_at) if at is not None]
        return Referral(
            referred=self.referred,
            at=min(self.at, other.at),
            converted_at=min(converted) if converted else None,
        )


def _score(value: Decimal | int | str) -> Decimal:
    try:
        score = to_decimal(value, what="a review's score")
    except StaycoreError as error:
        raise InvalidProfileError(error.message) from None
    if not _MIN_SCORE <= score <= _MAX_SCORE:
        msg = f"a review's score is from 1 to 5 (the mean of its ratings), got {score}"
        raise InvalidProfileError(msg)
    return score


@attrs.frozen(kw_only=True)
class ReviewRecord:
    """A review the guest left of an order, as tag rules read it: its overall score.

    Attributes:
        order: The order reviewed.
        score: The review's overall score, 1 to 5 (the mean of its ratings, such as
            :attr:`staycore.orders.reviews.Ratings.overall`).
        at: When it was left, kept in UTC.

    Raises:
        InvalidProfileError: The score is out of range or not an exact number.

    Example:
        >>> import pendulum
        >>> from staycore.membership.profiles import ReviewRecord
        >>> from staycore.orders.ids import OrderId
        >>> ReviewRecord(order=OrderId("ord_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7"), score="4.3",
        ...              at=pendulum.datetime(2026, 7, 14, tz="UTC")).score
        Decimal('4.3')
    """

    order: OrderId
    score: Decimal = attrs.field(converter=_score)
    at: pendulum.DateTime = attrs.field(converter=_at)

    def __attrs_post_init__(self) -> None:
        _order(self.order, "a review's order")


# -- events ----------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ProfileRegistered(DomainEvent):
    """A guest got a profile; whether it can be reached by e-mail or phone, not how."""

    has_email: bool
    has_phone: bool


@attrs.frozen(kw_only=True)
class ProfileChanged(DomainEvent):
    """Some of a profile's fields changed; ``fields`` names them, never their values."""

    fields: tuple[str, ...]
    reason: str = ""


@attrs.frozen(kw_only=True)
class ConsentChanged(DomainEvent):
    """A consent record was added; ``previously`` is what decided just before it."""

    channel: Channel
    purpose: str
    granted: bool
    source: str
    previously: bool


@attrs.frozen(kw_only=True)
class TagsChanged(DomainEvent):
    """Tags were added to or removed from a profile, by name."""

    added: tuple[str, ...]
    removed: tuple[str, ...]


@attrs.frozen(kw_only=True)
class ProfilesMerged(DomainEvent):
    """A duplicate profile was folded into this one, and every profile it holds now."""

    duplicate: CustomerId
    duplicate_version: int
    merged_from: tuple[CustomerId, ...]


# -- the profile -----------------------------------------------------------------------


def _instant_key(value: dt.datetime) -> dt.datetime:
    """The instant in UTC: Python compares two datetimes of one zone by wall clock."""
    return value.astimezone(dt.UTC)


def _consent_key(record: ConsentRecord) -> tuple[object, ...]:
    return (record.at, record.channel.value, record.purpose, record.granted, record.source)


def _stay_key(record: StayRecord) -> tuple[object, ...]:
    return (record.counted_on, _instant_key(record.completed_at), str(record.order))


def _full_name(value: str) -> str:
    return _text(value, "name", "Mei Tan")


def _identity_number(value: str | None) -> str | None:
    return None if value is None else _text(value, "identity_number", "A123456789")


def _birthday(value: dt.date | None) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        msg = f"birthday must be a calendar date such as date(1990, 4, 12), got {value!r}"
        raise InvalidProfileError(msg)
    return value


def _contact(value: ContactDetails) -> ContactDetails:
    if not isinstance(value, ContactDetails):
        msg = f"contact must be ContactDetails(emails=..., phones=...), got {type(value).__name__}"
        raise InvalidProfileError(msg)
    return value


def _preferences(value: Iterable[str]) -> frozenset[str]:
    items = _many(value, "preferences", "no_smoking")
    return frozenset(_name(item, "a preference", "no_smoking") for item in items)


def _records(value: Iterable[Any], kind: type, what: str) -> tuple[Any, ...]:
    items = _many(value, what, kind.__name__)
    strangers = [item for item in items if not isinstance(item, kind)]
    if strangers:
        msg = f"{what} are {kind.__name__} values, got {strangers[0]!r}"
        raise InvalidProfileError(msg)
    return items


def _consents(value: Iterable[ConsentRecord]) -> tuple[ConsentRecord, ...]:
    return tuple(sorted(set(_records(value, ConsentRecord, "consents")), key=_consent_key))


def _stays(value: Iterable[StayRecord]) -> tuple[StayRecord, ...]:
    return tuple(sorted(_records(value, StayRecord, "stays"), key=_stay_key))


def _orders(value: Iterable[OrderId]) -> tuple[OrderId, ...]:
    items = _many(value, "orders", "ord_...")
    return tuple(sorted({_order(item, "an order of a profile") for item in items}))


def _tags(value: Iterable[Tag]) -> tuple[Tag, ...]:
    return tuple(sorted(_records(value, Tag, "tags"), key=lambda tag: tag.name))


def _referrals(value: Iterable[Referral]) -> tuple[Referral, ...]:
    items = _records(value, Referral, "referrals")
    return tuple(sorted(items, key=lambda r: (r.at, str(r.referred))))


def _reviews(value: Iterable[ReviewRecord]) -> tuple[ReviewRecord, ...]:
    items = _records(value, ReviewRecord, "reviews")
    return tuple(sorted(items, key=lambda r: (r.at, str(r.order))))


def _merged_from(value: Iterable[CustomerId]) -> tuple[CustomerId, ...]:
    items = _many(value, "merged_from", "cus_...")
    return tuple(sorted({_customer(item, "a merged profile") for item in items}))


def _repeated(keys: Iterable[object]) -> object | None:
    seen: set[object] = set()
    for key in keys:
        if key in seen:
            return key
        seen.add(key)
    return None


ProfileChange = tuple["CustomerProfile", tuple[DomainEvent, ...]]
"""A profile after a change, and the events the change recorded (none if nothing changed)."""


@attrs.frozen(kw_only=True)
class CustomerProfile:
    """A guest: who they are, how to reach them, what they agreed to, what they did.

    Build one with :meth:`register`; change it only through its methods (or
    :func:`merge`). The record fields are kept in a canonical order, so two profiles with
    the same history are equal however it was recorded: consents, reviews and referrals
    by time, stays by check-out, orders and merged profiles by id, tags by name.

    Attributes:
        id: The customer's identity.
        version: Incremented by every change.
        name: The guest's name (personal).
        contact: E-mail addresses and phone numbers (personal).
        created_at: When the profile was registered (the earliest, after a merge).
        identity_number: A passport or ID card number, if the property records one
            (personal).
        birthday: The guest's birthday, if known (personal).
        preferences: Short names such as ``no_smoking``, ``high_floor``, ``quiet_room``;
            case, spaces and dashes are normalised (``"High floor"`` is ``high_floor``).
        consents: Every consent record, oldest first.
        stays: The completed stays that count, by check-out; one per order.
        orders: Every order that touched the profile, cancelled and refunded ones too.
        tags: The tags the profile holds, one per name.
        referrals: The friends the guest referred, one record per friend.
        reviews: The reviews the guest left, one per order.
        merged_from: The profiles folded into this one.

    Raises:
        InvalidProfileError: A field is malformed, two stays or reviews name one order,
            a stay or review names an order not in ``orders``, the guest referred
            themself, or two tags share a name.

    Example:
        See the module example.
    """

    id: CustomerId
    version: int
    name: str = attrs.field(converter=_full_name, metadata=_PERSONAL, repr=_hidden)
    contact: ContactDetails = attrs.field(
        factory=ContactDetails, converter=_contact, metadata=_PERSONAL, repr=_hidden
    )
    created_at: pendulum.DateTime = attrs.field(converter=_created_at)
    identity_number: str | None = attrs.field(
        default=None, converter=_identity_number, metadata=_PERSONAL, repr=_hidden
    )
    birthday: dt.date | None = attrs.field(
        default=None, converter=_birthday, metadata=_PERSONAL, repr=_hidden
    )
    preferences: frozenset[str] = attrs.field(factory=frozenset, converter=_preferences)
    consents: tuple[ConsentRecord, ...] = attrs.field(default=(), converter=_consents)
    stays: tuple[StayRecord, ...] = attrs.field(default=(), converter=_stays)
    orders: tuple[OrderId, ...] = attrs.field(default=(), converter=_orders)
    tags: tuple[Tag, ...] = attrs.field(default=(), converter=_tags)
    referrals: tuple[Referral, ...] = attrs.field(default=(), converter=_referrals)
    reviews: tuple[ReviewRecord, ...] = attrs.field(default=(), converter=_reviews)
    merged_from: tuple[CustomerId, ...] = attrs.field(default=(), converter=_merged_from)

    def __attrs_post_init__(self) -> None:
        _customer(self.id, "a profile's id")
        version = self.version
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            msg = f"a profile's version is a whole number of at least 1, got {version!r}"
            raise InvalidProfileError(msg)
        problem = self._problem()
        if problem:
            raise InvalidProfileError(f"profile {self.id}: {problem}")

    def _problem(self) -> str:
        orders = set(self.orders)
        stay_twice = _repeated(record.order for record in self.stays)
        review_twice = _repeated(review.order for review in self.reviews)
        touched = (*(s.order for s in self.stays), *(r.order for r in self.reviews))
        stranger = next((order for order in touched if order not in orders), None)
        referred_twice = _repeated(referral.referred for referral in self.referrals)
        tag_twice = _repeated(tag.name for tag in self.tags)
        selves = {self.id, *self.merged_from}
        checks = [
            (
                stay_twice is not None,
                f"two stays are recorded for order {stay_twice}; a profile keeps one per order",
            ),
            (
                review_twice is not None,
                f"two reviews are recorded for order {review_twice}; a guest leaves one per order",
            ),
            (
                stranger is not None,
                f"order {stranger} has a stay or a review, so it belongs in orders too",
            ),
            (
                referred_twice is not None,
                f"{referred_twice} is referred twice; join the two records (Referral.joined)",
            ),
            (
                any(referral.referred in selves for referral in self.referrals),
                "a guest cannot refer themself",
            ),
            (
                tag_twice is not None,
                f"the tag {tag_twice!r} is held twice; a profile holds a tag once",
            ),
            (self.id in self.merged_from, "a profile is not merged from itself"),
        ]
        return next((message for failed, message in checks if failed), "")

    # -- registering -----------------------------------------------------------------

    @classmethod
    def register(
        cls,
        customer_id: CustomerId,
        *,
        name: str,
        at: dt.datetime,
        contact: ContactDetails | None = None,
        birthday: dt.date | None = None,
        identity_number: str | None = None,
        preferences: Iterable[str] = (),
    ) -> ProfileChange:
        """A new profile, with no history yet.

        Raises:
            InvalidProfileError: A field is malformed.

        Example:
            >>> import datetime as dt
            >>> import pendulum
            >>> from staycore.membership.ids import CustomerId
            >>> from staycore.membership.profiles import CustomerProfile
            >>> ana, (event,) = CustomerProfile.register(
            ...     CustomerId("cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5C0"), name="Ana Lima",
            ...     birthday=dt.date(1990, 4, 12), preferences=["High floor", "quiet-room"],
            ...     at=pendulum.datetime(2026, 1, 5, 12, tz="UTC"))
            >>> sorted(ana.preferences), ana.version, (event.has_email, event.has_phone)
            (['high_floor', 'quiet_room'], 1, (False, False))
        """
        profile = cls(
            id=customer_id,
            version=1,
            name=name,
            contact=ContactDetails() if contact is None else contact,
            created_at=at,
            identity_number=identity_number,
            birthday=birthday,
            preferences=preferences,
        )
        registered = ProfileRegistered(
            aggregate_id=profile.id,
            aggregate_version=1,
            occurred_at=profile.created_at,
            has_email=bool(profile.contact.emails),
            has_phone=bool(profile.contact.phones),
        )
        return profile, (registered,)

    # -- derived ---------------------------------------------------------------------

    @property
    def last_stay_on(self) -> dt.date | None:
        """The check-out date of the latest stay, or ``None`` without stays."""
        return self.stays[-1].counted_on if self.stays else None

    def stay_of(self, order_id: OrderId) -> StayRecord | None:
        """The stay recorded for ``order_id``, or ``None``.

        Example:
            Continuing the module example above:

            >>> mei.stay_of(stay.order).room
            'executive'
        """
        return next((record for record in self.stays if record.order == order_id), None)

    def deciding_consent(
        self, channel: Channel | str, *, at: dt.datetime, purpose: str = MARKETING
    ) -> ConsentRecord | None:
        """The consent record that decides for ``channel`` and ``purpose`` at ``at``, if any.

        It is the latest record at or before ``at``; of two at the same instant that
        disagree, the refusal. A skipped message can quote it as its reason.

        Example:
            Continuing the module example above:

            >>> mei.deciding_consent(Channel.EMAIL, at=at).source
            'booking form'
        """
        wanted, instant, kind = _channel(channel), _at(at), _purpose(purpose)
        deciding: ConsentRecord | None = None
        for record in self.consents:  # oldest first: a later one overrides
            if record.at > instant:
                break
            if record.channel is not wanted or record.purpose != kind:
                continue
            same_instant = deciding is not None and deciding.at == record.at
            if not (same_instant and deciding is not None and not deciding.granted):
                deciding = record
        return deciding

    def consents_to(
        self, channel: Channel | str, *, at: dt.datetime, purpose: str = MARKETING
    ) -> bool:
        """Whether the guest may be sent ``purpose`` messages on ``channel`` at ``at``.

        The latest record at or before ``at`` decides (see :meth:`deciding_consent`);
        without one, the answer is no.

        Example:
            See the module example.
        """
        record = self.deciding_consent(channel, at=at, purpose=purpose)
        return record is not None and record.granted

    # -- changes ---------------------------------------------------------------------

    def _changed(
        self,
        at: pendulum.DateTime,
        fields: Iterable[str],
        reason: str = "",
        **changes: Any,  # noqa: ANN401 - fields of CustomerProfile
    ) -> ProfileChange:
        changed = attrs.evolve(self, version=self.version + 1, **changes)
        event = ProfileChanged(
            aggregate_id=self.id,
            aggregate_version=changed.version,
            occurred_at=at,
            fields=tuple(fields),
            reason=reason,
        )
        return changed, (event,)

    def record_stay(self, record: StayRecord, *, at: dt.datetime) -> ProfileChange:
        """Add a completed stay, and its order to :attr:`orders`.

        Recording the same stay again changes nothing.

        Raises:
            DuplicateStayError: The order has a stay recorded with other details.

        Example:
            See the module example.
        """
        now = _at(at)
        if not isinstance(record, StayRecord):
            msg = f"record_stay takes a StayRecord, got {type(record).__name__}"
            raise InvalidProfileError(msg)
        held = self.stay_of(record.order)
        if held == record:
            return self, ()
        if held is not None:
            raise DuplicateStayError(record.order)
        fields = ("stays",) if record.order in self.orders else ("stays", "orders")
        return self._changed(
            now,
            fields,
            f"stay of order {record.order} recorded",
            stays=(*self.stays, record),
            orders=(*self.orders, record.order),
        )

    def remove_stay(self, order_id: OrderId, *, at: dt.datetime) -> ProfileChange:
        """Drop the stay of an order that was refunded: it no longer counts.

        The order stays in :attr:`orders`; an order without a stay changes nothing.

        Example:
            Continuing the module example above:

            >>> refunded, (event,) = mei.remove_stay(stay.order, at=at.add(days=20))
            >>> refunded.stays, refunded.orders == mei.orders, event.reason
            ((), True, 'stay of order ord_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7 removed')
        """
        now = _at(at)
        if self.stay_of(order_id) is None:
            return self, ()
        stays = tuple(record for record in self.stays if record.order != order_id)
        return self._changed(now, ("stays",), f"stay of order {order_id} removed", stays=stays)

    def record_order(self, order_id: OrderId, *, at: dt.datetime) -> ProfileChange:
        """Add an order that touched the profile (placed, cancelled, refunded alike).

        Example:
            Continuing the module example above:

            >>> later, _ = mei.record_order(OrderId("ord_01JD3M7K2Q8ZP4V6W9X1Y3Z5B0"), at=at)
            >>> len(later.orders), later.record_order(later.orders[0], at=at)[1]
            (2, ())
        """
        now = _at(at)
        _order(order_id, "record_order's order")
        if order_id in self.orders:
            return self, ()
        return self._changed(
            now, ("orders",), f"order {order_id} recorded", orders=(*self.orders, order_id)
        )

    def record_review(self, review: ReviewRecord, *, at: dt.datetime) -> ProfileChange:
        """Add a review the guest left; a review of an order reviewed before replaces it.

        Example:
            Continuing the module example above:

            >>> from staycore.membership.profiles import ReviewRecord
            >>> reviewed, (event,) = mei.record_review(
            ...     ReviewRecord(order=stay.order, score=5, at=at.add(days=5)), at=at.add(days=5))
            >>> reviewed.reviews[0].score, event.fields
            (Decimal('5'), ('reviews',))
        """
        now = _at(at)
        if not isinstance(review, ReviewRecord):
            msg = f"record_review takes a ReviewRecord, got {type(review).__name__}"
            raise InvalidProfileError(msg)
        if review in self.reviews:
            return self, ()
        reviews = (*(r for r in self.reviews if r.order != review.order), review)
        fields = ("reviews",) if review.order in self.orders else ("reviews", "orders")
        return self._changed(
            now,
            fields,
            f"review of order {review.order} recorded",
            reviews=reviews,
            orders=(*self.orders, review.order),
        )

    def record_referral(self, referral: Referral, *, at: dt.datetime) -> ProfileChange:
        """Add a friend the guest referred, or what is new about one (that it converted).

        Records of one friend are joined (:meth:`Referral.joined`).

        Raises:
            InvalidProfileError: The guest referred themself.

        Example:
            Continuing the module example above:

            >>> from staycore.membership.profiles import Referral
            >>> friend = CustomerId("cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5B1")
            >>> shared, _ = mei.record_referral(Referral(referred=friend, at=at), at=at)
            >>> converted, _ = shared.record_referral(
            ...     Referral(referred=friend, at=at, converted_at=at.add(days=9)),
            ...     at=at.add(days=9))
            >>> len(converted.referrals), converted.referrals[0].converted
            (1, True)
        """
        now = _at(at)
        if not isinstance(referral, Referral):
            msg = f"record_referral takes a Referral, got {type(referral).__name__}"
            raise InvalidProfileError(msg)
        if referral.referred == self.id or referral.referred in self.merged_from:
            msg = f"profile {self.id} cannot refer itself"
            raise InvalidProfileError(msg)
        held = next((r for r in self.referrals if r.referred == referral.referred), None)
        joined = referral if held is None else held.joined(referral)
        if joined == held:
            return self, ()
        referrals = (*(r for r in self.referrals if r.referred != referral.referred), joined)
        return self._changed(
            now, ("referrals",), f"referral of {referral.referred} recorded", referrals=referrals
        )

    def erase(self, *, at: dt.datetime) -> ProfileChange:
        """The profile without personal data, on the guest's request; pseudonymous after.

        Every personal field (:func:`personal_fields`) goes: the name becomes
        :data:`~staycore.kernel.erasure.ERASED`, the others empty. The id stays, and with
        it the stays, orders, tags and consent records filed under it, so that nothing
        that counts is lost and nothing left names the guest. Erasing an erased profile
        changes nothing.

        Example:
            Continuing the module example above:

            >>> erased, (event,) = mei.erase(at=at.add(days=30))
            >>> erased.name, erased.contact.emails, erased.id == mei.id, event.fields
            ('erased', (), True, ('name', 'contact', 'identity_number', 'birthday'))
            >>> erased.erase(at=at.add(days=31)) == (erased, ())
            True
        """
        blank: dict[str, Any] = {
            name: ERASED if name == "name" else _default(attrs.fields_dict(CustomerProfile)[name])
            for name in personal_fields(CustomerProfile)
        }
        if all(getattr(self, name) == value for name, value in blank.items()):
            return self, ()
        changed = attrs.evolve(self, version=self.version + 1, **blank)
        event = PersonalDataErased(
            aggregate_id=self.id,
            aggregate_version=changed.version,
            occurred_at=at,
            fields=tuple(blank),
        )
        return changed, (event,)

    def give_consent(
        self,
        channel: Channel | str,
        *,
        granted: bool,
        at: dt.datetime,
        source: str,
        purpose: str = MARKETING,
    ) -> ProfileChange:
        """Record that the guest said yes (``granted``) or no to messages on ``channel``.

        Every record is kept, even one that repeats what decides already: it is the
        history a regulator may ask for. A record dated before later ones (a paper form
        typed in later) takes its place in time, and decides only until the next.

        Raises:
            InvalidProfileError: An unknown channel, an empty source, a purpose that is
                not a short name.

        Example:
            Continuing the module example above:

            >>> withdrawn, (event,) = mei.give_consent(
            ...     "email", granted=False, at=at.add(days=2), source="unsubscribe link")
            >>> withdrawn.consents_to(Channel.EMAIL, at=at.add(days=3)), event.previously
            (False, True)
            >>> withdrawn.consents_to(Channel.EMAIL, at=at.add(days=1))
            True
        """
        record = ConsentRecord(
            channel=channel, granted=granted, at=at, source=source, purpose=purpose
        )
        previously = self.consents_to(record.channel, at=record.at, purpose=record.purpose)
        changed = attrs.evolve(self, version=self.version + 1, consents=(*self.consents, record))
        event = ConsentChanged(
            aggregate_id=self.id,
            aggregate_version=changed.version,
            occurred_at=record.at,
            channel=record.channel,
            purpose=record.purpose,
            granted=record.granted,
            source=record.source,
            previously=previously,
        )
        return changed, (event,)

    def update_contact(
        self,
        *,
        at: dt.datetime,
        name: str | None = None,
        contact: ContactDetails | None = None,
        identity_number: str | None = None,
        birthday: dt.date | None = None,
    ) -> ProfileChange:
        """Change the guest's personal details; those left ``None`` are kept.

        The event names the fields that changed, never their values. Erasing personal
        data is a separate concern (see :func:`personal_fields`).

        Example:
            Continuing the module example above:

            >>> moved, (event,) = mei.update_contact(
            ...     at=at, contact=ContactDetails(emails=["mei@tan.example"]), name="Mei Tan")
            >>> moved.contact.emails, event.fields
            (('mei@tan.example',), ('contact',))
        """
        now = _at(at)
        given = {
            "name": name,
            "contact": contact,
            "identity_number": identity_number,
            "birthday": birthday,
        }
        changes: dict[str, Any] = {key: value for key, value in given.items() if value is not None}
        candidate = attrs.evolve(self, **changes)
        fields = tuple(key for key in changes if getattr(candidate, key) != getattr(self, key))
        if not fields:
            return self, ()
        return self._changed(now, fields, **{key: getattr(candidate, key) for key in fields})

    def set_preferences(self, preferences: Iterable[str], *, at: dt.datetime) -> ProfileChange:
        """Replace the guest's preferences.

        Example:
            Continuing the module example above:

            >>> quiet, (event,) = mei.set_preferences(["quiet room", "no_smoking"], at=at)
            >>> sorted(quiet.preferences), event.fields
            (['no_smoking', 'quiet_room'], ('preferences',))
        """
        now = _at(at)
        wanted = _preferences(preferences)
        if wanted == self.preferences:
            return self, ()
        return self._changed(now, ("preferences",), preferences=wanted)

    def with_tags(self, tags: Iterable[Tag], *, at: dt.datetime) -> ProfileChange:
        """Hold exactly ``tags``: those not held are added, those held and not given removed.

        A tag held already is kept as it was first given (its reason and ``given_at``),
        so that it says since when and why the guest has it; nothing changes, and no
        event is recorded, when the same tags are given again.

        Raises:
            InvalidProfileError: Two of ``tags`` share a name.

        Example:
            Continuing the module example above:

            >>> from staycore.membership.profiles import Tag
            >>> tag = Tag(name="family", reason="1 stay with children, on 2026-03-05",
            ...           given_at=at, rule="family")
            >>> tagged, (event,) = mei.with_tags([tag], at=at)
            >>> [t.name for t in tagged.tags], event.added, event.removed
            (['family'], ('family',), ())
            >>> tagged.with_tags([tag], at=at.add(days=1))[1]
            ()
        """
        now = _at(at)
        given = _tags(tags)
        twice = _repeated(tag.name for tag in given)
        if twice is not None:
            msg = f"the tag {twice!r} is given twice; give each tag once"
            raise InvalidProfileError(msg)
        held = {tag.name: tag for tag in self.tags}
        names = {tag.name for tag in given}
        added = tuple(tag.name for tag in given if tag.name not in held)
        removed = tuple(name for name in held if name not in names)
        if not added and not removed:
            return self, ()
        kept = tuple(held.get(tag.name, tag) for tag in given)
        changed = attrs.evolve(self, version=self.version + 1, tags=kept)
        event = TagsChanged(
            aggregate_id=self.id,
            aggregate_version=changed.version,
            occurred_at=now,
            added=added,
            removed=removed,
        )
        return changed, (event,)


# -- duplicates ------------------------------------------------------------------------


def same_customer(a: CustomerProfile, b: CustomerProfile) -> bool:
    """Whether two profiles share a (normalised) e-mail address or phone number.

    Example:
        See the module example.
    """
    return a.contact.shares_with(b.contact)


def merge(
    survivor: CustomerProfile, duplicate: CustomerProfile, *, at: dt.datetime
) -> ProfileChange:
    """Fold ``duplicate`` into ``survivor``, losing no history.

    The merged profile keeps the survivor's id, name and identity number (the
    duplicate's when the survivor has none), its birthday (likewise), and one version
    more. It holds both profiles' contact details (the survivor's first), preferences,
    consent records, stays, orders, reviews and referrals, the earliest ``created_at``,
    and lists the duplicate (and every profile merged into it) in ``merged_from``. Where
    both have a record of one order (a stay, a review) or a tag of one name, the
    survivor's is kept; referrals of one friend are joined; a referral of the other
    profile is dropped (a guest does not refer themself). Tags are best given again
    by the rules after a merge.

    The duplicate profile itself is not changed: the use case retires it.

    Raises:
        ProfilesNotDuplicatesError: The two are one profile, or share no e-mail address
            or phone number.

    Example:
        Continuing the module example above:

        >>> merge(mei, mei, at=at)
        Traceback (most recent call last):
        ...
        staycore.membership.profiles.ProfilesNotDuplicatesError: [membership.not_duplicates] ...
        >>> stranger, _ = CustomerProfile.register(
        ...     CustomerId("cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A9"), name="Mei Tan", at=at)
        >>> merge(mei, stranger, at=at)
        Traceback (most recent call last):
        ...
        staycore.membership.profiles.ProfilesNotDuplicatesError: [membership.not_duplicates]
        profiles cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7 and cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A9 share
        no e-mail address or phone number ...
    """
    now = _at(at)
    if survivor.id == duplicate.id:
        msg = f"profile {survivor.id} cannot be merged into itself; pick the duplicate to fold in"
        raise ProfilesNotDuplicatesError(msg)
    if not same_customer(survivor, duplicate):
        msg = (
            f"profiles {survivor.id} and {duplicate.id} share no e-mail address or phone "
            "number, so nothing says they are one guest; if the guest confirms it, add a "
            "shared contact to one of them (update_contact) and merge again"
        )
        raise ProfilesNotDuplicatesError(msg)
    merged_from = {duplicate.id, *survivor.merged_from, *duplicate.merged_from} - {survivor.id}
    selves = merged_from | {survivor.id}
    referrals: dict[CustomerId, Referral] = {}
    for referral in (*survivor.referrals, *duplicate.referrals):
        if referral.referred in selves:
            continue
        held = referrals.get(referral.referred)
        referrals[referral.referred] = referral if held is None else held.joined(referral)
    stays = {r.order: r for r in duplicate.stays} | {r.order: r for r in survivor.stays}
    reviews = {r.order: r for r in duplicate.reviews} | {r.order: r for r in survivor.reviews}
    tags = {t.name: t for t in duplicate.tags} | {t.name: t for t in survivor.tags}
    merged = attrs.evolve(
        survivor,
        version=survivor.version + 1,
        contact=survivor.contact.merged(duplicate.contact),
        created_at=min(survivor.created_at, duplicate.created_at),
        identity_number=survivor.identity_number or duplicate.identity_number,
        birthday=survivor.birthday or duplicate.birthday,
        preferences=survivor.preferences | duplicate.preferences,
        consents=(*survivor.consents, *duplicate.consents),
        stays=tuple(stays.values()),
        orders=(*survivor.orders, *duplicate.orders),
        tags=tuple(tags.values()),
        referrals=tuple(referrals.values()),
        reviews=tuple(reviews.values()),
        merged_from=merged_from,
    )
    event = ProfilesMerged(
        aggregate_id=survivor.id,
        aggregate_version=merged.version,
        occurred_at=now,
        duplicate=duplicate.id,
        duplicate_version=duplicate.version,
        merged_from=merged.merged_from,
    )
    return merged, (event,)
