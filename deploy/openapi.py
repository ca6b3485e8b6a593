"""Write the four services' OpenAPI documents to files, for client generators (clients/typescript).

    python -m deploy.openapi                      # writes clients/typescript/openapi/<service>.json
    python -m deploy.openapi --out DIR            # somewhere else
    python -m deploy.openapi --check              # exit 1 when the files differ from the apps' documents

The documents are the ones the apps serve at ``/<service>/v1/openapi.json``, built without a database
or a bus (nothing is started), written with sorted keys so a diff shows only what changed.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path
from typing import Any

from deploy.services import SERVICE_NAMES
from shared.settings import REPO_ROOT

OUT_DIR = REPO_ROOT / "clients" / "typescript" / "openapi"


def document(service: str) -> dict[str, Any]:
    """The OpenAPI document ``service``'s app serves (its app is built, never started)."""
    module = importlib.import_module(f"services.{service}.app")
    # Settings that need no environment: the document does not depend on any of them.
    settings = module.settings_class(
        database_url="postgresql+asyncpg://unused/unused", log_json=False, environment="development"
    )
    spec: dict[str, Any] = module.create_app(settings).openapi()
    return spec


def render(spec: dict[str, Any]) -> str:
    return json.dumps(spec, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.openapi", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="directory for <service>.json")
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    stale = []
    for service in SERVICE_NAMES:
        path = args.out / f"{service}.json"
        text = render(document(service))
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(str(path))
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
    if stale:
        print("out of date (run python -m deploy.openapi):", *stale, sep="\n  ", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
