"""Generate docs/PROBLEMS.md, the catalogue of problem types, from shared/problems.py catalogue().

    .venv/bin/python -m tests.deploy.problems_doc          # rewrite docs/PROBLEMS.md
    .venv/bin/python -m tests.deploy.problems_doc --check  # exit 1 if it is out of date

The catalogue is what the code raises: every DomainError subclass of the four services and
shared/ (their titles, Chinese titles and hints) plus the platform's own problems. A new error
class shows up here on the next run; tests/deploy/test_problems_doc.py fails until it does.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from shared.errors import PROBLEM_BASE
from shared.problems import catalogue, render_markdown

ROOT = Path(__file__).resolve().parents[2]
PROBLEMS_MD = ROOT / "docs" / "PROBLEMS.md"
SERVICES = ("registry", "funds", "pairing", "inspection")


def render() -> str:
    for service in SERVICES:  # importing an app imports every module that defines an error
        importlib.import_module(f"services.{service}.app")
    return render_markdown(catalogue(), PROBLEM_BASE)


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        current = PROBLEMS_MD.read_text(encoding="utf-8") if PROBLEMS_MD.exists() else ""
        if current != text:
            print("docs/PROBLEMS.md is out of date: run python -m tests.deploy.problems_doc")
            return 1
        return 0
    PROBLEMS_MD.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
