"""Development key pair and tokens (never used in production, where a JWKS URL is configured)."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from shared.settings import DEV_KEY_DIR

__all__ = ["ensure_dev_keys", "generate_key_pair", "issue_token"]


def generate_key_pair() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


def ensure_dev_keys(directory: Path = DEV_KEY_DIR) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    private_path, public_path = directory / "jwt_private.pem", directory / "jwt_public.pem"
    if not private_path.exists() or not public_path.exists():
        private, public = generate_key_pair()
        private_path.write_text(private)
        private_path.chmod(0o600)
        public_path.write_text(public)
    return private_path, public_path


def issue_token(
    *,
    sub: str,
    roles: list[str],
    area: str,
    name: str | None = None,
    ttl_s: int = 8 * 3600,
    private_key_pem: str | None = None,
    issuer: str = "jingzhun",
    audience: str = "jingzhun",
) -> str:
    if private_key_pem is None:
        private_key_pem = ensure_dev_keys()[0].read_text()
    now = int(time.time())
    claims: dict[str, object] = {
        "sub": sub,
        "roles": roles,
        "area": area,
        "iss": issuer,
        "aud": audience,
        "iat": now,
        "exp": now + ttl_s,
        "jti": uuid.uuid4().hex,
    }
    if name:
        claims["name"] = name
    return jwt.encode(claims, private_key_pem, algorithm="RS256")
