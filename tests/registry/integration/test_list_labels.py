"""A county clerk filters the household list by 致贫原因 or 一批 in the words of the form: the
Chinese label finds what the code finds, and a cause or status on no list is a 422 naming the list —
never an empty page that reads as "no such households". A batch not on the known lists is taken
as a code (an area's own policy may name its own batches)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.registry.integration.helpers import COUNTY_REGISTRAR, candidate, load_areas, registry_app
from tests.support import service_client

LIST = "/registry/v1/households"


async def _ids(c: Any, **params: str) -> set[str]:
    r = await c.get(LIST, params=params, headers=COUNTY_REGISTRAR)
    assert r.status_code == 200, r.text
    return {h["id"] for h in r.json()["items"]}


@pytest.mark.asyncio
async def test_causes_and_batches_filter_by_code_or_chinese_label(make_db) -> None:  # type: ignore[no-untyped-def]
    async with service_client(registry_app(make_db("registry"))) as c:
        await load_areas(c)
        ill = (await candidate(c, poverty_causes=["illness"], batches=["production_employment"]))["id"]
        at_school = await candidate(c, poverty_causes=["schooling", "illness"], batches=["education"])
        ill_at_school = at_school["id"]
        disabled = (await candidate(c, poverty_causes=["disability"], batches=["dibao_floor"]))["id"]
        await candidate(c, poverty_causes=["lack_of_skills"], batches=["production_employment"])

        assert len(await _ids(c)) == 4
        assert await _ids(c, cause="因病") == {ill, ill_at_school}
        assert await _ids(c, cause="illness") == {ill, ill_at_school}
        assert await _ids(c, cause=" 因残 ") == {disabled}
        assert await _ids(c, cause="因灾") == set()  # on the list, no such household: an empty page
        assert await _ids(c, batch="低保政策兜底一批") == {disabled}
        assert await _ids(c, batch="dibao_floor") == {disabled}
        assert len(await _ids(c, batch="扶持生产和就业发展一批")) == 2
        assert await _ids(c, batch="扶持生产和就业发展一批", cause="因病") == {ill}
        assert await _ids(c, status="拟识别", cause="因学", batch="发展教育脱贫一批") == {ill_at_school}


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({"cause": "因穷"}, "查询参数致贫原因应为以下之一：因病、因残、因学"),
        ({"cause": "Illness"}, "因病"),
        ({"status": "已脱贫"}, "查询参数状态应为以下之一：拟识别"),  # as status always was
    ],
)
async def test_a_value_on_no_list_is_refused_naming_the_list(make_db, query, words) -> None:  # type: ignore[no-untyped-def]
    async with service_client(registry_app(make_db("registry"))) as c:
        await load_areas(c)
        await candidate(c)
        r = await c.get(LIST, params=query, headers=COUNTY_REGISTRAR)
        assert r.status_code == 422, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        problem = r.json()
        assert problem["type"].endswith("validation-error")
        assert words in problem["detail"], problem["detail"]
        [error] = problem["errors"]
        assert error["field"] == f"query.{next(iter(query))}"
        english = await c.get(LIST, params=query, headers=COUNTY_REGISTRAR | {"Accept-Language": "en"})
        assert english.status_code == 422
        assert "Input should be" in english.json()["detail"]


def test_the_area_exit_kinds_list_has_the_kinds_the_service_has() -> None:
    from services.registry.area_exits.rules import AreaExitKind
    from services.registry.vocabulary import AREA_EXIT_KINDS

    assert list(AREA_EXIT_KINDS) == [k.value for k in AreaExitKind]


def test_the_status_filters_take_exactly_the_statuses_the_service_writes() -> None:
    from typing import get_args

    from services.registry.conflicts.rules import STATUS_AFTER
    from services.registry.vocabulary import (
        AREA_EXIT_STATUSES,
        CONFLICT_STATUSES,
        IMPORT_ROW_STATUSES,
        AreaExitStatus,
        ConflictStatus,
        ImportRowStatus,
    )

    assert list(get_args(AreaExitStatus)) == list(AREA_EXIT_STATUSES)
    assert list(get_args(ConflictStatus)) == list(CONFLICT_STATUSES) == ["open", *STATUS_AFTER.values()]
    assert list(get_args(ImportRowStatus)) == list(IMPORT_ROW_STATUSES)


def test_an_import_jobs_statuses_and_the_dispatch_levels_have_a_word_each() -> None:
    from typing import get_args

    from services.registry.areas.schemas import DispatchLevel
    from services.registry.imports.rules import STATUSES
    from services.registry.vocabulary import DISPATCH_LEVELS, IMPORT_STATUSES

    assert list(IMPORT_STATUSES) == list(STATUSES)
    assert list(DISPATCH_LEVELS) == list(get_args(DispatchLevel))
