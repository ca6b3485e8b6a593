"""Tokens: the dev CLI, RS256 pinned, required claims, and JWKS verification as in production."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from typer.testing import CliRunner

from deploy.cli import app as cli
from shared.auth import TokenVerifier
from shared.devtokens import generate_key_pair
from shared.errors import Unauthorized
from shared.settings import ServiceSettings
from tests.support import TEST_PRIVATE_KEY, TEST_PUBLIC_KEY


def test_cli_prints_a_token_the_services_accept(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(cli, ["token", "--role", "registrar", "--role", "cadre", "--area", "440783"])
    assert result.exit_code == 0, result.output
    claims = jwt.decode(result.output.strip(), options={"verify_signature": False})
    assert claims["roles"] == ["registrar", "cadre"]
    assert claims["area"] == "440783000000"
    assert claims["iss"] == "jingzhun"
    assert claims["exp"] - claims["iat"] == 8 * 3600
    bad = CliRunner().invoke(cli, ["token", "--role", "x", "--area", "12345"])
    assert bad.exit_code != 0


def _claims(**over: object) -> dict[str, object]:
    now = int(time.time())
    base: dict[str, object] = {
        "sub": "u", "roles": ["cadre"], "area": "440783101201", "iss": "jingzhun", "aud": "jingzhun",
        "iat": now, "exp": now + 60,
    }
    base.update(over)
    return {k: v for k, v in base.items() if v is not None}


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("claims", "algorithm", "why"),
    [
        (_claims(aud="someone-else"), "RS256", "audience"),
        (_claims(iss="evil"), "RS256", "issuer"),
        (_claims(sub=None), "RS256", "sub"),
        (_claims(area="123"), "RS256", "area"),
        (_claims(), "HS256", "alg"),
    ],
)
async def test_tokens_that_must_be_refused(claims: dict[str, object], algorithm: str, why: str) -> None:
    verifier = TokenVerifier(ServiceSettings(jwt_public_key_pem=TEST_PUBLIC_KEY))
    key = TEST_PRIVATE_KEY if algorithm == "RS256" else "a-shared-secret-of-at-least-32-bytes!!"
    with pytest.raises(Unauthorized):
        await verifier.verify(jwt.encode(claims, key, algorithm=algorithm))


@pytest.fixture
def jwks_server() -> Iterator[tuple[str, str]]:
    """A stand-in for the province's identity provider: it only serves its public keys."""
    private, public = generate_key_pair()
    rsa = jwt.algorithms.RSAAlgorithm(jwt.algorithms.RSAAlgorithm.SHA256)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(rsa.prepare_key(public)))
    jwk.update({"kid": "k1", "use": "sig", "alg": "RS256"})
    body = json.dumps({"keys": [jwk]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/jwks.json", private
    server.shutdown()
    server.server_close()


@pytest.mark.asyncio
async def test_jwks_verification(jwks_server: tuple[str, str]) -> None:
    url, private = jwks_server
    verifier = TokenVerifier(ServiceSettings(jwt_jwks_url=url))
    token = jwt.encode(_claims(roles=["inspector"]), private, algorithm="RS256", headers={"kid": "k1"})
    principal = await verifier.verify(token)
    assert principal.roles == frozenset({"inspector"})
    assert principal.area_prefix == "440783101201"
    stranger = jwt.encode(_claims(), TEST_PRIVATE_KEY, algorithm="RS256", headers={"kid": "k1"})
    with pytest.raises(Unauthorized):
        await verifier.verify(stranger)


@pytest.mark.asyncio
async def test_a_token_verified_once_is_still_refused_once_it_has_expired() -> None:
    """Verified tokens are remembered (one RS256 check per token, not per request), never past exp."""
    verifier = TokenVerifier(ServiceSettings(jwt_public_key_pem=TEST_PUBLIC_KEY))
    token = jwt.encode(_claims(exp=int(time.time()) + 2), TEST_PRIVATE_KEY, algorithm="RS256")
    first = await verifier.verify(token)
    assert await verifier.verify(token) is first  # the second request costs no signature check
    time.sleep(2.2)
    with pytest.raises(Unauthorized) as refused:
        await verifier.verify(token)
    assert refused.value.detail_zh == "登录已过期，请重新登录"
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(Unauthorized):  # a different string is never taken from the cache
        await verifier.verify(forged)
