"""The cipher port: personal data sealed at rest, bound to its place, under rotating keys.

A :class:`Cipher` seals text (a phone number, an e-mail address, an identity number)
into a :class:`~staycore.kernel.sealed.Sealed` value and opens it again. Store the value
with :meth:`~staycore.kernel.sealed.Sealed.to_text` in a text column.

The rules every adapter keeps (pinned by
:class:`staycore.testing.contracts.cipher.CipherContract`):

* :meth:`Cipher.encrypt` seals under the current key (:attr:`Cipher.current_key_id`)
  with a fresh nonce: the same text sealed twice gives two different values.
* The ``context`` names the value's place, such as ``"customer:cus_01J…:phone"``.
  It is authenticated, not stored: :meth:`Cipher.decrypt` opens a value only with the
  context it was sealed with, exactly, so a value copied into another record or field
  does not open there. It is also not secret; keep personal data out of it.
* :meth:`Cipher.decrypt` opens a value under whichever key its
  :attr:`~staycore.kernel.sealed.Sealed.key_id` names, if the cipher holds it: keys
  rotate by making a new one current while the old ones stay loaded, until
  :func:`~staycore.app.reencryption.reencrypt` has moved every value off them.
* A value under a key id the cipher does not hold is refused with
  :class:`~staycore.kernel.sealed.UnknownCipherKeyError`; a value that fails
  authentication (another context, another key under the same id, a changed byte) with
  :class:`~staycore.kernel.sealed.TamperedCiphertextError`. Neither returns or quotes
  any part of the plaintext.
* A plaintext that is not text, a context that is not non-empty text, or text either
  way that cannot be written in UTF-8 (a lone surrogate), and a ``sealed`` that is not a
  :class:`~staycore.kernel.sealed.Sealed`, are refused with
  :class:`~staycore.kernel.sealed.InvalidCipherInputError`.

Example:
    >>> from staycore.adapters.crypto import AesGcmCipher
    >>> from staycore.ports.cipher import Cipher
    >>> cipher = AesGcmCipher({"2026-05": AesGcmCipher.generate_key()}, current="2026-05")
    >>> isinstance(cipher, Cipher)
    True
    >>> sealed = cipher.encrypt("+886 912 345 678", context="customer:cus_1:phone")
    >>> sealed.key_id, cipher.decrypt(sealed, context="customer:cus_1:phone")
    ('2026-05', '+886 912 345 678')
    >>> cipher.decrypt(sealed, context="customer:cus_2:phone")
    Traceback (most recent call last):
    ...
    staycore.kernel.sealed.TamperedCiphertextError: [cipher.tampered] ...
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from staycore.kernel.sealed import Sealed

__all__ = ["Cipher"]


@runtime_checkable
class Cipher(Protocol):
    """Seals text under the current key, and opens what was sealed under any key it holds."""

    @property
    def current_key_id(self) -> str:
        """The id of the key :meth:`encrypt` seals under."""
        ...

    def encrypt(self, plaintext: str, *, context: str) -> Sealed:
        """Seal ``plaintext`` under the current key, bound to ``context``.

        Raises:
            InvalidCipherInputError: ``plaintext`` is not text, ``context`` is not
                non-empty text, or either holds a lone surrogate.
        """
        ...

    def decrypt(self, sealed: Sealed, *, context: str) -> str:
        """Open ``sealed``, which must have been sealed for exactly ``context``.

        Raises:
            UnknownCipherKeyError: The cipher does not hold the key ``sealed`` names.
            TamperedCiphertextError: ``sealed`` fails authentication: it was sealed for
                another context or under another key with the same id, or was altered.
            InvalidCipherInputError: ``sealed`` is not a
                :class:`~staycore.kernel.sealed.Sealed`, or ``context`` is not
                non-empty text.
        """
        ...
