"""Personal data at rest: encryption (Fernet, AES-128-CBC + HMAC) and keyed hashes for exact search.

The keyed hash (HMAC-SHA256) lets a unique index and exact-match search work on a column whose
plain value is never stored.

Keys rotate without downtime: the *current* key encrypts, the current and every *previous* key
decrypt (a key ring), and ``rotate`` re-encrypts a stored value under the current key
(``jingzhun pii rotate`` does that for every personal-data column of a service). The hash key is
separate and must stay stable, because stored hashes are looked up by value: it defaults to the
first key, so on the first rotation ops set the hash key to that original key once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

__all__ = ["PiiCipher", "cipher_for", "mask_name", "mask_resident_id"]

MIN_KEY_LENGTH = 16


def _check(secret: str) -> bytes:
    if len(secret) < MIN_KEY_LENGTH:
        raise ValueError(f"a personal-data key must have at least {MIN_KEY_LENGTH} characters")
    return secret.encode()


def _fernet(secret: str) -> Fernet:
    enc = hashlib.sha256(b"jingzhun-pii-encrypt|" + _check(secret)).digest()
    return Fernet(base64.urlsafe_b64encode(enc))


class PiiCipher:
    """Encrypts with ``secret``; decrypts with it or any of ``previous``; hashes with ``hash_secret``."""

    def __init__(
        self, secret: str, *, previous: Sequence[str] = (), hash_secret: str | None = None
    ) -> None:
        self._current = _fernet(secret)
        self._ring = MultiFernet([self._current, *(_fernet(s) for s in previous)])
        root = _check(hash_secret or secret)
        self._hash_key = hashlib.sha256(b"jingzhun-pii-hash|" + root).digest()

    def encrypt(self, value: str) -> str:
        return self._current.encrypt(value.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._ring.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise ValueError("personal data could not be decrypted with the configured keys") from exc

    def is_current(self, token: str) -> bool:
        """True when ``token`` was encrypted under the current key (nothing to rotate)."""
        try:
            self._current.decrypt(token.encode())
        except InvalidToken:
            return False
        return True

    def rotate(self, token: str) -> str:
        """The same value encrypted under the current key (raises ValueError for an unknown key)."""
        try:
            return self._ring.rotate(token.encode()).decode()
        except InvalidToken as exc:
            raise ValueError("personal data could not be decrypted with the configured keys") from exc

    def keyed_hash(self, value: str) -> str:
        return hmac.new(self._hash_key, value.strip().upper().encode(), hashlib.sha256).hexdigest()


@lru_cache(maxsize=8)
def cipher_for(secret: str, previous: tuple[str, ...] = (), hash_secret: str | None = None) -> PiiCipher:
    """One cipher per key ring (deriving the keys costs a little; requests reuse it)."""
    return PiiCipher(secret, previous=previous, hash_secret=hash_secret)


def mask_resident_id(number: str) -> str:
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_name(name: str) -> str:
    if not name:
        return name
    return name[0] + "*" * max(1, len(name) - 1)
