"""Re-encryption moves values onto the current key, once, and reports what it could not open."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from staycore.adapters.crypto import AesGcmCipher
from staycore.app.reencryption import Reencryption, reencrypt
from staycore.kernel.sealed import (
    InvalidCipherInputError,
    Sealed,
    TamperedCiphertextError,
    UnknownCipherKeyError,
)

KEYS = {key_id: AesGcmCipher.generate_key() for key_id in ("2024", "2025", "2026")}
OLDEST = AesGcmCipher({"2024": KEYS["2024"]}, current="2024")
OLD = AesGcmCipher({"2024": KEYS["2024"], "2025": KEYS["2025"]}, current="2025")
CURRENT = AesGcmCipher(KEYS, current="2026")


def context_of(customer: str) -> str:
    return f"customer:{customer}:phone"


def phone_of(customer: str) -> str:
    return f"+886 912 345 678 ({customer})"


class CountingCipher:
    """The current cipher, counting the values it is asked to open."""

    def __init__(self) -> None:
        self.opened = 0

    @property
    def current_key_id(self) -> str:
        return CURRENT.current_key_id

    def encrypt(self, plaintext: str, *, context: str) -> Sealed:
        return CURRENT.encrypt(plaintext, context=context)

    def decrypt(self, sealed: Sealed, *, context: str) -> str:
        self.opened += 1
        return CURRENT.decrypt(sealed, context=context)


def test_values_under_old_keys_move_to_the_current_one_in_order() -> None:
    stored = {
        "cus_a": OLDEST.encrypt(phone_of("cus_a"), context=context_of("cus_a")),
        "cus_b": CURRENT.encrypt(phone_of("cus_b"), context=context_of("cus_b")),
        "cus_c": OLD.encrypt(phone_of("cus_c"), context=context_of("cus_c")),
    }

    result = reencrypt(stored.items(), CURRENT, context_of=context_of)

    assert [customer for customer, _ in result.changed] == ["cus_a", "cus_c"]
    assert (result.skipped, result.failed, result.all_current) == (1, (), False)
    for customer, sealed in result.changed:
        assert sealed.key_id == "2026"
        assert CURRENT.decrypt(sealed, context=context_of(customer)) == phone_of(customer)
        with pytest.raises(UnknownCipherKeyError):
            OLD.decrypt(sealed, context=context_of(customer))


def test_values_already_under_the_current_key_are_not_opened() -> None:
    counting = CountingCipher()
    current = [(n, CURRENT.encrypt("13812341234", context=f"customer:{n}:phone")) for n in "ab"]
    old = [("c", OLD.encrypt("13812341234", context="customer:c:phone"))]

    result = reencrypt(current + old, counting, context_of=lambda n: f"customer:{n}:phone")

    assert counting.opened == 1
    assert (len(result.changed), result.skipped) == (1, 2)


@given(
    st.dictionaries(
        st.from_regex(r"\Acus_[a-z0-9]{1,8}\Z"),
        st.tuples(st.sampled_from([OLDEST, OLD, CURRENT]), st.text(max_size=30)),
        max_size=8,
    )
)
def test_a_second_pass_changes_nothing(records: dict[str, tuple[AesGcmCipher, str]]) -> None:
    stored = {
        customer: cipher.encrypt(text, context=context_of(customer))
        for customer, (cipher, text) in records.items()
    }
    under_old = sorted(c for c, sealed in stored.items() if sealed.key_id != "2026")

    first = reencrypt(stored.items(), CURRENT, context_of=context_of)
    stored.update(first.changed)
    second = reencrypt(stored.items(), CURRENT, context_of=context_of)

    assert sorted(customer for customer, _ in first.changed) == under_old
    assert first.skipped == len(records) - len(under_old)
    assert second == Reencryption(changed=(), skipped=len(records), failed=())
    assert second.all_current
    for customer, (_, text) in records.items():
        assert CURRENT.decrypt(stored[customer], context=context_of(customer)) == text


def test_what_cannot_be_opened_is_reported_and_the_rest_goes_on() -> None:
    sealed_a = OLD.encrypt("13812341234", context=context_of("cus_a"))
    values = [
        # Copied from another customer's row: it does not open for this one.
        ("cus_z", sealed_a),
        ("cus_y", attrs.evolve(sealed_a, key_id="2019")),
        ("cus_a", sealed_a),
    ]

    result = reencrypt(values, CURRENT, context_of=context_of)

    assert [customer for customer, _ in result.changed] == ["cus_a"]
    assert [(customer, type(error)) for customer, error in result.failed] == [
        ("cus_z", TamperedCiphertextError),
        ("cus_y", UnknownCipherKeyError),
    ]
    assert "'2019'" in result.failed[1][1].message
    assert not result.all_current


def test_nothing_to_do_is_all_current() -> None:
    result = reencrypt([], CURRENT, context_of=context_of)

    assert result == Reencryption(changed=(), skipped=0, failed=())
    assert result.all_current


def test_values_are_read_once_so_a_generator_of_rows_will_do() -> None:
    rows = (
        (customer, OLD.encrypt(phone_of(customer), context=context_of(customer)))
        for customer in ("cus_a", "cus_b")
    )

    assert len(reencrypt(rows, CURRENT, context_of=context_of).changed) == 2


@pytest.mark.parametrize(
    "item",
    [
        "v1.2025.AAAA.AAAA",
        ("cus_a", "v1.2025.AAAA.AAAA"),
        ("cus_a",),
        ("cus_a", None, "extra"),
        ["cus_a", Sealed("2025", b"\x00", b"\x01")],
    ],
)
def test_items_that_are_not_record_and_sealed_pairs_are_refused(item: Any) -> None:
    good = ("cus_b", OLD.encrypt("1", context=context_of("cus_b")))

    with pytest.raises(InvalidCipherInputError) as refused:
        reencrypt([good, item], CURRENT, context_of=context_of)
    assert refused.value.code == "cipher.invalid_input"
    assert "item 1" in refused.value.message


def test_a_context_that_is_not_text_is_refused_not_reported() -> None:
    values = [("cus_a", OLD.encrypt("1", context=context_of("cus_a")))]

    with pytest.raises(InvalidCipherInputError):
        reencrypt(values, CURRENT, context_of=lambda _customer: "")


def test_what_is_not_a_cipher_is_refused() -> None:
    with pytest.raises(InvalidCipherInputError) as refused:
        reencrypt([], object(), context_of=context_of)  # type: ignore[arg-type]
    assert "needs a Cipher" in refused.value.message
