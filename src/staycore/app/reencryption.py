"""Re-encryption: moving sealed personal data onto the current key, one batch at a time.

Rotating a key is three steps. Load a new key next to the old ones and make it current:
new values are sealed under it, old ones still open. Then run :func:`reencrypt` over
the stored values, page by page, writing back what it :attr:`~Reencryption.changed`.
When a pass over every value reports :attr:`~Reencryption.all_current`, no value is
left under an old key, and the old keys can be unloaded.

:func:`reencrypt` reads and writes nothing itself: the host reads a page of rows, calls
it, and writes the changed values back in its own transaction. It is idempotent: values
already under the current key are skipped without being opened, so a pass that stopped
halfway is simply run again. A value that cannot be opened (its key is not loaded, or
it fails authentication) does not stop the batch; it is reported in
:attr:`~Reencryption.failed` and left as it is.

Example:
    >>> from staycore.adapters.crypto import AesGcmCipher
    >>> from staycore.app.reencryption import reencrypt
    >>> keys = {"2025": AesGcmCipher.generate_key()}
    >>> old = AesGcmCipher(keys, current="2025")
    >>> phones = {"cus_1": old.encrypt("13812341234", context="customer:cus_1:phone"),
    ...           "cus_2": old.encrypt("+886 912 345 678", context="customer:cus_2:phone")}
    >>> cipher = AesGcmCipher(keys | {"2026": AesGcmCipher.generate_key()}, current="2026")
    >>> phones["cus_3"] = cipher.encrypt("0912 345 678", context="customer:cus_3:phone")
    >>> result = reencrypt(phones.items(), cipher,
    ...                    context_of=lambda customer: f"customer:{customer}:phone")
    >>> [(customer, sealed.key_id) for customer, sealed in result.changed], result.skipped
    ([('cus_1', '2026'), ('cus_2', '2026')], 1)
    >>> phones.update(result.changed)
    >>> reencrypt(phones.items(), cipher,
    ...           context_of=lambda customer: f"customer:{customer}:phone").all_current
    True
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import Generic, TypeVar

import attrs

from staycore.kernel.sealed import (
    CipherError,
    InvalidCipherInputError,
    Sealed,
    TamperedCiphertextError,
    UnknownCipherKeyError,
)
from staycore.ports.cipher import Cipher

__all__ = ["Reencryption", "reencrypt"]

K = TypeVar("K", bound=Hashable)


@attrs.frozen
class Reencryption(Generic[K]):
    """What one :func:`reencrypt` pass did to a batch of sealed values.

    Attributes:
        changed: Each value that was under another key, by its record's key, sealed
            again under the current key: write these back.
        skipped: How many values were already under the current key.
        failed: Each value that could not be opened, by its record's key, with the
            error (:class:`~staycore.kernel.sealed.UnknownCipherKeyError` or
            :class:`~staycore.kernel.sealed.TamperedCiphertextError`); left as it was.

    Example:
        >>> from staycore.app.reencryption import Reencryption
        >>> Reencryption(changed=(), skipped=3, failed=()).all_current
        True
    """

    changed: tuple[tuple[K, Sealed], ...]
    skipped: int
    failed: tuple[tuple[K, CipherError], ...]

    @property
    def all_current(self) -> bool:
        """Whether every value of the batch was already under the current key.

        Example:
            See the module example.
        """
        return not self.changed and not self.failed


def reencrypt(
    values: Iterable[tuple[K, Sealed]],
    cipher: Cipher,
    *,
    context_of: Callable[[K], str],
) -> Reencryption[K]:
    """Seal again, under ``cipher``'s current key, every value of ``values`` under another.

    Each value is opened with the context ``context_of`` gives for its record's key, and
    sealed again for the same context. Values already under the current key are counted
    in :attr:`Reencryption.skipped` and not opened.

    Args:
        values: ``(record key, sealed value)`` pairs: a page of rows, a mapping's
            ``items()``.
        cipher: The cipher holding the current key and every key the values are under.
        context_of: The context a record's value was sealed for.

    Raises:
        InvalidCipherInputError: ``cipher`` is not a
            :class:`~staycore.ports.cipher.Cipher`, an item of ``values`` is not a pair
            whose second part is a :class:`~staycore.kernel.sealed.Sealed`, or a context
            is not non-empty text.

    Example:
        See the module example.
    """
    if not isinstance(cipher, Cipher):
        msg = f"reencrypt needs a Cipher (encrypt, decrypt, current_key_id), got {cipher!r:.80}"
        raise InvalidCipherInputError(msg)
    current = cipher.current_key_id
    changed: list[tuple[K, Sealed]] = []
    failed: list[tuple[K, CipherError]] = []
    skipped = 0
    for position, item in enumerate(values):
        if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], Sealed)):
            msg = (
                f"reencrypt reads (record key, Sealed) pairs; item {position} is a "
                f"{type(item).__name__}, not one"
            )
            raise InvalidCipherInputError(msg)
        record, sealed = item
        if sealed.key_id == current:
            skipped += 1
            continue
        context = context_of(record)
        try:
            plaintext = cipher.decrypt(sealed, context=context)
        except (UnknownCipherKeyError, TamperedCiphertextError) as error:
            failed.append((record, error))
            continue
        changed.append((record, cipher.encrypt(plaintext, context=context)))
    return Reencryption(changed=tuple(changed), skipped=skipped, failed=tuple(failed))
