"""Personal data at rest: encryption (Fernet, AES-128-CBC + HMAC) and keyed hashes for exact search.

The keyed hash (HMAC-SHA256) lets a unique index and exact-match search work on a column whose
plain value is never stored. Both keys derive from one configured secret with separate labels.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken

__all__ = ["PiiCipher", "mask_name", "mask_resident_id"]


class PiiCipher:
    def __init__(self, secret: str) -> None:
        if len(secret) < 16:
            raise ValueError("the personal-data key must have at least 16 characters")
        root = secret.encode()
        enc = hashlib.sha256(b"jingzhun-pii-encrypt|" + root).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(enc))
        self._hash_key = hashlib.sha256(b"jingzhun-pii-hash|" + root).digest()

    def encrypt(self, value: str) -> str:
        return self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise ValueError("personal data could not be decrypted with the configured key") from exc

    def keyed_hash(self, value: str) -> str:
        return hmac.new(self._hash_key, value.strip().upper().encode(), hashlib.sha256).hexdigest()


def mask_resident_id(number: str) -> str:
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_name(name: str) -> str:
    if not name:
        return name
    return name[0] + "*" * max(1, len(name) - 1)
