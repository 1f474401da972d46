"""The AES-256-GCM adapter keeps the cipher contract, and seals as its module documents."""

from __future__ import annotations

import base64
import importlib
import os
import sys
from typing import Any

import attrs
import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from staycore.adapters.crypto import KEY_BYTES, NONCE_BYTES, AesGcmCipher
from staycore.kernel.sealed import (
    InvalidCipherKeyError,
    MalformedSealedError,
    Sealed,
    TamperedCiphertextError,
)
from staycore.testing.contracts.cipher import CipherContract

CONTEXT = "customer:cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7:phone"


class TestAesGcmCipher(CipherContract):
    @pytest.fixture
    def keys(self) -> dict[str, bytes]:
        return {"2025": AesGcmCipher.generate_key()}

    @pytest.fixture
    def cipher(self, keys: dict[str, bytes]) -> AesGcmCipher:
        return AesGcmCipher(keys, current="2025")

    @pytest.fixture
    def rotated(self, keys: dict[str, bytes]) -> AesGcmCipher:
        return AesGcmCipher(keys | {"2026-q1": AesGcmCipher.generate_key()}, current="2026-q1")


# -- the format, as the module documents it ----------------------------------------------


def test_a_value_is_aes_gcm_with_the_key_id_and_context_as_associated_data() -> None:
    key = AesGcmCipher.generate_key()
    sealed = AesGcmCipher({"k1": key}, current="k1").encrypt("Zoë 🛎️", context=CONTEXT)

    assert len(sealed.nonce) == NONCE_BYTES
    assert len(sealed.ciphertext) == len("Zoë 🛎️".encode()) + 16
    opened = AESGCM(key).decrypt(
        sealed.nonce, sealed.ciphertext, b"k1\x00" + CONTEXT.encode("utf-8")
    )
    assert opened.decode("utf-8") == "Zoë 🛎️"


def test_a_value_sealed_elsewhere_by_the_recipe_opens() -> None:
    key, nonce = AesGcmCipher.generate_key(), os.urandom(12)
    context = "客户:cus_1:身份证"
    ciphertext = AESGCM(key).encrypt(nonce, b"110101199003071234", b"2026\x00" + context.encode())

    cipher = AesGcmCipher({"2026": key}, current="2026")
    assert cipher.decrypt(Sealed("2026", nonce, ciphertext), context=context) == (
        "110101199003071234"
    )


def test_the_key_id_is_authenticated_even_when_two_ids_name_one_key() -> None:
    key = AesGcmCipher.generate_key()
    cipher = AesGcmCipher({"old": key, "new": key}, current="new")
    sealed = cipher.encrypt("13812341234", context=CONTEXT)

    with pytest.raises(TamperedCiphertextError):
        cipher.decrypt(attrs.evolve(sealed, key_id="old"), context=CONTEXT)
    assert cipher.decrypt(sealed, context=CONTEXT) == "13812341234"


def test_another_key_under_the_same_id_does_not_open_a_value() -> None:
    sealed = AesGcmCipher({"k1": AesGcmCipher.generate_key()}, current="k1").encrypt(
        "13812341234", context=CONTEXT
    )
    impostor = AesGcmCipher({"k1": AesGcmCipher.generate_key()}, current="k1")

    with pytest.raises(TamperedCiphertextError) as refused:
        impostor.decrypt(sealed, context=CONTEXT)
    assert "13812341234" not in str(refused.value)


@pytest.mark.parametrize("nonce_length", [8, 11, 13, 16])
def test_a_nonce_of_another_length_is_refused_as_tampered(nonce_length: int) -> None:
    cipher = AesGcmCipher({"k1": AesGcmCipher.generate_key()}, current="k1")
    sealed = cipher.encrypt("13812341234", context=CONTEXT)

    with pytest.raises(TamperedCiphertextError):
        cipher.decrypt(attrs.evolve(sealed, nonce=bytes(nonce_length)), context=CONTEXT)


def test_a_ciphertext_shorter_than_the_tag_is_refused_as_tampered() -> None:
    cipher = AesGcmCipher({"k1": AesGcmCipher.generate_key()}, current="k1")
    sealed = cipher.encrypt("", context=CONTEXT)
    assert len(sealed.ciphertext) == 16

    with pytest.raises(TamperedCiphertextError):
        cipher.decrypt(attrs.evolve(sealed, ciphertext=sealed.ciphertext[:15]), context=CONTEXT)


