"""A household card is serialised from its rows without models: the bytes must stay exactly what
the documented model (``HouseholdOut``) serialises, labels included."""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

import pytest
from asyncpg.pgproto.pgproto import UUID as DriverUUID
from pydantic import TypeAdapter

from services.registry.households.schemas import HouseholdOut, card_json

CARD = TypeAdapter(HouseholdOut)


def _household(**values: Any) -> dict[str, Any]:
    """The household's row as the card statement reads it (every column, asyncpg's values)."""
    row: dict[str, Any] = {
        "id": DriverUUID(str(uuid.uuid4())),  # the id as the database driver hands it over
        "household_number": "4407830010010001",
        "area_code": "440783001001",
        "status": "registered",
        "year": 2018,
        "head_name": "欧阳明辉",
        "member_count": 2,
        "poverty_causes": ["illness", "schooling"],
        "batches": ["2016"],
        "labour_willing": True,
        "dibao": True,
        "five_guarantee": False,
        "basic_needs": {"food": True, "clothing": False},
        "income_channels": ["wages"],
        "plan": "养鸡",
        "review_result": None,
        "review_held_on": date(2018, 5, 2),
        "notice_starts_on": None,
        "confirmed_on": date(2018, 6, 1),
        "confirmation_signature": {"member_id": str(uuid.uuid4()), "name_masked": "欧***"},
        "registered_on": date(2018, 6, 30),
        "exited_on": None,
        "exit_notice_until": None,
        "policies_kept_until": None,
        "closed_reason": None,
        "version": 7,
        "created_at": "not on the card",  # columns the card does not show are left out
    }
    return row | values


def _member(**values: Any) -> dict[str, Any]:
    """A member as the card statement's JSON array holds it (text for ids and dates)."""
    member = {
        "id": str(uuid.uuid4()),
        "name": "欧阳明辉",
        "resident_id_masked": "440783********0011",
        "birth_date": "1960-02-29",
        "sex": "male",
        "relation": "head",
        "schooling": None,
        "health": "chronic",
        "disability": None,
        "labour_capacity": "full",
        "in_school": False,
        "migrant_work": True,
    }
    return member | values


MEMBERS = [
    _member(),
    # a code without a label; characters JSON escapes
    _member(name='"引号\\与\n换行"', relation="not-a-code", sex="female", labour_capacity="none"),
]
INCOMES = [{"year": 2017, "per_capita_income_fen": 250_000, "version": 1}]
DEBTS = [
    {"id": str(uuid.uuid4()), "cause": "illness", "amount_fen": 3_000_000, "settled": False,
     "recorded_on": "2018-01-15"}
]
CARDS = [
    (_household(), MEMBERS, INCOMES, DEBTS),
    (
        _household(household_number=None, status="candidate", poverty_causes=["not-a-code"], batches=[],
                   labour_willing=None, basic_needs={}, confirmation_signature=None, plan=None),
        MEMBERS[:1],
        [],
        [],
    ),
]


def _as_model(household: dict[str, Any], members: Any, incomes: Any, debts: Any) -> bytes:
    own = {k: household[k] for k in HouseholdOut.model_fields if k not in ("members", "incomes", "debts")}
    return CARD.dump_json(HouseholdOut(**own, members=members, incomes=incomes, debts=debts))


@pytest.mark.parametrize("card", CARDS)
def test_a_card_is_byte_for_byte_what_the_model_serialises(card: tuple[Any, ...]) -> None:
    assert card_json(*card) == _as_model(*card)


def test_a_card_shows_the_labels_of_its_codes() -> None:
    card = json.loads(card_json(*CARDS[0]))
    assert card["status_label"] == "已建档立卡"
    assert card["poverty_cause_labels"] == ["因病", "因学"]
    assert card["members"][0]["relation_label"] == "户主"
    assert card["members"][1]["relation_label"] == "not-a-code"  # no label: the code itself
    assert "created_at" not in card
