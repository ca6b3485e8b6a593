"""CORS per deployment: the origins a service lets browsers call it from (``<SERVICE>_CORS_ORIGINS``)."""

from __future__ import annotations

import pytest

from services.pairing.app import create_app
from services.pairing.settings import PairingSettings
from tests.support import auth, service_client, settings_for

FRONTEND = "https://fupin.example.gov.cn"
STRANGER = "https://evil.example.com"
VISITS = "/pairing/v1/sync/batches"
HELPERS = "/pairing/v1/helpers"
PREFLIGHT = {
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
}


@pytest.mark.asyncio
async def test_preflight_from_an_allowed_origin_is_answered_and_a_stranger_is_not(make_db) -> None:  # type: ignore[no-untyped-def]
    settings = settings_for(PairingSettings, make_db("pairing"), cors_origins=[FRONTEND])
    async with service_client(create_app(settings)) as c:
        ok = await c.options(VISITS, headers={"Origin": FRONTEND, **PREFLIGHT})
        assert ok.status_code == 200
        assert ok.headers["access-control-allow-origin"] == FRONTEND
        allowed = {h.strip().lower() for h in ok.headers["access-control-allow-headers"].split(",")}
        assert {"authorization", "content-type", "idempotency-key", "if-match"} <= allowed
        assert "POST" in ok.headers["access-control-allow-methods"]
        assert "access-control-allow-credentials" not in ok.headers  # bearer tokens, no cookies
        assert ok.headers["x-request-id"]

        refused = await c.options(VISITS, headers={"Origin": STRANGER, **PREFLIGHT})
        assert refused.status_code == 400
        assert "access-control-allow-origin" not in refused.headers

        # The real request from the frontend: the browser may read the answer and its request id,
        # an error included (no token here: 401).
        r = await c.get(HELPERS, headers={"Origin": FRONTEND})
        assert r.status_code == 401
        assert r.headers["access-control-allow-origin"] == FRONTEND
        assert "x-request-id" in r.headers["access-control-expose-headers"].lower()
        r = await c.get(HELPERS, headers={"Origin": FRONTEND, **auth("admin", "440000000000")})
        assert r.status_code == 200
        assert r.headers["access-control-allow-origin"] == FRONTEND
        r = await c.get(HELPERS, headers={"Origin": STRANGER, **auth("admin", "440000000000")})
        assert "access-control-allow-origin" not in r.headers


@pytest.mark.asyncio
async def test_a_page_of_an_allowed_origin_may_send_a_gzipped_batch(make_db) -> None:  # type: ignore[no-untyped-def]
    """The services take gzip uploads (Content-Encoding: gzip): a browser asks before it sends one."""
    settings = settings_for(PairingSettings, make_db("pairing"), cors_origins=[FRONTEND])
    gzipped = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-encoding, content-type, idempotency-key",
    }
    async with service_client(create_app(settings)) as c:
        ok = await c.options(VISITS, headers={"Origin": FRONTEND, **gzipped})
        assert ok.status_code == 200, ok.text
        assert ok.headers["access-control-allow-origin"] == FRONTEND
        allowed = {h.strip().lower() for h in ok.headers["access-control-allow-headers"].split(",")}
        assert "content-encoding" in allowed


@pytest.mark.asyncio
async def test_no_origins_by_default_means_no_cors_headers(make_db) -> None:  # type: ignore[no-untyped-def]
    settings = settings_for(PairingSettings, make_db("pairing"))
    assert settings.cors_origins == []
    async with service_client(create_app(settings)) as c:
        r = await c.options(VISITS, headers={"Origin": FRONTEND, **PREFLIGHT})
        assert not any(h.startswith("access-control-") for h in r.headers)
        r = await c.get(HELPERS, headers={"Origin": FRONTEND, **auth("admin", "440000000000")})
        assert r.status_code == 200
        assert not any(h.startswith("access-control-") for h in r.headers)


def test_origins_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAIRING_CORS_ORIGINS", f"{FRONTEND}/, https://m.fupin.example.gov.cn")
    assert PairingSettings().cors_origins == [FRONTEND, "https://m.fupin.example.gov.cn"]
    monkeypatch.setenv("PAIRING_CORS_ORIGINS", f'["{FRONTEND}"]')
    assert PairingSettings().cors_origins == [FRONTEND]
    monkeypatch.setenv("PAIRING_CORS_ORIGINS", "")
    assert PairingSettings().cors_origins == []
