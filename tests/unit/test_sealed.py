"""Sealed values and their text: one value, one text, and nothing else read as one."""

from __future__ import annotations

import base64
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from staycore.kernel.errors import KernelError
from staycore.kernel.sealed import (
    MAX_KEY_ID_LENGTH,
    CipherError,
    InvalidCipherInputError,
    InvalidCipherKeyError,
    MalformedSealedError,
    Sealed,
    TamperedCiphertextError,
    UnknownCipherKeyError,
    check_key_id,
)

key_ids = st.from_regex(rf"[A-Za-z0-9_-]{{1,{MAX_KEY_ID_LENGTH}}}", fullmatch=True)
parts = st.binary(min_size=1, max_size=64)
sealed_values = st.builds(Sealed, key_ids, parts, parts)


@given(sealed_values)
def test_a_value_round_trips_through_its_text(sealed: Sealed) -> None:
    text = sealed.to_text()

    assert Sealed.from_text(text) == sealed
    assert text.isascii()
    assert text.isprintable()
    assert "=" not in text
    version, key_id, nonce, ciphertext = text.split(".")
    assert (version, key_id) == ("v1", sealed.key_id)
    assert base64.urlsafe_b64decode(nonce + "=" * (-len(nonce) % 4)) == sealed.nonce
    assert base64.urlsafe_b64decode(ciphertext + "=" * (-len(ciphertext) % 4)) == (
        sealed.ciphertext
    )


@given(sealed_values, sealed_values)
def test_two_values_have_two_texts(first: Sealed, second: Sealed) -> None:
    assert (first.to_text() == second.to_text()) == (first == second)


def test_the_text_is_written_as_documented() -> None:
    sealed = Sealed("2026-05", nonce=bytes([0, 1, 2]), ciphertext=bytes([255, 254]))

    assert sealed.to_text() == "v1.2026-05.AAEC.__4"


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("+886 912 345 678", "it has 1 part(s) separated by '.'"),
        ("mei.tan@example.com", "it has 3 part(s)"),
        ("mei.tan.w@example.com", "is not a sealed value of format 'v1'"),
        ("", "it has 1 part(s)"),
        ("v1.k1.AAEC", "it has 3 part(s)"),
        ("v1.k1.AAEC._w.AA", "it has 5 part(s)"),
        ("v2.k1.AAEC._w", "is not a sealed value of format 'v1'"),
        ("V1.k1.AAEC._w", "is not a sealed value of format 'v1'"),
        ("v1..AAEC._w", "key id is not 1 to 64"),
        ("v1.k/1.AAEC._w", "key id is not 1 to 64"),
        (f"v1.{'k' * 65}.AAEC._w", "key id is not 1 to 64"),
        ("v1.k1..._w", "it has 5 part(s)"),
        ("v1.k1.AAEC.", "ciphertext is empty or holds characters other than base64url"),
        ("v1.k1..AAEC", "nonce is empty or holds characters other than base64url"),
        ("v1.k1.AAEC._w==", "ciphertext is empty or holds characters other than base64url"),
        ("v1.k1.AA+C._w", "nonce is empty or holds characters other than base64url"),
        ("v1.k1.AAEC._w ", "ciphertext is empty or holds characters other than base64url"),
        ("v1.k1.ÄAEC._w", "nonce is empty or holds characters other than base64url"),
        ("v1.k1.AAEC._x", "ciphertext is not canonical base64url"),
        ("v1.k1.AAEC.A", "ciphertext is not canonical base64url"),
        ("v1.k1.AAEC.AAAAA", "ciphertext is not canonical base64url"),
    ],
)
def test_text_that_is_not_a_sealed_value_is_refused(text: str, phrase: str) -> None:
    with pytest.raises(MalformedSealedError) as refused:
        Sealed.from_text(text)

    assert refused.value.code == "cipher.malformed"
    assert phrase in refused.value.message


