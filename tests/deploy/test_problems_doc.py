"""docs/PROBLEMS.md is the catalogue the code raises, and every problem type there speaks Chinese."""

from __future__ import annotations

from shared.problems import catalogue
from tests.deploy.problems_doc import PROBLEMS_MD, render


def test_problems_doc_is_generated_from_the_catalogue() -> None:
    assert PROBLEMS_MD.read_text(encoding="utf-8") == render(), (
        "docs/PROBLEMS.md is out of date: run .venv/bin/python -m tests.deploy.problems_doc"
    )


def test_the_catalogue_has_stable_types_and_chinese_titles() -> None:
    render()  # imports every service
    problems = {p.slug: p for p in catalogue()}
    for slug in ("validation-error", "household-not-found", "person-in-another-household", "try-again"):
        assert slug in problems
    assert problems["household-not-found"].title_zh == "未找到该户"
    assert problems["validation-error"].title_zh == "提交的内容有误"
    # Each type has one status wherever it is raised (the URI means one thing).
    statuses = (400, 401, 403, 404, 405, 408, 409, 412, 413, 415, 422, 428, 429, 500, 503)
    assert all(p.status in statuses for p in problems.values())
