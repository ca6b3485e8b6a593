"""Outside development a service refuses to start with a development secret, and says which one.

``<SERVICE>_ENVIRONMENT=production`` (or ``JINGZHUN_ENV=production`` for a whole deployment)
and the default personal-data key, the development JWT key pair (``.data/keys``, or any public key
with its private half beside it) or a value holding ``CHANGE-ME``: the API (uvicorn) and the
worker exit at start-up with an error naming the variables to set.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from deploy.local.stack import free_port
from services.funds.settings import FundsSettings
from services.registry.settings import RegistrySettings
from shared.app import create_service_app
from shared.settings import DEV_KEY_DIR, REPO_ROOT, UnsafeSettingsError
from tests.support import TEST_PUBLIC_KEY

GOOD_KEY = "q5Wn0mQ3r8Zt2yVb7Lk4Hc9Xs1Jd6Fg0Pa3Ue8Ri5Ow2"
JWKS = "https://sso.example.gov.cn/realms/jingzhun/protocol/openid-connect/certs"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("REGISTRY_", "FUNDS_")) or name == "JINGZHUN_ENV":
            monkeypatch.delenv(name)


def test_development_is_the_default_and_starts_with_development_secrets() -> None:
    settings = RegistrySettings()
    assert settings.environment == "development"
    settings.check_production()  # no error: make run and make test work as before
    assert settings.production_problems()  # but they are known to be development values


def test_production_with_defaults_names_every_variable_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGISTRY_ENVIRONMENT", "production")
    with pytest.raises(UnsafeSettingsError) as refused:
        RegistrySettings().check_production()
    message = str(refused.value)
    assert "REGISTRY_ENVIRONMENT=production" in message
    assert "REGISTRY_PII_KEY is the development default" in message
    assert "REGISTRY_JWT_JWKS_URL" in message


def test_one_switch_for_the_deployment_and_placeholders_anywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JINGZHUN_ENV", "production")
    monkeypatch.setenv("FUNDS_PII_KEY", GOOD_KEY)
    monkeypatch.setenv("FUNDS_JWT_JWKS_URL", JWKS)
    monkeypatch.setenv("FUNDS_DATABASE_URL", "postgresql+asyncpg://funds_app:CHANGE-ME-pw@db:5432/jingzhun_funds")
    settings = FundsSettings()
    assert settings.environment == "production"
    assert settings.production_problems() == ["FUNDS_DATABASE_URL still holds a CHANGE-ME placeholder"]
    monkeypatch.setenv("FUNDS_PII_PREVIOUS_KEYS", '["compose-only-funds-pii-key-change-me-000000"]')
    monkeypatch.setenv("FUNDS_DATABASE_URL", "postgresql+asyncpg://funds_app:s3cret-Pw@db:5432/jingzhun_funds")
    assert FundsSettings().production_problems() == [
        "FUNDS_PII_PREVIOUS_KEYS still holds a CHANGE-ME placeholder"
    ]
    monkeypatch.delenv("FUNDS_PII_PREVIOUS_KEYS")
    FundsSettings().check_production()  # real values: starts
    monkeypatch.setenv("FUNDS_ENVIRONMENT", "development")  # the service's own setting wins
    assert FundsSettings().environment == "development"


def test_the_development_key_pair_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    base = {"environment": "production", "pii_key": GOOD_KEY}
    # A public key file with its private half beside it: what `jingzhun token` makes (compose's /keys).
    (tmp_path / "jwt_public.pem").write_text(TEST_PUBLIC_KEY)
    (tmp_path / "jwt_private.pem").write_text("private")
    problems = RegistrySettings(**base, jwt_public_key_path=tmp_path / "jwt_public.pem").production_problems()
    assert len(problems) == 1
    assert problems[0].startswith("REGISTRY_JWT_PUBLIC_KEY_PATH points at the development key pair")
    assert not RegistrySettings(
        **base, jwt_public_key_path=DEV_KEY_DIR / "jwt_public.pem", jwt_jwks_url=JWKS
    ).production_problems()
    assert RegistrySettings(**base, jwt_public_key_path=DEV_KEY_DIR / "jwt_public.pem").production_problems()
    # The identity provider's key alone (no private key anywhere near): fine.
    (tmp_path / "jwt_private.pem").unlink()
    assert not RegistrySettings(**base, jwt_public_key_path=tmp_path / "jwt_public.pem").production_problems()
    assert not RegistrySettings(**base, jwt_public_key_pem=TEST_PUBLIC_KEY).production_problems()


def test_the_app_factory_refuses(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = RegistrySettings(environment="production", jwt_jwks_url=JWKS)
    with pytest.raises(UnsafeSettingsError, match="REGISTRY_PII_KEY"):
        create_service_app(settings, title="t", routers=[])


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("REGISTRY_", "JINGZHUN_ENV"))}
    return subprocess.run(
        args, cwd=REPO_ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120
    )


def test_uvicorn_and_the_worker_exit_at_start_up_naming_the_setting() -> None:
    env = {
        "REGISTRY_ENVIRONMENT": "production",
        "REGISTRY_JWT_JWKS_URL": JWKS,
        "REGISTRY_DATABASE_URL": f"postgresql+asyncpg://registry_app@127.0.0.1:{free_port()}/x",
        "REGISTRY_NATS_URL": f"nats://127.0.0.1:{free_port()}",
    }
    api = _run([sys.executable, "-m", "uvicorn", "services.registry.app:create_app", "--factory",
                "--port", str(free_port())], env)
    # one line, as the worker says it, not a traceback
    assert api.returncode == 2
    assert api.stderr.startswith("error: refusing to start registry with REGISTRY_ENVIRONMENT=production")
    assert "REGISTRY_PII_KEY is the development default" in api.stderr
    assert "Traceback" not in api.stderr + api.stdout

    jingzhun = str(Path(sys.executable).parent / "jingzhun")
    worker = _run([jingzhun, "worker", "registry"], {**env, "REGISTRY_PII_KEY": "CHANGE-ME-registry-pii-key"})
    assert worker.returncode == 2
    assert "REGISTRY_PII_KEY still holds a CHANGE-ME placeholder" in worker.stderr + worker.stdout
