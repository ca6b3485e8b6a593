"""Webhook signatures: ``Jingzhun-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>." + body)>``.

The timestamp is signed with the body so a captured request cannot be replayed later with a new
``Jingzhun-Timestamp``; receivers reject timestamps far from their clock (five minutes is usual).
"""

from __future__ import annotations

import hashlib
import hmac
import time

__all__ = [
    "DELIVERY_HEADER",
    "SIGNATURE_HEADER",
    "SUBSCRIPTION_HEADER",
    "TIMESTAMP_HEADER",
    "sign",
    "verify",
]

SIGNATURE_HEADER = "Jingzhun-Signature"
TIMESTAMP_HEADER = "Jingzhun-Timestamp"
DELIVERY_HEADER = "Jingzhun-Delivery"
SUBSCRIPTION_HEADER = "Jingzhun-Subscription"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify(secret: str, timestamp: str, body: bytes, signature: str, *, tolerance_s: int = 300) -> bool:
    """What a receiver does (documented in docs/FEED.md); used by the tests' fake receiver."""
    try:
        ts = int(timestamp)
    except ValueError:
        return False
    if abs(time.time() - ts) > tolerance_s:
        return False
    return hmac.compare_digest(sign(secret, ts, body), signature)
