"""Every operation of every service refuses a caller without a valid token, and writes nothing.

The operations come from each service's own OpenAPI document, so a route added tomorrow is swept
too. Only the operations in PUBLIC answer without a token (a village notice board, the health
checks); adding a public route means adding it here, on purpose.
"""

from __future__ import annotations

import importlib
import re
import time
import uuid
from typing import Any

import jwt
import pytest
from sqlalchemy import func, select

from shared.devtokens import generate_key_pair
from shared.tables import audit_log, outbox
from tests.support import TEST_PRIVATE_KEY, TEST_PUBLIC_KEY, service_client, settings_for

SERVICES = ("registry", "funds", "pairing", "inspection")
PUBLIC = {
    ("funds", "GET", "/funds/v1/public/disclosures"),
    ("funds", "GET", "/funds/v1/public/disclosures/{notice_id}"),
    ("registry", "GET", "/registry/v1/public/notices"),
    ("registry", "GET", "/registry/v1/public/rollups/{area_code}"),  # small cells suppressed
    *((s, "GET", f"/{s}/v1/vocabulary") for s in SERVICES),  # code lists and their Chinese labels
    *((s, "GET", path) for s in SERVICES for path in ("/health/live", "/health/ready")),
}
AREA = "440783000000"


def _claims(**over: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {
        "iss": "jingzhun",
        "aud": "jingzhun",
        "sub": "intruder",
        "iat": now,
        "exp": now + 600,
        "roles": ["admin"],
        "area": "440000000000",
    }
    return base | over


_OTHER_PRIVATE, _ = generate_key_pair()
FORGED = {
    "no token": None,
    "not a JWT": "Bearer not-a-token",
    "alg none": "Bearer " + jwt.encode(_claims(), None, algorithm="none"),
    "HS256 keyed with the public key": "Bearer "
    + jwt.encode(_claims(), TEST_PUBLIC_KEY.encode()[:64].hex(), algorithm="HS256"),
    "signed by another key": "Bearer " + jwt.encode(_claims(), _OTHER_PRIVATE, algorithm="RS256"),
    "expired": "Bearer "
    + jwt.encode(
        _claims(iat=int(time.time()) - 7200, exp=int(time.time()) - 3600), TEST_PRIVATE_KEY, algorithm="RS256"
    ),
    "wrong audience": "Bearer "
    + jwt.encode(_claims(aud="other-system"), TEST_PRIVATE_KEY, algorithm="RS256"),
}


def _value(name: str, schema: dict[str, Any]) -> str:
    if schema.get("format") == "uuid" or name.endswith("_id") or name == "id":
        return str(uuid.uuid4())
    if "area" in name or name.endswith("code") and "account" not in name:
        return AREA
    if schema.get("type") == "integer" or name in ("year", "quarter", "seq"):
        return "1" if name == "quarter" else "2017"
    if "date" in name or name.endswith("_on") or name == "valid_from":
        return "2017-01-01"
    return "x1"


def operations(service: str, spec: dict[str, Any]) -> list[tuple[str, str, str]]:
    ops = []
    for path, items in spec["paths"].items():
        for method, op in items.items():
            params = {p["name"]: p.get("schema", {}) for p in op.get("parameters", []) if p["in"] == "path"}
            url = re.sub(r"\{(\w+)\}", lambda m, p=params: _value(m.group(1), p.get(m.group(1), {})), path)
            ops.append((method.upper(), path, url))
    return ops


@pytest.mark.asyncio
@pytest.mark.parametrize("service", SERVICES)
async def test_no_operation_answers_a_caller_without_a_valid_token(make_db, service: str) -> None:  # type: ignore[no-untyped-def]
    module = importlib.import_module(f"services.{service}.app")
    app = module.create_app(settings_for(module.settings_class, make_db(service)))
    async with service_client(app) as c:
        before = await _written(app)
        spec = (await c.get(f"/{service}/v1/openapi.json")).json()
        ops = operations(service, spec)
        assert len(ops) >= 15
        wrong: list[str] = []
        swept = 0
        for method, path, url in ops:
            if (service, method, path) in PUBLIC:
                continue
            for why, header in FORGED.items():
                headers = {"Idempotency-Key": str(uuid.uuid4()), "If-Match": '"1"'}
                if header:
                    headers["Authorization"] = header
                body = {} if method in ("POST", "PUT", "PATCH") else None
                r = await c.request(method, url, json=body, headers=headers)
                swept += 1
                if r.status_code != 401 or not r.headers["content-type"].startswith(
                    "application/problem+json"
                ):
                    wrong.append(f"{method} {url} [{why}] -> {r.status_code} {r.text[:120]}")
                elif r.headers.get("WWW-Authenticate", "").split(" ")[0] != "Bearer":
                    wrong.append(f"{method} {url} [{why}] -> 401 without WWW-Authenticate: Bearer")
        assert not wrong, "\n".join(wrong[:20])
        assert swept >= len(ops)  # every operation was tried at least once
        assert await _written(app) == before  # not a row of audit or events: nothing was changed


async def _written(app: Any) -> list[int]:
    async with app.state.db.transaction() as s:
        return [
            (await s.execute(select(func.count()).select_from(t))).scalar_one() for t in (audit_log, outbox)
        ]
