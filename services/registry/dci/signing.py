"""DCI message signatures (``signature`` beside ``header`` and ``message``), HMAC-SHA256 per client.

The DCI ``MsgSignature`` is a string of HTTP-signature parameters over ``{header}+{message}``:

    Signature: namespace="dci", kidId="<sender_id>|<key_id>|hmac-sha256", algorithm="hmac-sha256",
        created="<unix s>", expires="<unix s>", headers="(created) (expires) digest", signature="<base64>"

What is signed (lines joined by ``\\n``)::

    (created): <created>
    (expires): <expires>
    digest: SHA-256=<base64 SHA-256 of canonical JSON {"header": …, "message": …}>

Canonical JSON: keys sorted, no spaces (``separators=(",", ":")``), UTF-8 (``ensure_ascii=False``).
The key is the client's own secret, shared at registration (the DCI profile allows ed25519 too;
this registry uses the shared key both ways so callbacks are verified with the same secret).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from typing import Any

__all__ = ["ALGORITHM", "SignatureProblem", "canonical", "sign", "verify"]

ALGORITHM = "hmac-sha256"
KEY_ID = "1"
MAX_VALIDITY_S = 3600  # a signature may be valid for at most an hour
CLOCK_SKEW_S = 300
_PARAM = re.compile(r'([A-Za-z]+)="([^"]*)"')


class SignatureProblem(ValueError):
    """Why a signature was refused; ``code`` is the DCI error code (err.signature.*)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Parsed:
    sender_id: str
    created: int
    expires: int
    signature: bytes


def canonical(header: Any, message: Any) -> bytes:
    return json.dumps(
        {"header": header, "message": message}, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()


def _signing_string(created: int, expires: int, header: Any, message: Any) -> bytes:
    digest = base64.b64encode(hashlib.sha256(canonical(header, message)).digest()).decode()
    return f"(created): {created}\n(expires): {expires}\ndigest: SHA-256={digest}".encode()


def sign(secret: str, *, sender_id: str, header: Any, message: Any, now_s: int, ttl_s: int = 600) -> str:
    created, expires = now_s, now_s + ttl_s
    mac = hmac.new(secret.encode(), _signing_string(created, expires, header, message), hashlib.sha256)
    return (
        f'Signature: namespace="dci", kidId="{sender_id}|{KEY_ID}|{ALGORITHM}", algorithm="{ALGORITHM}", '
        f'created="{created}", expires="{expires}", headers="(created) (expires) digest", '
        f'signature="{base64.b64encode(mac.digest()).decode()}"'
    )


def parse(signature: str | None) -> Parsed:
    if not signature:
        raise SignatureProblem("err.signature.missing", "the message has no signature")
    params = dict(_PARAM.findall(signature))
    try:
        sender_id, _key_id, algorithm = params["kidId"].split("|")
        created, expires = int(params["created"]), int(params["expires"])
        raw = base64.b64decode(params["signature"], validate=True)
    except (KeyError, ValueError) as exc:
        raise SignatureProblem(
            "err.signature.invalid",
            'a signature has kidId="<sender>|<key>|hmac-sha256", created, expires and signature',
        ) from exc
    if algorithm != ALGORITHM or params.get("algorithm", ALGORITHM) != ALGORITHM:
        raise SignatureProblem("err.signature.invalid", f"only algorithm {ALGORITHM} is accepted")
    return Parsed(sender_id=sender_id, created=created, expires=expires, signature=raw)


def verify(secret: str, signature: str | None, *, header: Any, message: Any, now_s: int) -> str:
    """The sender id the signature names, when it is valid now for this header and message;
    else :class:`SignatureProblem`."""
    parsed = parse(signature)
    if not (parsed.created - CLOCK_SKEW_S <= now_s <= parsed.expires + CLOCK_SKEW_S):
        raise SignatureProblem("err.signature.invalid", "the signature has expired or is not valid yet")
    if parsed.expires - parsed.created > MAX_VALIDITY_S:
        raise SignatureProblem(
            "err.signature.invalid", f"a signature may be valid for {MAX_VALIDITY_S} s at most"
        )
    expected = hmac.new(
        secret.encode(), _signing_string(parsed.created, parsed.expires, header, message), hashlib.sha256
    ).digest()
    if not hmac.compare_digest(expected, parsed.signature):
        raise SignatureProblem("err.signature.invalid", "the signature does not match the header and message")
    return parsed.sender_id


def sender_of(signature: str | None) -> str:
    """The sender id a signature claims (before the key to check it is known)."""
    return parse(signature).sender_id