def test_a_refusal_never_quotes_the_text_which_may_be_unsealed_personal_data() -> None:
    for text in ("+886 912 345 678", "mei.tan.w@example.com", "v1.A123456789.x.y"):
        with pytest.raises(MalformedSealedError) as refused:
            Sealed.from_text(text)
        assert text not in str(refused.value)
        assert "912" not in str(refused.value)
        assert "mei" not in str(refused.value)
        assert "A123456789" not in str(refused.value)


@pytest.mark.parametrize("value", [None, b"v1.k1.AAEC._w", 12])
def test_only_text_is_read(value: Any) -> None:
    with pytest.raises(MalformedSealedError) as refused:
        Sealed.from_text(value)
    assert f"got a {type(value).__name__}" in refused.value.message


@pytest.mark.parametrize(
    ("fields", "error", "phrase"),
    [
        ({"key_id": "k.1"}, InvalidCipherKeyError, "a key id is 1 to 64"),
        ({"key_id": 1}, InvalidCipherKeyError, "got a int"),
        ({"nonce": b""}, MalformedSealedError, "nonce is bytes, at least one, got 0 bytes"),
        ({"nonce": "AAEC"}, MalformedSealedError, "nonce is bytes, at least one, got a str"),
        ({"ciphertext": None}, MalformedSealedError, "ciphertext is bytes, at least one"),
        ({"ciphertext": bytearray()}, MalformedSealedError, "got 0 bytes"),
    ],
)
def test_a_value_is_built_from_a_key_id_and_bytes_only(
    fields: dict[str, Any], error: type[CipherError], phrase: str
) -> None:
    arguments: dict[str, Any] = {"key_id": "k1", "nonce": b"\x00", "ciphertext": b"\x01"}
    with pytest.raises(error) as refused:
        Sealed(**(arguments | fields))
    assert phrase in refused.value.message


def test_bytes_like_parts_are_kept_as_bytes() -> None:
    sealed = Sealed("k1", nonce=bytearray(b"\x00\x01"), ciphertext=memoryview(b"\x02"))

    assert type(sealed.nonce) is bytes
    assert type(sealed.ciphertext) is bytes
    assert sealed == Sealed("k1", b"\x00\x01", b"\x02")


def test_a_value_cannot_be_changed_in_place() -> None:
    sealed = Sealed("k1", b"\x00", b"\x01")

    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        sealed.key_id = "k2"  # type: ignore[misc]
    assert attrs.evolve(sealed, key_id="k2").key_id == "k2"
    with pytest.raises(InvalidCipherKeyError):
        attrs.evolve(sealed, key_id="k 2")


@pytest.mark.parametrize("key_id", ["k", "2026-05", "pii_v3", "A" * MAX_KEY_ID_LENGTH])
def test_well_formed_key_ids_are_kept(key_id: str) -> None:
    assert check_key_id(key_id) == key_id


@pytest.mark.parametrize(
    "key_id", ["", "k.1", "k 1", "k\x001", "clé", "A" * (MAX_KEY_ID_LENGTH + 1), None, b"k1"]
)
def test_malformed_key_ids_are_refused(key_id: Any) -> None:
    with pytest.raises(InvalidCipherKeyError) as refused:
        check_key_id(key_id)
    assert refused.value.code == "cipher.invalid_key"
    assert "such as '2026-05'" in refused.value.message


def test_cipher_errors_are_one_family_of_kernel_errors() -> None:
    family = {
        InvalidCipherKeyError: "cipher.invalid_key",
        UnknownCipherKeyError: "cipher.unknown_key",
        TamperedCiphertextError: "cipher.tampered",
        MalformedSealedError: "cipher.malformed",
        InvalidCipherInputError: "cipher.invalid_input",
    }
    for error, code in family.items():
        assert issubclass(error, CipherError)
        assert error.code == code
    assert issubclass(CipherError, KernelError)
    assert CipherError.code == "cipher.error"
