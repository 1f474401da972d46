"""Sealed values: personal data encrypted at rest, with the id of the key that opens it.

A :class:`Sealed` value is what a cipher (:class:`staycore.ports.cipher.Cipher`) makes
of a guest's phone number, e-mail or identity number: the id of the key it was sealed
under, the nonce, and the ciphertext with its authentication tag. Carrying the key id
lets keys rotate: values sealed under an old key still open while that key is loaded,
and a batch job (:func:`staycore.app.reencryption.reencrypt`) moves them to the new
one at its own pace.

**The text format.** :meth:`Sealed.to_text` writes one line of ASCII for a text column::

    v1.<key id>.<nonce>.<ciphertext>

``v1`` is the format's version; the key id is 1 to 64 letters, digits, ``-`` or ``_``
(:func:`check_key_id`), so it never holds the ``.`` that separates the parts; nonce and
ciphertext are base64url without padding (RFC 4648, section 5). One value has exactly
one text: :meth:`Sealed.from_text` refuses anything else, so stored texts can be
compared and indexed as they are.

The errors of ciphers form one family, :class:`CipherError`, each with its code:
``cipher.unknown_key``, ``cipher.tampered``, ``cipher.malformed``,
``cipher.invalid_key`` and ``cipher.invalid_input``. None of their messages quotes a
plaintext, a key, or text that might be one.

Example:
    >>> from staycore.kernel.sealed import Sealed
    >>> sealed = Sealed(key_id="2026-05", nonce=bytes(12), ciphertext=bytes([250, 206]) * 9)
    >>> text = sealed.to_text()
    >>> text
    'v1.2026-05.AAAAAAAAAAAAAAAA.-s76zvrO-s76zvrO-s76zvrO'
    >>> Sealed.from_text(text) == sealed
    True
    >>> Sealed.from_text("+886 912 345 678")
    Traceback (most recent call last):
    ...
    staycore.kernel.sealed.MalformedSealedError: [cipher.malformed] ...
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Final, Self

import attrs

from staycore.kernel.errors import KernelError

__all__ = [
    "MAX_KEY_ID_LENGTH",
    "TEXT_VERSION",
    "CipherError",
    "InvalidCipherInputError",
    "InvalidCipherKeyError",
    "MalformedSealedError",
    "Sealed",
    "TamperedCiphertextError",
    "UnknownCipherKeyError",
    "check_key_id",
]

TEXT_VERSION: Final = "v1"
"""The first part of every text :meth:`Sealed.to_text` writes."""

MAX_KEY_ID_LENGTH: Final = 64
"""The longest key id, in characters."""

_KEY_ID: Final = re.compile(rf"[A-Za-z0-9_-]{{1,{MAX_KEY_ID_LENGTH}}}")
_BASE64URL: Final = re.compile(r"[A-Za-z0-9_-]+")
_TEXT_SHAPE: Final = f"{TEXT_VERSION}.<key id>.<nonce>.<ciphertext>"


class CipherError(KernelError):
    """Personal data could not be sealed or opened: a key, a value or an input is wrong."""

    code = "cipher.error"


class InvalidCipherKeyError(CipherError):
    """A key id is not 1 to 64 letters, digits, ``-`` or ``_``, or a key is not usable.

    Example:
        >>> from staycore.kernel.sealed import check_key_id
        >>> check_key_id("keys/2026")
        Traceback (most recent call last):
        ...
        staycore.kernel.sealed.InvalidCipherKeyError: [cipher.invalid_key] ...
    """

    code = "cipher.invalid_key"


class UnknownCipherKeyError(CipherError):
    """A value was sealed under a key id the cipher does not hold: load that key to read it."""

    code = "cipher.unknown_key"


class TamperedCiphertextError(CipherError):
    """A sealed value failed authentication: another context, another key, or altered bytes.

    Nothing of the value was decrypted. It was sealed for another record or field (its
    context), under another key that has the same id, or its bytes were changed.
    """

    code = "cipher.tampered"


class MalformedSealedError(CipherError):
    """A text is not in the format :meth:`Sealed.to_text` writes, or a part is not bytes.

    Also raised for a value that opens, but holds bytes that are not UTF-8 text: it was
    sealed by something other than a staycore cipher.
    """

    code = "cipher.malformed"


class InvalidCipherInputError(CipherError):
    """A cipher was given something other than text to seal, a context or a sealed value."""

    code = "cipher.invalid_input"


def check_key_id(key_id: object) -> str:
    """Return ``key_id`` if it is a well-formed key id; refuse it otherwise.

    A key id is 1 to :data:`MAX_KEY_ID_LENGTH` ASCII letters, digits, ``-`` or ``_``:
    ``"2026-05"``, ``"pii_v3"``. It is stored with every value sealed under the key, so
    it names the key, never holds it.

    Raises:
        InvalidCipherKeyError: ``key_id`` is not such text.

    Example:
        >>> from staycore.kernel.sealed import check_key_id
        >>> check_key_id("2026-05")
        '2026-05'
    """
    if isinstance(key_id, str) and _KEY_ID.fullmatch(key_id):
        return key_id
    shown = repr(key_id) if isinstance(key_id, str) else f"a {type(key_id).__name__}"
    msg = (
        f"a key id is 1 to {MAX_KEY_ID_LENGTH} ASCII letters, digits, '-' or '_' "
        f"(such as '2026-05'), got {shown:.80}"
    )
    raise InvalidCipherKeyError(msg)


def _bytes(value: object, name: str) -> bytes:
    if isinstance(value, bytearray | memoryview):
        value = bytes(value)
    if not isinstance(value, bytes) or not value:
        got = f"{len(value)} bytes" if isinstance(value, bytes) else f"a {type(value).__name__}"
        msg = f"a sealed value's {name} is bytes, at least one, got {got}"
        raise MalformedSealedError(msg)
    return value


def _nonce(value: object) -> bytes:
    return _bytes(value, "nonce")


def _ciphertext(value: object) -> bytes:
    return _bytes(value, "ciphertext")


@attrs.frozen
class Sealed:
    """Ciphertext with the id of the key it was sealed under: personal data at rest.

    Build one with a cipher's :meth:`~staycore.ports.cipher.Cipher.encrypt`, or from a
    stored text with :meth:`from_text`; open it with the cipher's
    :meth:`~staycore.ports.cipher.Cipher.decrypt` and the same context.

    Attributes:
        key_id: The id of the key that opens the value (see :func:`check_key_id`).
        nonce: The nonce the value was sealed with, never used twice with one key.
        ciphertext: The encrypted text, with the cipher's authentication tag.

    Raises:
        InvalidCipherKeyError: ``key_id`` is not a well-formed key id.
        MalformedSealedError: ``nonce`` or ``ciphertext`` is not bytes, or is empty.

    Example:
        >>> from staycore.kernel.sealed import Sealed
        >>> Sealed("2026-05", nonce=bytes(12), ciphertext=b"")
        Traceback (most recent call last):
        ...
        staycore.kernel.sealed.MalformedSealedError: [cipher.malformed] ...
    """

    key_id: str = attrs.field(converter=check_key_id)
    nonce: bytes = attrs.field(converter=_nonce)
    ciphertext: bytes = attrs.field(converter=_ciphertext)

    def to_text(self) -> str:
        """Return the value as one line of ASCII, ``v1.<key id>.<nonce>.<ciphertext>``.

        Example:
            >>> from staycore.kernel.sealed import Sealed
            >>> Sealed("k1", nonce=bytes([0, 1, 2]), ciphertext=bytes([255])).to_text()
            'v1.k1.AAEC._w'
        """
        return ".".join((TEXT_VERSION, self.key_id, _encode(self.nonce), _encode(self.ciphertext)))

    @classmethod
    def from_text(cls, text: str) -> Self:
        """Read a value back from the text :meth:`to_text` wrote.

        Raises:
            MalformedSealedError: ``text`` is not such a text: another version, a bad key
                id, or parts that are not canonical base64url. The message describes
                what is wrong without quoting the text, which may be plaintext that was
                never sealed.

        Example:
            >>> from staycore.kernel.sealed import Sealed
            >>> list(Sealed.from_text("v1.k1.AAEC._w").nonce)
            [0, 1, 2]
            >>> Sealed.from_text("v1.k1.AAEC._w==")
            Traceback (most recent call last):
            ...
            staycore.kernel.sealed.MalformedSealedError: [cipher.malformed] ...
        """
        if not isinstance(text, str):
            msg = f"a sealed value is read from text ({_TEXT_SHAPE}), got a {type(text).__name__}"
            raise MalformedSealedError(msg)
        parts = text.split(".")
        if len(parts) != 4:
            msg = (
                f"the text is not a sealed value: it has {len(parts)} part(s) separated by "
                f"'.', and a sealed value has 4 ({_TEXT_SHAPE}); was it written before the "
                "field was encrypted?"
            )
            raise MalformedSealedError(msg)
        version, key_id, nonce, ciphertext = parts
        if version != TEXT_VERSION:
            msg = (
                f"the text is not a sealed value of format {TEXT_VERSION!r} ({_TEXT_SHAPE}): "
                "it was written by another version of staycore, or is not a sealed value"
            )
            raise MalformedSealedError(msg)
        if not _KEY_ID.fullmatch(key_id):
            msg = (
                f"the sealed text's key id is not 1 to {MAX_KEY_ID_LENGTH} ASCII letters, "
                "digits, '-' or '_'"
            )
            raise MalformedSealedError(msg)
        return cls(key_id, _decode(nonce, "nonce"), _decode(ciphertext, "ciphertext"))


def _encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _decode(part: str, name: str) -> bytes:
    problem = ""
    if not _BASE64URL.fullmatch(part):
        problem = "is empty or holds characters other than base64url's A-Z, a-z, 0-9, '-', '_'"
    else:
        try:
            data = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        except (binascii.Error, ValueError):
            data = b""
        # A part of 4n + 1 characters decodes to nothing, and unused bits left set give
        # a second text for the same bytes: both are refused, so a value has one text.
        if not data or _encode(data) != part:
            problem = "is not canonical base64url without padding"
    if problem:
        msg = f"the sealed text's {name} {problem} ({_TEXT_SHAPE})"
        raise MalformedSealedError(msg)
    return data
