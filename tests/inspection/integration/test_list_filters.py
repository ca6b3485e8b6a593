"""A list filter with a status that does not exist answers 422 naming the statuses in Chinese,
not an empty list that looks like "nothing to do"."""

from __future__ import annotations

from typing import get_args

import pytest

from services.inspection.vocabulary import (
    COMPLAINT_STATUSES,
    FINDING_STATUSES,
    ComplaintStatus,
    FindingStatus,
)
from tests.inspection.integration.helpers import app_for
from tests.support import auth, service_client

COUNTY = "620521000000"
HANDLER = auth("complaint_handler", COUNTY, sub="handler-wu")
INSPECTOR = auth("inspector", COUNTY, sub="inspector-zhao")


def test_the_filters_take_exactly_the_statuses_the_service_has() -> None:
    assert list(get_args(ComplaintStatus)) == list(COMPLAINT_STATUSES)
    assert list(get_args(FindingStatus)) == list(FINDING_STATUSES)


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
