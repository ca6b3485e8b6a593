"""Personal data at rest: authenticated encryption (AES-256-GCM) and keyed hashes for exact search.

The keyed hash (HMAC-SHA256) lets a unique index and exact-match search work on a column whose
plain value is never stored.

A value is stored as ``v2:`` + base64url(nonce ‖ ciphertext ‖ tag): AES-256-GCM with a random
96-bit nonce, about a fifth of Fernet's cost per value (a national roll encrypts ~90 million IDs).
Random nonces keep a key safe for 2³² values (NIST SP 800-38D); China's roll is ~2²⁷ and a key
rotates yearly. Values written before (Fernet: AES-128-CBC + HMAC, ``gAAAA…``; base64url, never a
``:``) still decrypt with the same keys: the prefix says which scheme a value is in.

Keys rotate without downtime: the *current* key encrypts, the current and every *previous* key
decrypt (a key ring), and ``rotate`` re-encrypts a stored value under the current key and scheme
(``jingzhun pii rotate`` does that for every personal-data column of a service; a Fernet value
under the current key counts as not current, so the command also moves old values to ``v2``).
The hash key is separate and must stay stable, because stored hashes are looked up by value: it
defaults to the first key, so on the first rotation ops set the hash key to that original key once.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Annotated

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from fastapi import Depends, Request

__all__ = ["CipherDep", "PiiCipher", "cipher_for", "mask_name", "mask_resident_id"]

MIN_KEY_LENGTH = 16
V2 = "v2:"  # AES-256-GCM; Fernet tokens (base64url) never hold a ':'
_NONCE = 12
_URLSAFE = bytes.maketrans(b"+/", b"-_")  # base64 to base64url


def _check(secret: str) -> bytes:
    if len(secret) < MIN_KEY_LENGTH:
        raise ValueError(f"a personal-data key must have at least {MIN_KEY_LENGTH} characters")
    return secret.encode()


def _fernet(secret: str) -> Fernet:
    enc = hashlib.sha256(b"jingzhun-pii-encrypt|" + _check(secret)).digest()
    return Fernet(base64.urlsafe_b64encode(enc))


def _aead(secret: str) -> AESGCM:
    return AESGCM(hashlib.sha256(b"jingzhun-pii-aead|" + _check(secret)).digest())


class PiiCipher:
    """Encrypts with ``secret``; decrypts with it or any of ``previous``; hashes with ``hash_secret``."""

    def __init__(self, secret: str, *, previous: Sequence[str] = (), hash_secret: str | None = None) -> None:
        self._current = _aead(secret)
        self._ring = [self._current, *(_aead(s) for s in previous)]
        self._current_fernet = _fernet(secret)
        self._fernets = MultiFernet([self._current_fernet, *(_fernet(s) for s in previous)])
        root = _check(hash_secret or secret)
        self._hash_key = hashlib.sha256(b"jingzhun-pii-hash|" + root).digest()
        # HMAC-SHA256 (RFC 2104) with the key's padded blocks hashed once: each keyed hash copies
        # the two states and hashes only the value (hmac.digest re-keys per call: ~4x the cost)
        block = self._hash_key.ljust(64, b"\0")  # a 32-byte key is padded, never hashed first
        self._hmac_inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self._hmac_outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))

    def encrypt(self, value: str) -> str:
        return self.encrypt_many([value])[0]

    def encrypt_many(self, values: Sequence[str]) -> list[str]:
        """``encrypt`` of each value, the nonces drawn from the OS in one call (a bulk import's)."""
        nonces = os.urandom(_NONCE * len(values))
        encrypt, b64 = self._current.encrypt, binascii.b2a_base64  # base64.urlsafe_b64encode's steps
        out = []
        for i, value in enumerate(values):
            nonce = nonces[i * _NONCE : (i + 1) * _NONCE]
            sealed = nonce + encrypt(nonce, value.encode(), None)
            out.append(V2 + b64(sealed, newline=False).translate(_URLSAFE).decode())
        return out

    def sealer(self, count: int) -> Callable[[bytes], str]:
        """``encrypt`` of at most ``count`` values, each given as its UTF-8 bytes, one call a value
        (a bulk import encrypts each ID as it checks it), the nonces drawn from the OS in one call."""
        nonces = os.urandom(_NONCE * count)
        offsets = iter(range(0, _NONCE * count, _NONCE))
        encrypt, b64 = self._current.encrypt, binascii.b2a_base64  # base64.urlsafe_b64encode's steps

        def seal(plain: bytes) -> str:
            at = next(offsets)
            nonce = nonces[at : at + _NONCE]
            return V2 + b64(nonce + encrypt(nonce, plain, None), newline=False).translate(_URLSAFE).decode()

        return seal

    def decrypt(self, token: str) -> str:
        if not token.startswith(V2):
            try:
                return self._fernets.decrypt(token.encode()).decode()
            except InvalidToken as exc:
                raise ValueError("personal data could not be decrypted with the configured keys") from exc
        for key in self._ring:
            plain = _open(key, token)
            if plain is not None:
                return plain
        raise ValueError("personal data could not be decrypted with the configured keys")

    def is_current(self, token: str) -> bool:
        """True when ``token`` was encrypted under the current key and scheme (nothing to rotate)."""
        return token.startswith(V2) and _open(self._current, token) is not None

    def rotate(self, token: str) -> str:
        """The same value encrypted under the current key (raises ValueError for an unknown key)."""
        return self.encrypt(self.decrypt(token))

    def keyed_hash(self, value: str) -> str:
        """HMAC-SHA256 of the value (trimmed, upper case) under the hash key, in hex: exactly
        ``hmac.digest(hash_key, value, "sha256").hex()``."""
        inner = self._hmac_inner.copy()
        inner.update(value.strip().upper().encode())
        outer = self._hmac_outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()


    def keyed_hash_of(self, value: bytes) -> str:
        """``keyed_hash`` of a value already trimmed and in upper case, given as its UTF-8 bytes."""
        inner = self._hmac_inner.copy()
        inner.update(value)
        outer = self._hmac_outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()


def _open(key: AESGCM, token: str) -> str | None:
    """The plain text of a ``v2`` token under ``key``, or None (another key, or not a token)."""
    try:
        raw = base64.urlsafe_b64decode(token[len(V2) :])
        return key.decrypt(raw[:_NONCE], raw[_NONCE:], None).decode()
    except (InvalidTag, ValueError, binascii.Error):
        return None


@lru_cache(maxsize=8)
def cipher_for(secret: str, previous: tuple[str, ...] = (), hash_secret: str | None = None) -> PiiCipher:
    """One cipher per key ring (deriving the keys costs a little; requests reuse it)."""
    return PiiCipher(secret, previous=previous, hash_secret=hash_secret)


async def _service_cipher(request: Request) -> PiiCipher:  # async: a sync dependency runs in a thread
    return request.app.state.settings.pii_cipher()  # type: ignore[no-any-return]


# A route's cipher: the key ring of the service's settings (``ServiceSettings.pii_cipher``).
CipherDep = Annotated[PiiCipher, Depends(_service_cipher)]


def mask_resident_id(number: str) -> str:
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_name(name: str) -> str:
    if not name:
        return name
    return name[0] + "*" * max(1, len(name) - 1)
