"""An area's roll-up is serialised from the rules' summary without the model: the bytes must stay
exactly what the documented model (``RollupOut``) serialises, suppressed cells included."""

from __future__ import annotations

import json

import pytest
from pydantic import TypeAdapter

from services.registry.rollups.rules import Count, Rollup
from services.registry.rollups.schemas import RollupOut, rollup_json
from services.registry.rollups.service import suppress_rollup

ROLLUP = TypeAdapter(RollupOut)


def _rollup() -> Rollup:
    return Rollup(
        area_code="440783000000",
        area_name="开平市",
        level="county",
        pyramid_level="file",
        by_status={"registered": Count(120, 410), "exited": Count(3, 9)},
        by_cause={"illness": Count(80, 260), "schooling": Count(2, 7)},
        by_batch={},
        entries_by_year={"2016": Count(100, 350), "2018": Count(23, 69)},
        exits_by_year={"2018": Count(3, 9)},
        poor_households=120,
        poor_persons=410,
        rural_population=None,
        incidence_bp=None,
        exit_incidence_threshold_bp=200,
        meets_exit_incidence=None,
        exited_villages_by_year={"2018": 2},
    )


ROLLUPS = [_rollup(), suppress_rollup(_rollup(), 5)]  # as an internal role reads it, as an outside one


@pytest.mark.parametrize("rollup", ROLLUPS)
def test_a_rollup_is_byte_for_byte_what_the_model_serialises(rollup: Rollup) -> None:
    assert rollup_json(rollup) == ROLLUP.dump_json(RollupOut.model_validate(rollup, from_attributes=True))


def test_an_outside_reader_gets_small_cells_left_out_and_listed() -> None:
    outside = json.loads(rollup_json(ROLLUPS[1]))
    assert outside["exact"] is False
    assert outside["by_status"]["exited"] == {"households": None, "persons": None}
    reasons = {cell["path"]: cell["reason"] for cell in outside["suppressed"]}
    assert reasons["by_status.exited"] == "primary"


def test_each_code_the_rollup_shows_is_told_in_chinese() -> None:
    labels = json.loads(rollup_json(ROLLUPS[0]))["labels"]
    assert labels == {
        "county": "县",
        "file": "县有档",
        "registered": "已建档立卡",
        "exited": "已脱贫退出",
        "illness": "因病",
        "schooling": "因学",
    }
