"""Masking for display: examples of each field, and properties that hold for any text."""

from __future__ import annotations

import unicodedata
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from staycore.kernel.errors import KernelError
from staycore.kernel.masking import (
    MASK,
    FieldKind,
    InvalidMaskingError,
    MaskingPolicy,
    mask_email,
    mask_identity,
    mask_phone,
)

# Full-width digits, plus sign, brackets and dash, as a Chinese input method types them.
_FULL_WIDTH = str.maketrans(
    {**{str(n): chr(0xFF10 + n) for n in range(10)}, "+": "\uff0b", "(": "\uff08", ")": "\uff09"}
)


def full_width(text: str) -> str:
    return text.translate(_FULL_WIDTH)


# -- phones ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("13812341234", "138****1234"),
        ("+86 138 1234 1234", "+86 138 **** 1234"),
        ("+8613812341234", "+86138****1234"),
        ("0086 138 1234 1234", "0086 138 **** 1234"),
        ("  +86 138-1234-1234\n", "  +86 138-****-1234\n"),
        ("+886912345678", "+886*****5678"),
        ("+886 912-345-678", "+886 ***-**5-678"),
        ("+1 (415) 555-0123", "+1 (***) ***-0123"),
        ("+7 912 345 67 89", "+7 *** *** 67 89"),
        ("+44 7911 123456", "+44 **** **3456"),
        ("+852 9123 4567", "+852 **** 4567"),
        ("0912.345.678", "****.**5.678"),
        ("02/2345 6789", "**/**** 6789"),
        ("12345678", "****5678"),
        ("1234567", "*****67"),
        ("123456", "****56"),
        ("110", "**0"),
        ("12", "*2"),
        ("1", "*"),
        ("", ""),
    ],
)
def test_a_phone_shows_the_start_and_end_of_its_national_number(number: str, masked: str) -> None:
    assert mask_phone(number) == masked


def test_full_width_digits_and_signs_are_read_as_a_phone_number() -> None:
    masked = mask_phone(full_width("+86 (138) 1234-1234"))

    assert masked == full_width("+86 (138) ") + "****-" + full_width("1234")
    assert len(masked) == len("+86 (138) 1234-1234")


@pytest.mark.parametrize(
    "number",
    [
        "call me",
        "138 1234 1234 ext. 12",
        "138+1234+1234",
        "+86 +138 1234 1234",
        "1+86 138 1234 1234",
        "+",
        "+86",
        "+86 ",
        "0086",
        "()-- ..",
        "13812341234\x00",
        "一三八一二三四",
    ],
)
def test_what_is_not_a_phone_number_is_masked_wholly(number: str) -> None:
    assert mask_phone(number) == MASK * len(number)


@pytest.mark.parametrize(
    ("show_first", "show_last", "masked"),
    [
        (0, 0, "+86 *** **** ****"),
        (0, 2, "+86 *** **** **34"),
        (5, 0, "+86 138 12** ****"),
        (3, 4, "+86 138 **** 1234"),
        # Fewer than four digits would stay hidden: only the last ones are shown.
        (4, 4, "+86 *** **** 1234"),
        (11, 11, "+86 *** **** **34"),
    ],
)
def test_a_phone_shows_what_the_policy_asks_within_the_rules(
    show_first: int, show_last: int, masked: str
) -> None:
    number = "+86 138 1234 1234"
    assert mask_phone(number, show_first=show_first, show_last=show_last) == masked


# -- e-mail addresses ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("jane@example.com", "j***@example.com"),
        ("jo@example.com", "j***@example.com"),
        ("j@example.com", "***@example.com"),
        ("mei.tan+booking@mail.example.com.tw", "m***@mail.example.com.tw"),
        ("张伟@例子.中国", "张***@例子.中国"),
        ("zoë@exämple.org", "z***@exämple.org"),
        ('"a@b"@example.com', '"***@example.com'),
        ("a@localhost", "***@localhost"),
        ("", ""),
    ],
)
def test_an_address_shows_its_first_character_and_domain(address: str, masked: str) -> None:
    assert mask_email(address) == masked


@pytest.mark.parametrize(
    "address",
    [
        "jane",
        "jane@",
        "@example.com",
        "jane at example.com",
        "jane@example.com ",
        " jane@example.com",
        "ja ne@example.com",
        "jane@exam\tple.com",
        "jane@example.com\n",
        "jane\x00@example.com",
        "jane\u200b@example.com",
        "@",
    ],
)
def test_what_is_not_an_address_is_masked_wholly(address: str) -> None:
    assert mask_email(address) == "***"


