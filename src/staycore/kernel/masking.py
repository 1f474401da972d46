"""Masking guests' contact details and identity numbers for display.

Staff see as much of a phone number, an e-mail address or an identity number as their
role needs, and no more: the front desk reads ``138****1234`` to confirm a caller, an
analyst reads ``*********34``. A :class:`MaskingPolicy` says how much of each kind of
field (:class:`FieldKind`) is shown; a host keeps one policy per role. The functions
under it mask one value each:

* :func:`mask_phone` shows the first and the last digits of the national number, in
  place: spaces, dashes, brackets, the ``+`` and the country code stay as written.
* :func:`mask_email` shows the first character of the local part, then ``***``, and
  the domain: ``j***@example.com``, whatever the local part's length.
* :func:`mask_identity` shows the last characters (and, if the policy says so, the
  first), never more than half of them; separators stay in place.

Masking is for display, so it never raises for any text: what cannot be read as the
field it claims to be is masked wholly. Phones and identity numbers keep their length in
characters (not bytes), so columns still line up; an e-mail's local part does not, on
purpose. Only a policy asking for a negative count, or a value that is not text, is
refused, with :class:`InvalidMaskingError`.

Example:
    >>> from staycore.kernel.masking import FieldKind, MaskingPolicy
    >>> by_role = {"front_desk": MaskingPolicy.default(), "analyst": MaskingPolicy.strict()}
    >>> for role, policy in by_role.items():
    ...     print(role, policy.mask(FieldKind.PHONE, "+86 138 1234 1234"),
    ...           policy.mask("email", "jane@example.com"),
    ...           policy.mask("identity", "A123456789"))
    front_desk +86 138 **** 1234 j***@example.com ******6789
    analyst +86 *** **** **34 ***@example.com **********
"""

from __future__ import annotations

import enum
import unicodedata
from collections.abc import Mapping
from typing import Any, Final, Self, TypeVar, cast

import attrs

from staycore.kernel.errors import KernelError

__all__ = [
    "MASK",
    "FieldKind",
    "InvalidMaskingError",
    "MaskingPolicy",
    "mask_email",
    "mask_identity",
    "mask_phone",
    "masked",
]

T = TypeVar("T")

MASK: Final = "*"
"""The character that stands for each hidden character."""

_EMAIL_MASK: Final = MASK * 3
# A phone number shows its first and last digits only while at least this many stay
# hidden: the 11 digits of a Chinese mobile number, shown 3 and 4, hide 4.
_PHONE_HIDDEN_AT_LEAST: Final = 4
# What a number too short for the policy shows at most, from its end.
_SHORT_PHONE_SHOWN: Final = 2
_PHONE_SEPARATORS: Final = frozenset("-()./")
_IDENTITY_SEPARATORS: Final = frozenset("-/.")
# Country calling codes are prefix-free: 1 and 7 are whole zones, these are the
# two-digit codes, and every other code has three digits (E.164 assignments).
_ONE_DIGIT_CODES: Final = frozenset({1, 7})
_TWO_DIGIT_CODES: Final = frozenset(
    {20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46, 47, 48, 49}
    | {51, 52, 53, 54, 55, 56, 57, 58, 60, 61, 62, 63, 64, 65, 66}
    | {81, 82, 84, 86, 90, 91, 92, 93, 94, 95, 98}
)


class InvalidMaskingError(KernelError):
    """A masking policy or call asked for a negative count, or was given something not text.

    Example:
        >>> from staycore.kernel.masking import MaskingPolicy
        >>> MaskingPolicy(identity_last=-1)
        Traceback (most recent call last):
        ...
        staycore.kernel.masking.InvalidMaskingError: [masking.invalid] ...
    """

    code = "masking.invalid"


