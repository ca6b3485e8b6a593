"""A list filter with a status that does not exist answers 422 naming the statuses in Chinese,
not an empty list that looks like "nothing to do"."""

from __future__ import annotations

from typing import get_args

import pytest

from services.inspection.vocabulary import (
    COMPLAINT_STATUSES,
    FINDING_STATUSES,
    SIGNOFF_KINDS,
    ComplaintStatus,
    FindingStatus,
    SignoffKind,
)
from tests.inspection.integration.helpers import app_for, finding_row
from tests.support import auth, service_client

COUNTY = "620521000000"
HANDLER = auth("complaint_handler", COUNTY, sub="handler-wu")
INSPECTOR = auth("inspector", COUNTY, sub="inspector-zhao")


def test_the_filters_take_exactly_the_statuses_the_service_has() -> None:
    assert list(get_args(ComplaintStatus)) == list(COMPLAINT_STATUSES)
    assert list(get_args(FindingStatus)) == list(FINDING_STATUSES)
    assert list(get_args(SignoffKind)) == list(SIGNOFF_KINDS)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("path", "who", "good", "words"),
    [
        ("/inspection/v1/complaints", HANDLER, "resolved", "已受理、已分级、已交办、已办结、不予受理"),
        ("/inspection/v1/findings", INSPECTOR, "verified", "待整改、已报整改、已验收销号"),
        ("/inspection/v1/signoffs", INSPECTOR, "withdrawn", "签字中（open）、已核验通过（verified）"),
    ],
)
async def test_an_unknown_status_filter_is_refused_in_chinese(make_db, path, who, good, words) -> None:  # type: ignore[no-untyped-def]
    async with service_client(app_for(make_db)) as c:
        r = await c.get(path, params={"status": "closed"}, headers=who)
        assert r.status_code == 422, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert words in r.text, r.text
        ok = await c.get(path, params={"status": good}, headers=who)
        assert ok.status_code == 200, ok.text
        assert ok.json()["items"] == []


@pytest.mark.asyncio
async def test_a_status_filter_takes_the_chinese_label_the_screen_shows(make_db) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from shared.clock import clock
    from tests.inspection.integration.test_complaints import complaint

    app = app_for(make_db)
    today = clock.today()
    async with service_client(app) as c:
        async with app.state.db.transaction() as s:
            for title, status in (("still open", "open"), ("closed off", "verified")):
                s.add(finding_row(today - timedelta(days=30), today + timedelta(days=5), status, title=title))
        taken = await c.post("/inspection/v1/complaints", json=complaint(), headers=HANDLER)
        assert taken.status_code == 201, taken.text

        async def titles(path: str, who: dict[str, str], status: str, key: str) -> list[str]:
            r = await c.get(path, params={"status": status}, headers=who)
            assert r.status_code == 200, r.text
            return [x[key] for x in r.json()["items"]]

        findings = "/inspection/v1/findings"
        for status, want in (("verified", ["closed off"]), ("open", ["still open"])):
            label = FINDING_STATUSES[status]
            assert await titles(findings, INSPECTOR, label, "title") == want
            assert await titles(findings, INSPECTOR, f" {label} ", "title") == want
            assert await titles(findings, INSPECTOR, status, "title") == want
        complaints = "/inspection/v1/complaints"
        received = await titles(complaints, HANDLER, "received", "status")
        assert received == ["received"]
        assert await titles(complaints, HANDLER, "已受理", "status") == received
        assert await titles(complaints, HANDLER, "已办结", "status") == []
        for path, who, words in (
            (findings, INSPECTOR, "待整改、已报整改、已验收销号"),
            (complaints, HANDLER, "已受理、已分级、已交办、已办结、不予受理"),
        ):
            r = await c.get(path, params={"status": "已关闭"}, headers=who)
            assert r.status_code == 422, r.text
            assert words in r.json()["detail"], r.text