def test_an_address_shows_what_the_policy_asks_never_more_than_half_its_local_part() -> None:
    assert mask_email("jane@example.com", show_first=0) == "***@example.com"
    assert mask_email("jane@example.com", show_first=2) == "ja***@example.com"
    assert mask_email("jane@example.com", show_first=9) == "ja***@example.com"
    assert mask_email("janet@example.com", show_first=9) == "ja***@example.com"


# -- identity numbers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "options", "masked"),
    [
        ("110101199003071234", {}, "**************1234"),
        ("11010119900307123X", {}, "**************123X"),
        ("A123456789", {}, "******6789"),
        ("123-45-6789", {}, "***-**-6789"),
        ("E 1234 5678", {}, "* **** 5678"),
        ("E1234", {}, "***34"),
        ("AB", {}, "*B"),
        ("A", {}, "*"),
        ("", {}, ""),
        ("A123456789", {"show_last": 0}, "**********"),
        ("A123456789", {"show_last": 2, "show_first": 1}, "A*******89"),
        ("110101199003071234", {"show_first": 6, "show_last": 4}, "11010*********1234"),
        ("110101199003071234", {"show_first": 9, "show_last": 0}, "110101199*********"),
        ("身份证号码甲乙丙丁", {"show_last": 2}, "*******丙丁"),
        ("----", {}, "****"),
        (" / ", {}, "***"),
    ],
)
def test_an_identity_number_shows_at_most_half_its_characters(
    number: str, options: dict[str, int], masked: str
) -> None:
    assert mask_identity(number, **options) == masked


# -- policies -------------------------------------------------------------------------------


def test_the_default_policy_is_for_staff_who_confirm_who_they_speak_to() -> None:
    policy = MaskingPolicy.default()

    assert policy == MaskingPolicy()
    assert policy.mask(FieldKind.PHONE, "13812341234") == "138****1234"
    assert policy.mask("email", "jane@example.com") == "j***@example.com"
    assert policy.mask("identity", "A123456789") == "******6789"


def test_the_strict_policy_shows_only_what_tells_two_records_apart() -> None:
    policy = MaskingPolicy.strict()

    assert policy.mask("phone", "+86 138 1234 1234") == "+86 *** **** **34"
    assert policy.mask(FieldKind.EMAIL, "jane@example.com") == "***@example.com"
    assert policy.mask(FieldKind.IDENTITY, "A123456789") == "**********"


def test_a_policy_passes_its_counts_to_each_field() -> None:
    policy = MaskingPolicy(
        phone_first=0, phone_last=3, email_first=2, identity_first=1, identity_last=1
    )

    assert policy.mask("phone", "13812341234") == "********234"
    assert policy.mask("email", "jane@example.com") == "ja***@example.com"
    assert policy.mask("identity", "A123456789") == "A********9"


@pytest.mark.parametrize("field", ["phone_first", "phone_last", "email_first", "identity_last"])
@pytest.mark.parametrize("count", [-1, True, 1.0, "2", None])
def test_a_policy_with_a_count_that_is_not_a_whole_number_is_refused(
    field: str, count: Any
) -> None:
    with pytest.raises(InvalidMaskingError) as refused:
        MaskingPolicy(**{field: count})
    assert refused.value.code == "masking.invalid"
    assert field in refused.value.message


@pytest.mark.parametrize(
    ("mask", "options"),
    [
        (mask_phone, {"show_first": -1}),
        (mask_phone, {"show_last": 2.5}),
        (mask_email, {"show_first": False}),
        (mask_identity, {"show_last": -4}),
        (mask_identity, {"show_first": "1"}),
    ],
)
def test_a_call_with_a_count_that_is_not_a_whole_number_is_refused(
    mask: Any, options: dict[str, Any]
) -> None:
    with pytest.raises(InvalidMaskingError):
        mask("13812341234", **options)


@pytest.mark.parametrize("value", [None, 13812341234, b"jane@example.com"])
@pytest.mark.parametrize("kind", list(FieldKind))
def test_what_is_not_text_is_refused_rather_than_shown(value: Any, kind: FieldKind) -> None:
    with pytest.raises(InvalidMaskingError) as refused:
        MaskingPolicy.default().mask(kind, value)
    assert "to mask is text" in refused.value.message


@pytest.mark.parametrize("kind", ["address", "PHONE", "", None])
def test_a_field_kind_the_policy_does_not_know_is_refused(kind: Any) -> None:
    with pytest.raises(InvalidMaskingError) as refused:
        MaskingPolicy.default().mask(kind, "13812341234")
    assert "'phone', 'email', 'identity'" in refused.value.message


