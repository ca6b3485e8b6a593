"""The checked-in OpenAPI documents and TypeScript client (clients/typescript) match the apps of today.

- fast: ``clients/typescript/openapi/<service>.json`` equals what each app serves (a route, a schema or a
  description changed without ``python -m deploy.openapi`` fails here);
- slow (needs npm and the npm registry): the types are generated again from the apps' current documents
  with the pinned openapi-typescript, must equal the checked-in ``src/generated/*.ts``, and ``tsc
  --noEmit`` compiles the client and ``examples/visit-upload.ts`` against them.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from deploy.openapi import OUT_DIR, render
from deploy.openapi import document as build_document
from deploy.services import SERVICE_NAMES
from shared.settings import REPO_ROOT

CLIENT = REPO_ROOT / "clients" / "typescript"
document = functools.cache(build_document)  # an app per service, built once for these tests
REGENERATE = "run `python -m deploy.openapi` and `npm run generate` in clients/typescript (README.md)"


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_checked_in_document_is_the_apps_document(service: str) -> None:
    checked_in = (OUT_DIR / f"{service}.json").read_text(encoding="utf-8")
    assert checked_in == render(document(service)), f"{service}.json is out of date: {REGENERATE}"


def test_every_operation_is_named_summarised_and_documents_its_errors() -> None:
    for service in SERVICE_NAMES:
        spec = document(service)
        for path, item in spec["paths"].items():
            for method, op in item.items():
                where = f"{service} {method.upper()} {path}"
                assert op.get("operationId"), where
                assert op.get("summary"), where
                errors = {code: r for code, r in op["responses"].items() if code[0] in "45"}
                if op.get("parameters") or op.get("requestBody"):
                    assert "422" in errors, where
                for code, response in errors.items():
                    content = response.get("content", {})
                    assert list(content) == ["application/problem+json"], (where, code)


# API texts cite the policy documents by the titles a clerk can look up (shared/policy_documents.py).
_SEED_FILE = re.compile(r".{0,60}(?:\b[Ss]eed 0\d\d|\bthe seeds\b|\bno seed\b|\bseeds?'s? words?).{0,20}")


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_descriptions_cite_policy_documents_not_the_projects_seed_files(service: str) -> None:
    cited = _SEED_FILE.findall(render(document(service)))
    assert not cited, cited


# The other generated documents an outside system reads: the event contracts and the problem types.
@pytest.mark.parametrize("generated", ["docs/asyncapi.yaml", "docs/PROBLEMS.md"])
def test_event_and_problem_documents_cite_policy_documents_not_seed_files(generated: str) -> None:
    cited = _SEED_FILE.findall((REPO_ROOT / generated).read_text(encoding="utf-8"))
    assert not cited, cited


def _npm() -> str:
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed: the TypeScript client cannot be generated or compiled here")
    return npm


def _run(*args: str, cwd: Path) -> str:
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.mark.slow
def test_generated_client_matches_the_spec_and_compiles(tmp_path: Path) -> None:
    npm = _npm()
    if not (CLIENT / "node_modules" / ".bin" / "tsc").exists():
        _run(npm, "ci", "--no-audit", "--no-fund", cwd=CLIENT)
    generator = str(CLIENT / "node_modules" / ".bin" / "openapi-typescript")
    for service in SERVICE_NAMES:
        spec = tmp_path / f"{service}.json"
        spec.write_text(render(document(service)), encoding="utf-8")
        out = tmp_path / f"{service}.ts"
        _run(generator, str(spec), "--default-non-nullable", "false", "-o", str(out), cwd=CLIENT)
        checked_in = CLIENT / "src" / "generated" / f"{service}.ts"
        assert out.read_text(encoding="utf-8") == checked_in.read_text(encoding="utf-8"), (
            f"src/generated/{service}.ts differs from the types of the current {service} document: "
            + REGENERATE
        )
    _run(
        str(CLIENT / "node_modules" / ".bin" / "tsc"),
        "--noEmit",
        "-p",
        str(CLIENT / "tsconfig.json"),
        cwd=CLIENT,
    )