def test_authentic_bytes_that_are_not_utf8_are_refused_as_malformed() -> None:
    key, nonce = AesGcmCipher.generate_key(), os.urandom(12)
    ciphertext = AESGCM(key).encrypt(nonce, b"\xff\xfe", b"k1\x00" + CONTEXT.encode())

    with pytest.raises(MalformedSealedError) as refused:
        AesGcmCipher({"k1": key}, current="k1").decrypt(
            Sealed("k1", nonce, ciphertext), context=CONTEXT
        )
    assert refused.value.code == "cipher.malformed"


# -- keys ---------------------------------------------------------------------------------


def test_generated_keys_are_32_random_bytes() -> None:
    keys = {AesGcmCipher.generate_key() for _ in range(50)}

    assert len(keys) == 50
    assert {len(key) for key in keys} == {KEY_BYTES}


def test_keys_are_read_from_base64_text_in_either_alphabet() -> None:
    key = bytes(range(250, 256)) + bytes(range(26))
    standard = base64.b64encode(key).decode()
    url_safe = base64.urlsafe_b64encode(key).decode().rstrip("=")
    assert "/" in standard or "+" in standard
    reference = AesGcmCipher({"k1": key}, current="k1")
    sealed = reference.encrypt("13812341234", context=CONTEXT)

    for text in (standard, url_safe, f"  {standard[:20]}\n{standard[20:]}  "):
        cipher = AesGcmCipher.from_text({"k1": text, "k0": standard}, current="k1")
        assert cipher.decrypt(sealed, context=CONTEXT) == "13812341234"
        assert cipher.key_ids == ("k1", "k0")


@pytest.mark.parametrize(
    ("keys", "current", "phrase"),
    [
        ({}, "k1", "at least one key"),
        ([("k1", bytes(32))], "k1", "at least one key"),
        ({"k1": bytes(31)}, "k1", "must be 32 bytes for AES-256, got 31 bytes"),
        ({"k1": bytes(64)}, "k1", "got 64 bytes"),
        ({"k1": "0" * 32}, "k1", "got a str"),
        ({"k1": bytearray(32)}, "k1", "got a bytearray"),
        ({"k.1": bytes(32)}, "k.1", "a key id is 1 to 64 ASCII letters"),
        ({"": bytes(32)}, "", "a key id is 1 to 64 ASCII letters"),
        ({"k" * 65: bytes(32)}, "k", "a key id is 1 to 64 ASCII letters"),
        ({"clé": bytes(32)}, "clé", "a key id is 1 to 64 ASCII letters"),
        ({"k1": bytes(32)}, "k2", "the current key id 'k2' is not among the keys given ('k1')"),
        ({"k1": bytes(32)}, ["k1"], "a key id is 1 to 64 ASCII letters"),
        ({"k1": bytes(32)}, None, "a key id is 1 to 64 ASCII letters"),
    ],
)
def test_unusable_keys_are_refused(keys: Any, current: Any, phrase: str) -> None:
    with pytest.raises(InvalidCipherKeyError) as refused:
        AesGcmCipher(keys, current=current)
    assert refused.value.code == "cipher.invalid_key"
    assert phrase in refused.value.message


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("c2VjcmV0LWtleS1tYXRlcmlhbA*!", "is not base64 text"),
        ("c2VjcmV0LWtleS1tYXRlcmlhbA", "must be 32 bytes for AES-256, got 19 bytes"),
        ("", "got 0 bytes"),
        (b"c2VjcmV0", "must be base64 text, got a bytes"),
    ],
)
def test_keys_that_are_not_base64_of_32_bytes_are_refused_without_showing_them(
    text: Any, phrase: str
) -> None:
    with pytest.raises(InvalidCipherKeyError) as refused:
        AesGcmCipher.from_text({"k1": text}, current="k1")
    assert phrase in refused.value.message
    assert "'k1'" in refused.value.message
    if text:
        assert str(text)[:8] not in str(refused.value)


def test_from_text_refuses_what_is_not_a_mapping() -> None:
    with pytest.raises(InvalidCipherKeyError):
        AesGcmCipher.from_text([("k1", "q" * 43)], current="k1")  # type: ignore[arg-type]


def test_the_cipher_shows_its_key_ids_never_its_keys() -> None:
    key = AesGcmCipher.generate_key()
    cipher = AesGcmCipher({"2025": key, "2026": AesGcmCipher.generate_key()}, current="2026")

    assert repr(cipher) == "AesGcmCipher(key_ids=('2025', '2026'), current='2026')"
    assert cipher.current_key_id == "2026"
    assert not hasattr(cipher, "__dict__")


def test_importing_the_adapter_without_cryptography_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("cryptography.exceptions", "cryptography.hazmat.primitives.ciphers.aead"):
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.delitem(sys.modules, "staycore.adapters.crypto")

    with pytest.raises(ImportError, match=r"pip install 'staycore\[crypto\]'"):
        importlib.import_module("staycore.adapters.crypto")