def test_a_policy_is_a_frozen_value() -> None:
    policy = MaskingPolicy.default()

    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        policy.phone_last = 0  # type: ignore[misc]
    assert attrs.evolve(policy, phone_last=0).mask("phone", "13812341234") == "138********"
    assert issubclass(InvalidMaskingError, KernelError)


# -- properties -----------------------------------------------------------------------------

# Any character, lone surrogates included, leaning towards what phones and addresses hold.
_CHARACTERS = st.one_of(
    st.characters(exclude_categories=()),
    st.sampled_from("0123456789 +-()./@\uff10\uff11\uff0b"),
    st.characters(categories=["Cs"]),
)
texts = st.text(_CHARACTERS, max_size=40)
counts = st.integers(min_value=0, max_value=20)
phone_like = st.from_regex(r"\A *(\+|00)?[0-9 ().\-/]{0,24}\Z")
address_like = st.builds(
    "{}@{}".format,
    st.text(_CHARACTERS, min_size=1, max_size=12),
    st.text(_CHARACTERS, min_size=1, max_size=12),
)


def _masks(show_first: int, show_last: int) -> list[Any]:
    return [
        lambda text: mask_phone(text, show_first=show_first, show_last=show_last),
        lambda text: mask_email(text, show_first=show_first),
        lambda text: mask_identity(text, show_last=show_last, show_first=show_first),
    ]


@given(st.one_of(texts, phone_like, address_like), counts, counts)
def test_masking_never_raises_and_gives_the_same_answer_each_time(
    text: str, show_first: int, show_last: int
) -> None:
    for mask in _masks(show_first, show_last):
        masked = mask(text)
        assert isinstance(masked, str)
        assert mask(text) == masked


@given(st.one_of(texts, phone_like, address_like), counts, counts)
def test_the_masked_text_never_holds_the_whole_original(
    text: str, show_first: int, show_last: int
) -> None:
    # Text that holds the mask character may be masked already: it has nothing to hide.
    if len(text) < 6 or MASK in text:
        return
    for mask in _masks(show_first, show_last):
        assert text not in mask(text)


@given(st.one_of(texts, phone_like), counts, counts)
def test_phones_and_identity_numbers_keep_their_length_and_change_only_to_the_mask(
    text: str, show_first: int, show_last: int
) -> None:
    for masked in (
        mask_phone(text, show_first=show_first, show_last=show_last),
        mask_identity(text, show_last=show_last, show_first=show_first),
    ):
        assert len(masked) == len(text)
        assert all(after in (before, MASK) for before, after in zip(text, masked, strict=True))


@given(st.from_regex(r"\A[0-9]{1,20}\Z"), counts, counts)
def test_a_national_number_shows_its_ends_only_while_four_digits_stay_hidden(
    digits: str, show_first: int, show_last: int
) -> None:
    if digits.startswith("00"):
        return  # an international prefix, not a national number
    masked = mask_phone(digits, show_first=show_first, show_last=show_last)
    shown = sum(char.isdecimal() for char in masked)
    if len(digits) - show_first - show_last >= 4:
        assert masked == digits[:show_first] + MASK * (len(digits) - shown) + (
            digits[len(digits) - show_last :] if show_last else ""
        )
    else:
        assert shown <= len(digits) // 2
        assert masked.startswith(MASK)


@given(texts, counts, counts)
def test_an_identity_number_never_shows_more_than_half(
    text: str, show_first: int, show_last: int
) -> None:
    masked = mask_identity(text, show_last=show_last, show_first=show_first)
    counted = [
        index
        for index, char in enumerate(text)
        if not (char.isspace() or unicodedata.normalize("NFKC", char) in ("-", "/", "."))
    ]
    shown = sum(masked[index] != MASK for index in counted)
    if MASK not in text:
        assert shown <= len(counted) // 2
        assert shown <= show_first + show_last


@given(address_like, counts)
def test_an_address_keeps_its_domain_and_at_most_half_its_local_part(
    address: str, show_first: int
) -> None:
    masked = mask_email(address, show_first=show_first)
    local, _, domain = address.rpartition("@")
    if not (local and domain) or any(char.isspace() or not char.isprintable() for char in address):
        assert masked == "***"
        return
    assert masked.endswith("***@" + domain)
    shown = masked[: -len("***@" + domain)]
    assert local.startswith(shown)
    assert len(shown) <= min(show_first, len(local) // 2)
