"""The contract suite of the cipher port (:mod:`staycore.ports.cipher`).

Subclass :class:`CipherContract` and override two fixtures: ``cipher``, your adapter
with a key current, and ``rotated``, your adapter holding the same keys and a new one,
current, as after a key rotation.

Example:
    >>> import pytest
    >>> from staycore.adapters.crypto import AesGcmCipher
    >>> from staycore.testing.contracts.cipher import CipherContract
    >>> class TestAesGcmCipher(CipherContract):
    ...     @pytest.fixture
    ...     def keys(self) -> dict[str, bytes]:
    ...         return {"2025": AesGcmCipher.generate_key()}
    ...     @pytest.fixture
    ...     def cipher(self, keys: dict[str, bytes]) -> AesGcmCipher:
    ...         return AesGcmCipher(keys, current="2025")
    ...     @pytest.fixture
    ...     def rotated(self, keys: dict[str, bytes]) -> AesGcmCipher:
    ...         return AesGcmCipher(keys | {"2026": AesGcmCipher.generate_key()}, current="2026")
    >>> "test_rotation_keeps_old_values_readable_and_reencrypt_moves_them" in dir(
    ...     TestAesGcmCipher)
    True
"""

from __future__ import annotations

from typing import Any, Final

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from staycore.app.reencryption import reencrypt
from staycore.kernel.sealed import (
    InvalidCipherInputError,
    Sealed,
    TamperedCiphertextError,
    UnknownCipherKeyError,
)
from staycore.ports.cipher import Cipher

__all__ = ["CipherContract"]

PHONE: Final = "+886 912 345 678"
CONTEXT: Final = "customer:cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7:phone"
# Text a guest's record may hold: any script, emoji, combining marks, controls and NUL;
# everything but lone surrogates, which no UTF-8 store can hold.
_TEXTS: Final = st.text(st.characters(exclude_categories=["Cs"]), max_size=200)
_CONTEXTS: Final = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=80)


def _flipped(data: bytes, index: int, bit: int) -> bytes:
    changed = bytearray(data)
    changed[index] ^= 1 << bit
    return bytes(changed)


