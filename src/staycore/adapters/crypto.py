"""AES-256-GCM: the cipher adapter for personal data at rest (the ``crypto`` extra).

:class:`AesGcmCipher` is a :class:`~staycore.ports.cipher.Cipher` over the
`cryptography <https://cryptography.io>`_ package's AES-GCM, with a keyring of 256-bit
keys by id, one of them current.

**What is sealed, exactly.** Each value gets a 96-bit nonce from :func:`os.urandom`;
the ciphertext is AES-256-GCM's output (the encrypted UTF-8 text followed by its
128-bit tag), and the associated data is::

    key id (ASCII) + one zero byte + context (UTF-8)

Key ids never hold a zero byte, so the two parts cannot be confused; binding the
key id means a value relabelled with another id fails to open even when both ids name
the same key bytes. Anyone holding the key can open a value with those three lines and
any AES-GCM library, without staycore.

**Keys.** Make one with :meth:`AesGcmCipher.generate_key` and keep it outside the
database: a secrets manager, or an environment variable as base64 text, read with
:meth:`AesGcmCipher.from_text`. To rotate, add a new key and make it current; keep the
old one loaded until :func:`~staycore.app.reencryption.reencrypt` reports that no value
is left under it. With random 96-bit nonces, seal no more than about four billion
values under one key; rotating yearly keeps far below that.

Example:
    >>> import base64
    >>> from staycore.adapters.crypto import AesGcmCipher
    >>> text = base64.b64encode(AesGcmCipher.generate_key()).decode()  # for the environment
    >>> old = AesGcmCipher.from_text({"2025": text}, current="2025")
    >>> phone = old.encrypt("13812341234", context="customer:cus_1:phone")
    >>> rotated = AesGcmCipher(
    ...     {"2025": base64.b64decode(text), "2026": AesGcmCipher.generate_key()},
    ...     current="2026",
    ... )
    >>> rotated
    AesGcmCipher(key_ids=('2025', '2026'), current='2026')
    >>> rotated.decrypt(phone, context="customer:cus_1:phone")
    '13812341234'
    >>> rotated.encrypt("13812341234", context="customer:cus_1:phone").key_id
    '2026'
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Mapping
from typing import Final, Self

try:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
except ImportError as missing:
    msg = "staycore.adapters.crypto needs the cryptography package: pip install 'staycore[crypto]'"
    raise ImportError(msg) from missing

from staycore.kernel.sealed import (
    InvalidCipherInputError,
    InvalidCipherKeyError,
    MalformedSealedError,
    Sealed,
    TamperedCiphertextError,
    UnknownCipherKeyError,
    check_key_id,
)

__all__ = ["KEY_BYTES", "NONCE_BYTES", "AesGcmCipher"]

KEY_BYTES: Final = 32
"""The length of an AES-256 key."""

NONCE_BYTES: Final = 12
"""The length of the nonce each value is sealed with: 96 bits, as GCM is built for."""

_TAG_BYTES: Final = 16


def _utf8(value: object, what: str, *, empty: bool) -> bytes:
    if not isinstance(value, str) or (not empty and not value):
        wanted = "text" if empty else "non-empty text"
        got = "empty text" if isinstance(value, str) else f"a {type(value).__name__}"
        msg = f"{what} must be {wanted}, got {got}"
        raise InvalidCipherInputError(msg)
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError:
        msg = f"{what} holds a lone surrogate, which is not UTF-8: decode the text properly"
        raise InvalidCipherInputError(msg) from None


def _associated_data(key_id: str, context: str) -> bytes:
    return key_id.encode("ascii") + b"\x00" + _utf8(context, "the context", empty=False)


def _check_key(key_id: str, key: object) -> bytes:
    if not isinstance(key, bytes) or len(key) != KEY_BYTES:
        got = f"{len(key)} bytes" if isinstance(key, bytes) else f"a {type(key).__name__}"
        msg = (
            f"key {key_id!r} must be {KEY_BYTES} bytes for AES-256, got {got}; make one with "
            "AesGcmCipher.generate_key()"
        )
        raise InvalidCipherKeyError(msg)
    return key


def _key_from_text(key_id: str, text: object) -> bytes:
    if not isinstance(text, str):
        msg = f"key {key_id!r} must be base64 text, got a {type(text).__name__}"
        raise InvalidCipherKeyError(msg)
    # Both alphabets, padded or not: what `openssl rand -base64 32` prints, and what a
    # URL-safe encoder prints, are both common in secret stores.
    compact = "".join(text.split()).rstrip("=").replace("-", "+").replace("_", "/")
    try:
        key = base64.b64decode(compact + "=" * (-len(compact) % 4), validate=True)
    except (binascii.Error, ValueError):
        # The text is a secret: the message says what is wrong with it, never what it is.
        msg = f"key {key_id!r} is not base64 text; write the key's {KEY_BYTES} bytes in base64"
        raise InvalidCipherKeyError(msg) from None
    return _check_key(key_id, key)


class AesGcmCipher:
    """A :class:`~staycore.ports.cipher.Cipher` with AES-256-GCM and a keyring of keys.

    Safe to share between threads: it holds nothing that changes.

    Args:
        keys: Every key the cipher may open values with, by key id: 32 bytes each.
        current: The id of the key new values are sealed under; one of ``keys``.

    Raises:
        InvalidCipherKeyError: ``keys`` is empty or not a mapping, a key id is not
            well-formed (:func:`~staycore.kernel.sealed.check_key_id`), a key is not 32
            bytes, or ``current`` is not one of the key ids. Messages name key ids,
            never keys.

    Example:
        >>> from staycore.adapters.crypto import AesGcmCipher
        >>> AesGcmCipher({"2026": b"too short"}, current="2026")
        Traceback (most recent call last):
        ...
        staycore.kernel.sealed.InvalidCipherKeyError: [cipher.invalid_key] ...
    """

    __slots__ = ("_aeads", "_current")

    def __init__(self, keys: Mapping[str, bytes], current: str) -> None:
        if not isinstance(keys, Mapping) or not keys:
            msg = "a cipher needs at least one key: pass a mapping of key ids to 32-byte keys"
            raise InvalidCipherKeyError(msg)
        aeads: dict[str, AESGCM] = {}
        for key_id, key in keys.items():
            aeads[check_key_id(key_id)] = AESGCM(_check_key(key_id, key))
        if check_key_id(current) not in aeads:
            held = ", ".join(repr(key_id) for key_id in aeads)
            msg = f"the current key id {current!r} is not among the keys given ({held})"
            raise InvalidCipherKeyError(msg)
        self._aeads: Final = aeads
        self._current: Final = current

    @classmethod
    def from_text(cls, keys: Mapping[str, str], current: str) -> Self:
        """Build a cipher from keys written as base64 text, as environment variables hold them.

        Standard and URL-safe base64 are both read, with or without ``=`` padding, and
        white space is ignored.

        Args:
            keys: Each key id's key, as base64 text of 32 bytes.
            current: The id of the key new values are sealed under.

        Raises:
            InvalidCipherKeyError: As for the constructor, or a key is not base64 text.

        Example:
            >>> from staycore.adapters.crypto import AesGcmCipher
            >>> AesGcmCipher.from_text({"2026": "q" * 43}, current="2026").current_key_id
            '2026'
            >>> AesGcmCipher.from_text({"2026": "not a key!"}, current="2026")
            Traceback (most recent call last):
            ...
            staycore.kernel.sealed.InvalidCipherKeyError: [cipher.invalid_key] ...
        """
        if not isinstance(keys, Mapping):
            msg = "from_text takes a mapping of key ids to base64 keys"
            raise InvalidCipherKeyError(msg)
        return cls(
            {key_id: _key_from_text(check_key_id(key_id), text) for key_id, text in keys.items()},
            current,
        )

    @staticmethod
    def generate_key() -> bytes:
        """Return a new random 256-bit key, from the operating system's secure source.

        Example:
            >>> from staycore.adapters.crypto import AesGcmCipher
            >>> key = AesGcmCipher.generate_key()
            >>> len(key), key == AesGcmCipher.generate_key()
            (32, False)
        """
        return os.urandom(KEY_BYTES)

    @property
    def current_key_id(self) -> str:
        """The id of the key new values are sealed under."""
        return self._current

    @property
    def key_ids(self) -> tuple[str, ...]:
        """The ids of every key the cipher holds, in the order given.

        Example:
            >>> from staycore.adapters.crypto import AesGcmCipher
            >>> keys = {"a": AesGcmCipher.generate_key(), "b": AesGcmCipher.generate_key()}
            >>> AesGcmCipher(keys, current="b").key_ids
            ('a', 'b')
        """
        return tuple(self._aeads)

    def encrypt(self, plaintext: str, *, context: str) -> Sealed:
        """Seal ``plaintext`` under the current key, bound to ``context``.

        Raises:
            InvalidCipherInputError: ``plaintext`` is not text, ``context`` is not
                non-empty text, or either holds a lone surrogate.

        Example:
            See the module example.
        """
        data = _utf8(plaintext, "the plaintext", empty=True)
        associated = _associated_data(self._current, context)
        nonce = os.urandom(NONCE_BYTES)
        ciphertext = self._aeads[self._current].encrypt(nonce, data, associated)
        return Sealed(self._current, nonce, ciphertext)

    def decrypt(self, sealed: Sealed, *, context: str) -> str:
        """Open ``sealed``, which must have been sealed for exactly ``context``.

        Raises:
            UnknownCipherKeyError: The cipher does not hold the key ``sealed`` names.
            TamperedCiphertextError: ``sealed`` fails authentication: it was sealed for
                another context or under another key with the same id, or was altered.
            InvalidCipherInputError: ``sealed`` is not a
                :class:`~staycore.kernel.sealed.Sealed`, or ``context`` is not
                non-empty text.

        Example:
            See the module example.
        """
        if not isinstance(sealed, Sealed):
            msg = (
                f"decrypt opens a Sealed value, got a {type(sealed).__name__}; read stored "
                "text with Sealed.from_text(text) first"
            )
            raise InvalidCipherInputError(msg)
        associated = _associated_data(sealed.key_id, context)
        aead = self._aeads.get(sealed.key_id)
        if aead is None:
            held = ", ".join(repr(key_id) for key_id in self._aeads)
            msg = (
                f"the value was sealed under key {sealed.key_id!r}, which this cipher does not "
                f"hold (it holds {held}): load key {sealed.key_id!r} into the keyring to read "
                "it, and keep it loaded until reencrypt() has moved every value off it"
            )
            raise UnknownCipherKeyError(msg)
        if len(sealed.nonce) != NONCE_BYTES or len(sealed.ciphertext) < _TAG_BYTES:
            raise TamperedCiphertextError(_tampered(sealed.key_id))
        try:
            data = aead.decrypt(sealed.nonce, sealed.ciphertext, associated)
        except InvalidTag:
            raise TamperedCiphertextError(_tampered(sealed.key_id)) from None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            msg = (
                f"the value sealed under key {sealed.key_id!r} opened, but holds bytes that "
                "are not UTF-8 text: it was sealed by something other than a staycore cipher"
            )
            raise MalformedSealedError(msg) from None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(key_ids={self.key_ids!r}, current={self._current!r})"


def _tampered(key_id: str) -> str:
    return (
        f"the value sealed under key {key_id!r} failed authentication: it was sealed for "
        "another context (another record or field), under another key with the same id, "
        "or its bytes were changed; nothing of it was decrypted"
    )
