"""An operator's typo in a setting ends a `jingzhun` command with one line naming the variable.

No stack trace, no pydantic field name the operator never set, and never the value (it may be a secret).
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from deploy.cli import app as cli


def run(args: list[str], env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(cli, args)
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes is not None else "")


@pytest.mark.parametrize(
    ("args", "env", "said"),
    [
        (["worker", "registry", "--port", "0"], {"REGISTRY_DB_POOL_SIZE": "ten"},
         "error: registry: invalid settings: REGISTRY_DB_POOL_SIZE: Input should be a valid integer"),
        (["migrate", "funds"], {"JINGZHUN_ENV": "prod"},
         "error: funds: invalid settings: JINGZHUN_ENV: Input should be 'development' or 'production'"),
        (["prune", "pairing"], {"PAIRING_PII_PREVIOUS_KEYS": "[s3cret-old-key"},
         "error: pairing: invalid settings: PAIRING_PII_PREVIOUS_KEYS: not valid JSON"),
        (["audit", "verify", "inspection"], {"INSPECTION_CONSUMER_MAX_ATTEMPTS": "0"},
         "INSPECTION_CONSUMER_MAX_ATTEMPTS: Input should be greater than or equal to 1"),
        (["worker", "funds", "--port", "0"], {"FUNDS_TIME_ZONE": "Asia/Shangai"},
         "funds: invalid settings: FUNDS_TIME_ZONE: Value error, 'Asia/Shangai' is not an IANA time zone"),
    ],
)
def test_a_bad_setting_names_its_variable_not_a_stack_trace(
    args: list[str], env: dict[str, str], said: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, output = run(args, env, monkeypatch)
    assert code == 2, output
    assert said in output
    assert "Traceback" not in output
    assert "s3cret" not in output


@pytest.mark.parametrize(
    "args",
    [
        ["audit", "verify", "registry"],
        ["prune", "funds", "--database-url", "postgresql+asyncpg://ops:s3cret-pw@127.0.0.1:1/jingzhun_funds"],
        ["migrate", "pairing", "--database-url", "postgresql+asyncpg://ops:s3cret-pw@127.0.0.1:1/jingzhun_pairing"],
    ],
)
def test_a_database_that_cannot_be_reached_is_one_line_not_a_stack_trace(args: list[str]) -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "REGISTRY_DATABASE_URL": "postgresql+asyncpg://ops:s3cret-pw@127.0.0.1:1/jingzhun_registry"}
    env.pop("DATABASE_URL", None)
    out = subprocess.run(
        [sys.executable, "-m", "deploy.cli", *args],
        capture_output=True, text=True, env=env, timeout=120, cwd=Path(__file__).resolve().parents[2],
    )
    assert out.returncode == 2, out.stderr[-2000:]
    assert out.stderr.startswith("error: cannot connect: ConnectionRefusedError"), out.stderr[-2000:]
    assert "('127.0.0.1', 1)" in out.stderr
    assert "<SERVICE>_DATABASE_URL or --database-url" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    assert "s3cret" not in out.stderr


@pytest.mark.parametrize(
    ("env", "said"),
    [
        ({"REGISTRY_DB_POOL_SIZE": "ten"},
         "error: registry: invalid settings: REGISTRY_DB_POOL_SIZE: Input should be a valid integer"),
        ({"REGISTRY_PII_PREVIOUS_KEYS": "[s3cret-old-key"},
         "error: registry: invalid settings: REGISTRY_PII_PREVIOUS_KEYS: not valid JSON"),
    ],
)
def test_under_uvicorn_a_bad_setting_is_the_same_one_line(env: dict[str, str], said: str) -> None:
    """The manifests start the API as `uvicorn services.<svc>.app:create_app --factory`: the factory
    says what `jingzhun` says, exits 2, and never starts serving."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    out = subprocess.run(
        [sys.executable, "-m", "uvicorn", "services.registry.app:create_app", "--factory",
         "--host", "127.0.0.1", "--port", "0"],
        capture_output=True, text=True, env={**os.environ, **env}, timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert out.returncode == 2, out.stderr[-2000:]
    assert said in out.stderr
    assert "Traceback" not in out.stderr
    assert "s3cret" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1  # one line, nothing after it