class CipherContract:
    """The rules of :class:`~staycore.ports.cipher.Cipher`, as tests.

    Override :meth:`cipher` and :meth:`rotated`.
    """

    @pytest.fixture
    def cipher(self) -> Cipher:
        """Build the adapter under test, with a current key; override this."""
        raise NotImplementedError("override the cipher fixture to build your adapter")

    @pytest.fixture
    def rotated(self, cipher: Cipher) -> Cipher:
        """The adapter holding ``cipher``'s keys and a new one, current; override this."""
        raise NotImplementedError("override the rotated fixture: cipher's keys and a new one")

    # -- sealing and opening ---------------------------------------------------------

    def test_the_cipher_has_every_method_of_the_port(self, cipher: Cipher) -> None:
        """The adapter is a Cipher, as ``isinstance`` checks a protocol."""
        assert isinstance(cipher, Cipher)

    def test_any_text_comes_back_for_its_context(self, cipher: Cipher) -> None:
        """Text of any script and length, sealed for any context, opens to itself."""

        # Inside the test, so that the cipher is built once for all the examples: it
        # keeps nothing between calls that one example could leave for the next.
        @given(plaintext=_TEXTS, context=_CONTEXTS)
        def round_trip(plaintext: str, context: str) -> None:
            sealed = cipher.encrypt(plaintext, context=context)
            assert isinstance(sealed, Sealed)
            assert sealed.key_id == cipher.current_key_id
            assert cipher.decrypt(sealed, context=context) == plaintext

        round_trip()

    def test_a_value_opens_after_a_trip_through_its_stored_text(self, cipher: Cipher) -> None:
        """What :meth:`Sealed.to_text` stores in a column opens again, and is ASCII."""
        sealed = cipher.encrypt(PHONE, context=CONTEXT)
        text = sealed.to_text()
        assert text.isascii()
        assert Sealed.from_text(text) == sealed
        assert cipher.decrypt(Sealed.from_text(text), context=CONTEXT) == PHONE

    def test_the_same_text_sealed_twice_differs(self, cipher: Cipher) -> None:
        """A fresh nonce each time: equal values cannot be spotted by equal ciphertexts."""
        sealed = [cipher.encrypt(PHONE, context=CONTEXT) for _ in range(20)]
        assert len({value.nonce for value in sealed}) == len(sealed)
        assert len({value.ciphertext for value in sealed}) == len(sealed)
        assert {cipher.decrypt(value, context=CONTEXT) for value in sealed} == {PHONE}

    def test_the_sealed_value_does_not_show_the_text(self, cipher: Cipher) -> None:
        """Neither the text nor a long piece of it appears in the stored value."""
        plaintext = "mei.tan.long-name@example.com"
        sealed = cipher.encrypt(plaintext, context=CONTEXT)
        stored = sealed.to_text().encode("ascii")
        for start in range(len(plaintext) - 5):
            piece = plaintext[start : start + 6].encode("utf-8")
            assert piece not in sealed.ciphertext
            assert piece not in stored

    # -- refusals --------------------------------------------------------------------

    @pytest.mark.parametrize(
        "context",
        [
            "customer:cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A8:phone",
            "customer:cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7:email",
            "customer:cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7:phone ",
            "customer:cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7:Phone",
            "customer:cus_01JD3M7K2Q8ZP4V6W9X1Y3Z5A7",
        ],
    )
    def test_a_value_moved_to_another_context_does_not_open(
        self, cipher: Cipher, context: str
    ) -> None:
        """Another record, another field, or any other spelling of the context fails."""
        sealed = cipher.encrypt(PHONE, context=CONTEXT)
        with pytest.raises(TamperedCiphertextError) as refused:
            cipher.decrypt(sealed, context=context)
        assert refused.value.code == "cipher.tampered"
        assert PHONE not in str(refused.value)

    def test_any_flipped_bit_of_nonce_or_ciphertext_is_found(self, cipher: Cipher) -> None:
        """Every bit of the nonce and of the ciphertext is authenticated."""
        sealed = cipher.encrypt(PHONE, context=CONTEXT)
        for field in ("nonce", "ciphertext"):
            data: bytes = getattr(sealed, field)
            for index in range(len(data)):
                for bit in (0, 7):
                    altered = attrs.evolve(sealed, **{field: _flipped(data, index, bit)})
                    with pytest.raises(TamperedCiphertextError):
                        cipher.decrypt(altered, context=CONTEXT)

    def test_a_cut_or_lengthened_ciphertext_is_found(self, cipher: Cipher) -> None:
        """Bytes cut from either end, or added at the end, fail authentication."""
        sealed = cipher.encrypt(PHONE, context=CONTEXT)
        data = sealed.ciphertext
        for altered in (data[:-1], data[1:], data + b"\x00", data[: len(data) // 2]):
            with pytest.raises(TamperedCiphertextError):
                cipher.decrypt(attrs.evolve(sealed, ciphertext=altered), context=CONTEXT)

    def test_a_value_under_a_key_the_cipher_lacks_is_refused_by_name(
        self, cipher: Cipher, rotated: Cipher
    ) -> None:
        """The error names the missing key id, so the operator knows which key to load."""
        new_key = rotated.current_key_id
        assert new_key != cipher.current_key_id
        for sealed in (
            rotated.encrypt(PHONE, context=CONTEXT),
            attrs.evolve(cipher.encrypt(PHONE, context=CONTEXT), key_id="never-loaded"),
        ):
            with pytest.raises(UnknownCipherKeyError) as refused:
                cipher.decrypt(sealed, context=CONTEXT)
            assert refused.value.code == "cipher.unknown_key"
            assert repr(sealed.key_id) in refused.value.message
            assert PHONE not in str(refused.value)

    def test_a_value_relabelled_with_another_held_key_id_does_not_open(
        self, rotated: Cipher, cipher: Cipher
    ) -> None:
        """A value moved under another key id the cipher holds fails authentication."""
        sealed = rotated.encrypt(PHONE, context=CONTEXT)
        relabelled = attrs.evolve(sealed, key_id=cipher.current_key_id)
        with pytest.raises(TamperedCiphertextError):
            rotated.decrypt(relabelled, context=CONTEXT)

    @pytest.mark.parametrize(
        "call",
        [
            {"plaintext": None, "context": CONTEXT},
            {"plaintext": PHONE.encode(), "context": CONTEXT},
            {"plaintext": 886912345678, "context": CONTEXT},
            {"plaintext": "lone \ud800 surrogate", "context": CONTEXT},
            {"plaintext": PHONE, "context": ""},
            {"plaintext": PHONE, "context": None},
            {"plaintext": PHONE, "context": CONTEXT.encode()},
            {"plaintext": PHONE, "context": "customer:\udfff:phone"},
        ],
    )
    def test_what_is_not_text_is_not_sealed(self, cipher: Cipher, call: dict[str, Any]) -> None:
        """The plaintext is text, the context non-empty text, both writable in UTF-8."""
        with pytest.raises(InvalidCipherInputError) as refused:
            cipher.encrypt(**call)
        assert refused.value.code == "cipher.invalid_input"

    def test_what_is_not_a_sealed_value_is_not_opened(self, cipher: Cipher) -> None:
        """Stored text is read with Sealed.from_text first; a context is non-empty text."""
        sealed = cipher.encrypt(PHONE, context=CONTEXT)
        refused_calls: list[tuple[Any, Any]] = [
            (sealed.to_text(), CONTEXT),
            (None, CONTEXT),
            (sealed, ""),
            (sealed, None),
        ]
        for value, context in refused_calls:
            with pytest.raises(InvalidCipherInputError) as refused:
                cipher.decrypt(value, context=context)
            assert refused.value.code == "cipher.invalid_input"

    # -- rotation --------------------------------------------------------------------

    def test_rotation_keeps_old_values_readable_and_reencrypt_moves_them(
        self, cipher: Cipher, rotated: Cipher
    ) -> None:
        """Old values open after the current key changes; reencrypt moves them, once."""
        texts = {n: f"+886 912 345 {n:03}" for n in range(6)}

        def context_of(n: int) -> str:
            return f"customer:{n}:phone"

        stored = {n: cipher.encrypt(text, context=context_of(n)) for n, text in texts.items()}
        # Half the records were written after the rotation, under the new key already.
        for n in range(3, 6):
            stored[n] = rotated.encrypt(texts[n], context=context_of(n))
        for n, sealed in stored.items():
            assert rotated.decrypt(sealed, context=context_of(n)) == texts[n]

        first = reencrypt(stored.items(), rotated, context_of=context_of)
        assert [n for n, _ in first.changed] == [0, 1, 2]
        assert (first.skipped, first.failed, first.all_current) == (3, (), False)
        for n, sealed in first.changed:
            assert sealed.key_id == rotated.current_key_id
            assert sealed != stored[n]
            assert rotated.decrypt(sealed, context=context_of(n)) == texts[n]
        stored.update(first.changed)

        second = reencrypt(stored.items(), rotated, context_of=context_of)
        assert (second.changed, second.skipped, second.failed) == ((), 6, ())
        assert second.all_current
        assert {sealed.key_id for sealed in stored.values()} == {rotated.current_key_id}

    def test_reencrypt_reports_what_it_cannot_open_and_goes_on(
        self, cipher: Cipher, rotated: Cipher
    ) -> None:
        """A value under a missing key, or for another context, is left and reported."""
        good = cipher.encrypt(PHONE, context="customer:1:phone")
        moved = cipher.encrypt(PHONE, context="customer:2:phone")
        lost = attrs.evolve(good, key_id="never-loaded")
        values = [(1, good), (3, moved), (4, lost)]
        result = reencrypt(values, rotated, context_of=lambda n: f"customer:{n}:phone")
        assert [n for n, _ in result.changed] == [1]
        assert [(n, error.code) for n, error in result.failed] == [
            (3, "cipher.tampered"),
            (4, "cipher.unknown_key"),
        ]
        assert (result.skipped, result.all_current) == (0, False)