def _check_count(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        msg = f"{name} is how many characters to show: a whole number, 0 or more; got {value!r}"
        raise InvalidMaskingError(msg)
    return value


def _check_text(value: object, what: str) -> str:
    if not isinstance(value, str):
        msg = (
            f"{what} to mask is text, got a {type(value).__name__}; show nothing for a "
            "missing value rather than masking it"
        )
        raise InvalidMaskingError(msg)
    return value


def _wholly(text: str) -> str:
    return MASK * len(text)


def _form(char: str) -> str:
    # One character at a time, so that full-width brackets, dashes and plus signs read
    # as their ASCII forms while the text keeps its length.
    return unicodedata.normalize("NFKC", char)


def _country_code_length(digits: list[int]) -> int:
    if not digits:
        return 0
    if digits[0] in _ONE_DIGIT_CODES:
        return 1
    if len(digits) > 1 and digits[0] * 10 + digits[1] in _TWO_DIGIT_CODES:
        return 2
    return min(3, len(digits))


def _phone_shown(digits: int, first: int, last: int) -> tuple[int, int]:
    if digits - first - last >= _PHONE_HIDDEN_AT_LEAST:
        return first, last
    if last <= digits // 2:
        return 0, last
    return 0, min(last, _SHORT_PHONE_SHOWN, digits // 2)


def mask_phone(number: str, *, show_first: int = 3, show_last: int = 4) -> str:
    """Mask a phone number's national digits in place, keeping its length and layout.

    The country code (after a leading ``+`` or ``00``) stays, as do spaces, dashes,
    dots, slashes and brackets, in ASCII or full width. Of the national number's
    digits:

    * the first ``show_first`` and the last ``show_last`` are shown while at least four
      digits stay hidden (``138****1234``);
    * otherwise only the last ``show_last``, if they are at most half of them;
    * otherwise, for short numbers, the last two at most, and never more than half.

    Text that is not a phone number (letters, a ``+`` inside, no digits after the
    country code) is masked wholly.

    Args:
        number: The phone number as stored or typed.
        show_first: How many leading national digits may be shown.
        show_last: How many trailing national digits may be shown.

    Raises:
        InvalidMaskingError: ``number`` is not text, or a count is not a whole number of
            0 or more.

    Example:
        >>> from staycore.kernel.masking import mask_phone
        >>> mask_phone("13812341234"), mask_phone("+86 138 1234 1234")
        ('138****1234', '+86 138 **** 1234')
        >>> mask_phone("+886912345678"), mask_phone("+1 (415) 555-0123")
        ('+886*****5678', '+1 (***) ***-0123')
        >>> mask_phone("0086 138 1234 1234"), mask_phone("110"), mask_phone("call me")
        ('0086 138 **** 1234', '**0', '*******')
    """
    text = _check_text(number, "a phone number")
    first_wanted = _check_count(show_first, "show_first")
    last_wanted = _check_count(show_last, "show_last")
    digits: list[int] = []
    plus = False
    for position, char in enumerate(text):
        form = _form(char)
        if char.isdecimal():
            digits.append(position)
        elif form == "+" and not plus and not text[:position].strip():
            plus = True
        elif not (char.isspace() or form in _PHONE_SEPARATORS):
            return _wholly(text)
    values = [unicodedata.decimal(text[position]) for position in digits]
    if plus:
        prefix = _country_code_length(values)
    elif values[:2] == [0, 0]:
        prefix = 2 + _country_code_length(values[2:])
    else:
        prefix = 0
    national = digits[prefix:]
    if not national:
        return _wholly(text)
    first, last = _phone_shown(len(national), first_wanted, last_wanted)
    masked = list(text)
    for position in national[first : len(national) - last]:
        masked[position] = MASK
    return "".join(masked)


def mask_email(address: str, *, show_first: int = 1) -> str:
    """Mask an e-mail address's local part as its first character and ``***``.

    The domain is kept: it tells staff which provider to expect, and rarely who the
    guest is. The local part shows ``show_first`` characters at most, and never more
    than half of it (``jo@`` shows ``j``; ``j@`` shows nothing); ``***`` stands for the
    rest whatever its length, so the mask does not tell it. Text that is not an address
    (no ``@``, nothing on one side of it, spaces or control characters) becomes ``***``.

    Args:
        address: The address as stored.
        show_first: How many leading characters of the local part may be shown.

    Raises:
        InvalidMaskingError: ``address`` is not text, or ``show_first`` is not a whole
            number of 0 or more.

    Example:
        >>> from staycore.kernel.masking import mask_email
        >>> mask_email("jane@example.com"), mask_email("j@example.com")
        ('j***@example.com', '***@example.com')
        >>> mask_email("张伟@例子.中国"), mask_email("jane at example.com"), mask_email("")
        ('张***@例子.中国', '***', '')
    """
    text = _check_text(address, "an e-mail address")
    wanted = _check_count(show_first, "show_first")
    if not text:
        return ""
    local, at, domain = text.rpartition("@")
    if not (at and local and domain) or any(
        char.isspace() or not char.isprintable() for char in text
    ):
        return _EMAIL_MASK
    shown = min(wanted, len(local) // 2)
    return f"{local[:shown]}{_EMAIL_MASK}@{domain}"


def mask_identity(number: str, *, show_last: int = 4, show_first: int = 0) -> str:
    """Mask an identity number (a national id, a passport) but for its last characters.

    Every character but spaces, dashes, slashes and dots counts; the last ``show_last``
    and the first ``show_first`` of them are shown, never more than half together (the
    last come first), and the rest is masked in place. ``show_last=0`` with
    ``show_first=0`` masks every character. Text of separators only is masked wholly.

    Args:
        number: The identity number as stored.
        show_last: How many trailing characters may be shown.
        show_first: How many leading characters may be shown (a region code, say).

    Raises:
        InvalidMaskingError: ``number`` is not text, or a count is not a whole number of
            0 or more.

    Example:
        >>> from staycore.kernel.masking import mask_identity
        >>> mask_identity("110101199003071234"), mask_identity("123-45-6789")
        ('**************1234', '***-**-6789')
        >>> mask_identity("A123456789", show_last=0), mask_identity("E1234", show_last=4)
        ('**********', '***34')
    """
    text = _check_text(number, "an identity number")
    last_wanted = _check_count(show_last, "show_last")
    first_wanted = _check_count(show_first, "show_first")
    counted = [
        position
        for position, char in enumerate(text)
        if not (char.isspace() or _form(char) in _IDENTITY_SEPARATORS)
    ]
    if not counted:
        return _wholly(text)
    half = len(counted) // 2
    last = min(last_wanted, half)
    first = min(first_wanted, half - last)
    masked = list(text)
    for position in counted[first : len(counted) - last]:
        masked[position] = MASK
    return "".join(masked)


class FieldKind(enum.StrEnum):
    """The kinds of personal field a :class:`MaskingPolicy` masks."""

    PHONE = "phone"
    EMAIL = "email"
    IDENTITY = "identity"


def _count(_instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    _check_count(value, attribute.name)


@attrs.frozen(kw_only=True)
class MaskingPolicy:
    """How much of each kind of personal field one role is shown.

    Attributes:
        phone_first: Leading digits of a phone's national number shown
            (see :func:`mask_phone`).
        phone_last: Trailing digits of a phone's national number shown.
        email_first: Leading characters of an e-mail's local part shown
            (see :func:`mask_email`).
        identity_first: Leading characters of an identity number shown
            (see :func:`mask_identity`).
        identity_last: Trailing characters of an identity number shown.

    Raises:
        InvalidMaskingError: A count is not a whole number of 0 or more.

    Example:
        >>> import attrs
        >>> from staycore.kernel.masking import MaskingPolicy
        >>> province = attrs.evolve(MaskingPolicy.default(), identity_first=2)
        >>> province.mask("identity", "110101199003071234")
        '11************1234'

        Never more than half: asked for 6 and 4 of 18 characters, it shows 5 and 4.

        >>> attrs.evolve(province, identity_first=6).mask("identity", "110101199003071234")
        '11010*********1234'
    """

    phone_first: int = attrs.field(default=3, validator=_count)
    phone_last: int = attrs.field(default=4, validator=_count)
    email_first: int = attrs.field(default=1, validator=_count)
    identity_first: int = attrs.field(default=0, validator=_count)
    identity_last: int = attrs.field(default=4, validator=_count)

    @classmethod
    def default(cls) -> Self:
        """For staff who confirm who they speak to: ``138****1234``, ``j***@…``, ``…6789``.

        Example:
            >>> from staycore.kernel.masking import MaskingPolicy
            >>> MaskingPolicy.default().mask("phone", "13812341234")
            '138****1234'
        """
        return cls()

    @classmethod
    def strict(cls) -> Self:
        """For roles that need no one's contact: the last two phone digits, the domain only.

        Identity numbers are masked wholly.

        Example:
            >>> from staycore.kernel.masking import MaskingPolicy
            >>> strict = MaskingPolicy.strict()
            >>> strict.mask("phone", "13812341234"), strict.mask("identity", "A123456789")
            ('*********34', '**********')
        """
        return cls(phone_first=0, phone_last=2, email_first=0, identity_first=0, identity_last=0)

    def mask(self, kind: FieldKind | str, value: str) -> str:
        """Mask ``value``, a field of ``kind``, as this policy says.

        Args:
            kind: A :class:`FieldKind`, or its value (``"phone"``, ``"email"``,
                ``"identity"``).
            value: The field's text.

        Raises:
            InvalidMaskingError: ``kind`` is not a field kind, or ``value`` is not text.

        Example:
            >>> from staycore.kernel.masking import FieldKind, MaskingPolicy
            >>> MaskingPolicy.default().mask(FieldKind.EMAIL, "mei.tan@example.com")
            'm***@example.com'
            >>> MaskingPolicy.default().mask("address", "12 Harbour Rd")
            Traceback (most recent call last):
            ...
            staycore.kernel.masking.InvalidMaskingError: [masking.invalid] ...
        """
        try:
            field = FieldKind(kind)
        except ValueError:
            kinds = ", ".join(repr(item.value) for item in FieldKind)
            msg = f"{kind!r} is not a kind of field a masking policy masks; use one of {kinds}"
            raise InvalidMaskingError(msg) from None
        if field is FieldKind.PHONE:
            return mask_phone(value, show_first=self.phone_first, show_last=self.phone_last)
        if field is FieldKind.EMAIL:
            return mask_email(value, show_first=self.email_first)
        return mask_identity(value, show_last=self.identity_last, show_first=self.identity_first)


def masked(value: T, policy: MaskingPolicy | None = None) -> T:
    """A copy of ``value`` with every personal field masked, for a role that may not see it.

    Personal fields are those whose attrs metadata marks them
    (:data:`~staycore.kernel.erasure.PERSONAL`), in ``value`` and in every attrs value,
    tuple, list or mapping inside it. A field named like a phone, an e-mail or an
    identity number is masked as ``policy`` says; a name keeps its first letter; a date
    (a birthday) and any other value become ``None``. The copy is for display: its
    fields are set as they are, without the checks of their class, so it is no value to
    store or compute with.

    Example:
        >>> import attrs
        >>> from staycore.kernel.erasure import PERSONAL
        >>> from staycore.kernel.masking import masked
        >>> @attrs.frozen
        ... class Contact:
        ...     name: str = attrs.field(metadata=PERSONAL)
        ...     phone: str = attrs.field(metadata=PERSONAL)
        ...     city: str
        >>> masked(Contact("Mei Tan", "13812341234", "Taipei"))
        Contact(name='M***', phone='138****1234', city='Taipei')
    """
    return cast(T, _masked(value, policy or MaskingPolicy.default(), personal=None))


def _masked(value: Any, policy: MaskingPolicy, *, personal: str | None) -> Any:  # noqa: ANN401
    """``value`` masked; ``personal`` names the personal field it is, or is ``None``."""
    if isinstance(value, str | bytes) or value is None or isinstance(value, bool | int):
        return value if personal is None else _masked_leaf(value, policy, personal)
    if isinstance(value, tuple | list):
        items = [_masked(item, policy, personal=personal) for item in value]
        return type(value)(items) if not hasattr(value, "_fields") else type(value)(*items)
    if isinstance(value, frozenset | set):
        return type(value)(_masked(item, policy, personal=personal) for item in value)
    if isinstance(value, Mapping):
        return {key: _masked(item, policy, personal=personal) for key, item in value.items()}
    if attrs.has(type(value)):
        copy = object.__new__(type(value))
        for field in attrs.fields(type(value)):
            inner = field.name if field.metadata.get("personal") else personal
            object.__setattr__(
                copy, field.name, _masked(getattr(value, field.name), policy, personal=inner)
            )
        return copy
    return value if personal is None else None


def _masked_leaf(value: object, policy: MaskingPolicy, field: str) -> object:
    """One personal value of the field named ``field``, masked."""
    if not isinstance(value, str):
        return None
    if "phone" in field:
        return policy.mask(FieldKind.PHONE, value)
    if "email" in field:
        return policy.mask(FieldKind.EMAIL, value)
    if "identity" in field:
        return policy.mask(FieldKind.IDENTITY, value)
    return f"{value[:1]}***" if value else value
