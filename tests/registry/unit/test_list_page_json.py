"""A household list page is serialised from its rows without models: the bytes must stay exactly
what the documented model (``Page[HouseholdListItem]``) serialises, labels and masking included."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from asyncpg.pgproto.pgproto import UUID as DriverUUID
from pydantic import TypeAdapter

from services.registry.households.schemas import HouseholdListItem, list_page_json
from shared.pagination import Page
from shared.pii import mask_name

PAGE = TypeAdapter(Page[HouseholdListItem])


def _row(**values: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": uuid.uuid4(),
        "household_number": "4407830010010001",
        "area_code": "440783001001",
        "status": "registered",
        "year": 2018,
        "head_name": "欧阳明辉",
        "member_count": 4,
        "poverty_causes": ["illness", "schooling"],
        "batches": ["2016"],
        "dibao": True,
    }
    return row | values


ROWS = [
    _row(),
    _row(household_number=None, status="candidate", poverty_causes=[], batches=[], dibao=False),
    # a one-character name, a code without a label
    _row(head_name="王", poverty_causes=["not-a-code"], status="exited", member_count=1),
    _row(head_name='"引号\\与\n换行"', year=2020),  # characters JSON escapes
    _row(id=DriverUUID(str(uuid.uuid4()))),  # the id as the database driver hands it over
]


def _as_model(rows: list[dict[str, Any]], cursor: str | None, full_name: bool) -> bytes:
    items = [
        HouseholdListItem(
            **{k: v for k, v in row.items() if k != "head_name"},
            head_name_masked=mask_name(row["head_name"]),
            head_name=row["head_name"] if full_name else None,
        )
        for row in rows
    ]
    return PAGE.dump_json(Page[HouseholdListItem](items=items, next_cursor=cursor))


@pytest.mark.parametrize("full_name", [True, False])
@pytest.mark.parametrize("cursor", [None, "WyI0NDA3ODMwMDEwMDEiXQ"])
def test_a_list_page_is_byte_for_byte_what_the_model_serialises(full_name: bool, cursor: str | None) -> None:
    assert list_page_json(ROWS, cursor, full_name=full_name) == _as_model(ROWS, cursor, full_name)


def test_a_list_row_shows_the_labels_and_hides_the_name_from_those_who_may_not_see_it() -> None:
    page = json.loads(list_page_json(ROWS[:1], None, full_name=False))
    item = page["items"][0]
    assert item["head_name"] is None
    assert item["head_name_masked"] == "欧***"
    assert item["status_label"] == "已建档立卡"
    assert item["poverty_cause_labels"] == ["因病", "因学"]
    assert json.loads(list_page_json([], None, full_name=True)) == {"items": [], "next_cursor": None}
