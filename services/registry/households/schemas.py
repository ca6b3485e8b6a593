from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, ClassVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    field_validator,
    model_validator,
)
from pydantic_core import to_json

from services.registry.vocabulary import (
    CODE_LABELS,
    BasicNeed,
    DebtCause,
    JoinReason,
    LabourCapacity,
    LeaveReason,
    MoveReason,
    PovertyCause,
    Relation,
    Sex,
    batch_code,
)
from shared.fields import AREA_CODE_PATTERN, RESIDENT_ID_PATTERN, Fen, LateEntryReason, PositiveFen, StrictInt
from shared.labels import refusal
from shared.pii import mask_name
from shared.vocabulary import label_field, labels_field

# Every code list accepts its Chinese label too ("因病" for illness, "户主" for head): see
# GET /registry/v1/vocabulary. Answers carry the code and, in *_label(s), the Chinese.


class MemberIn(BaseModel):
    name: str = Field(min_length=1, max_length=50)
    resident_id: str = Field(min_length=18, max_length=18, pattern=RESIDENT_ID_PATTERN)
    birth_date: date | None = None  # if given, must agree with the ID
    sex: Sex | None = None  # if given, must agree with the ID
    relation: Relation
    schooling: str | None = Field(default=None, max_length=30)
    health: str | None = Field(default=None, max_length=30)
    disability: str | None = Field(default=None, max_length=30)
    labour_capacity: LabourCapacity
    in_school: StrictBool = False
    migrant_work: StrictBool = False


class HouseholdAttributes(BaseModel):
    poverty_causes: list[PovertyCause] | None = None
    batches: list[str] | None = None
    labour_willing: StrictBool | None = None
    dibao: StrictBool | None = None
    five_guarantee: StrictBool | None = None
    basic_needs: dict[BasicNeed, bool] | None = None
    income_channels: list[str] | None = None
    plan: str | None = Field(default=None, max_length=4000)

    @field_validator("batches")
    @classmethod
    def batches_as_codes(cls, batches: list[str] | None) -> list[str] | None:
        return None if batches is None else [batch_code(b) for b in batches]


class HouseholdIn(HouseholdAttributes):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "area_code": "440783105201",
                    "year": 2017,
                    "members": [
                        {
                            "name": "王大明",
                            "resident_id": "440783196803120136",
                            "relation": "head",
                            "labour_capacity": "full",
                        },
                        {
                            "name": "李小红",
                            "resident_id": "440783197108020242",
                            "relation": "spouse",
                            "labour_capacity": "partial",
                        },
                    ],
                    "poverty_causes": ["illness"],
                    "batches": ["production_employment"],
                }
            ]
        }
    )

    area_code: str = Field(pattern=AREA_CODE_PATTERN)
    year: StrictInt = Field(ge=2014, le=2100)
    members: list[MemberIn] = Field(min_length=1, max_length=30)


class MemberAdd(BaseModel):
    member: MemberIn
    reason: JoinReason


class MemberRemoval(BaseModel):
    reason: LeaveReason
    on: date


class HeadChange(BaseModel):
    member_id: uuid.UUID
    former_head_relation: Relation = Relation.OTHER
    reason: str = Field(min_length=1, max_length=500)


class SplitIn(BaseModel):
    member_ids: list[uuid.UUID] = Field(min_length=1)
    new_head_id: uuid.UUID
    remaining_head_id: uuid.UUID | None = None
    reason: str = Field(min_length=1, max_length=500)


class MergeIn(BaseModel):
    into_household_id: uuid.UUID
    reason: str = Field(min_length=1, max_length=500)


# A move of the reason "other" says what it was (English, then what the clerk reads).
_OTHER_NEEDS_A_NOTE = (
    "a move for another reason needs a note saying what it is",
    "迁移原因为“其他”时须在备注中写明原因",
)


class MoveIn(BaseModel):
    """The whole household moves to another village."""

    # The rule below, stated in the document: a note, or a reason that needs none.
    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": ["note"], "properties": {"note": {"type": "string"}}},
                {"properties": {"reason": {"enum": [r.value for r in MoveReason if r != MoveReason.OTHER]}}},
            ]
        }
    )

    to_area_code: str = Field(pattern=AREA_CODE_PATTERN, description="the village it now lives in")
    reason: MoveReason
    note: str | None = Field(default=None, min_length=1, max_length=500)
    moved_on: date = Field(description="the day the move took effect; not after today")

    @model_validator(mode="after")
    def other_needs_a_note(self) -> MoveIn:
        if self.reason == "other" and not self.note:
            raise refusal(*_OTHER_NEEDS_A_NOTE)
        return self


class IncomeIn(BaseModel):
    year: StrictInt = Field(ge=2014, le=2100)
    per_capita_income_fen: Fen


class DebtIn(BaseModel):
    cause: DebtCause
    amount_fen: PositiveFen
    recorded_on: date


class MemberOut(BaseModel):
    id: uuid.UUID
    name: str
    resident_id_masked: str
    birth_date: date
    sex: str
    relation: str
    schooling: str | None
    health: str | None
    disability: str | None
    labour_capacity: str
    in_school: bool
    migrant_work: bool

    relation_label: ClassVar[str | None] = label_field("relation", CODE_LABELS)
    labour_capacity_label: ClassVar[str | None] = label_field("labour_capacity", CODE_LABELS)
    sex_label: ClassVar[str | None] = label_field("sex", CODE_LABELS)


class _Labelled(BaseModel):
    """The Chinese of a household's status, causes and batches, next to their codes."""

    status: str
    poverty_causes: list[str]
    batches: list[str]

    status_label: ClassVar[str | None] = label_field("status", CODE_LABELS)
    poverty_cause_labels: ClassVar[list[str]] = labels_field("poverty_causes", CODE_LABELS)
    batch_labels: ClassVar[list[str]] = labels_field("batches", CODE_LABELS)


class IncomeOut(BaseModel):
    year: int
    per_capita_income_fen: int
    version: int  # the ETag of GET …/incomes/{year}; a change of that year's income sends it in If-Match


class DebtOut(BaseModel):
    id: uuid.UUID
    cause: str
    amount_fen: int
    settled: bool
    recorded_on: date


class HouseholdOut(_Labelled):
    """The household card (户有卡)."""

    id: uuid.UUID
    household_number: str | None
    area_code: str
    status: str
    year: int
    head_name: str
    member_count: int
    poverty_causes: list[str]
    batches: list[str]
    labour_willing: bool | None
    dibao: bool
    five_guarantee: bool
    basic_needs: dict[str, bool]
    income_channels: list[str]
    plan: str | None
    review_result: str | None
    review_held_on: date | None
    notice_starts_on: date | None
    confirmed_on: date | None
    confirmation_signature: dict[str, str] | None = Field(
        default=None,
        description="逐户签字确认: the member who signed (id, masked name), in what capacity, when",
    )
    registered_on: date | None
    exited_on: date | None
    exit_notice_until: date | None
    policies_kept_until: date | None
    closed_reason: str | None
    version: int
    members: list[MemberOut]
    incomes: list[IncomeOut]
    debts: list[DebtOut]


_CARD_PARTS = ("members", "incomes", "debts")
_CARD_OWN = tuple(k for k in HouseholdOut.model_fields if k not in _CARD_PARTS)
_MEMBER_FIELDS = tuple(MemberOut.model_fields)
_INCOME_FIELDS = tuple(IncomeOut.model_fields)
_DEBT_FIELDS = tuple(DebtOut.model_fields)
# card_json writes these computed fields itself: a new one on either model must be added there
assert tuple(HouseholdOut.model_computed_fields) == ("status_label", "poverty_cause_labels", "batch_labels")
assert tuple(MemberOut.model_computed_fields) == ("relation_label", "labour_capacity_label", "sex_label")
assert tuple(HouseholdOut.model_fields)[-3:] == _CARD_PARTS


def card_json(
    household: Mapping[str, Any],
    members: Iterable[Mapping[str, Any]],
    incomes: Iterable[Mapping[str, Any]],
    debts: Iterable[Mapping[str, Any]],
) -> bytes:
    """The JSON of ``HouseholdOut`` over the card's rows (the household's columns by name, its
    parts as the repository's card statement reads them, JSON values), byte for byte what the
    model serialises — the same keys in the same order, labels included
    (tests/registry/unit/test_card_json.py) — without validating the card and its parts into
    models whose columns already guarantee their values, and serialising them again: a tenth of a
    card read's CPU."""
    label = CODE_LABELS.get
    card = {k: household[k] for k in _CARD_OWN}
    card["id"] = str(card["id"])  # asyncpg's UUID: pydantic-core's slow fallback, the same text
    card["members"] = [
        {k: m[k] for k in _MEMBER_FIELDS}
        | {
            "relation_label": label(m["relation"], m["relation"]),
            "labour_capacity_label": label(m["labour_capacity"], m["labour_capacity"]),
            "sex_label": label(m["sex"], m["sex"]),
        }
        for m in members
    ]
    card["incomes"] = [{k: i[k] for k in _INCOME_FIELDS} for i in incomes]
    card["debts"] = [{k: d[k] for k in _DEBT_FIELDS} for d in debts]
    status = card["status"]
    card["status_label"] = label(status, status)
    card["poverty_cause_labels"] = [label(c, c) for c in card["poverty_causes"]]
    card["batch_labels"] = [label(b, b) for b in card["batches"]]
    return to_json(card)


class HouseholdListItem(_Labelled):
    """A list row: names masked (full for the clerks who may see them), no resident IDs at all."""

    id: uuid.UUID
    household_number: str | None
    area_code: str
    status: str
    year: int
    head_name_masked: str
    head_name: str | None = Field(
        default=None,
        description="the head's full name, for the roles whose work needs it (registrar, approver, "
        "admin); null for the others, who see head_name_masked only",
    )
    member_count: int
    poverty_causes: list[str]
    batches: list[str]
    dibao: bool


def list_page_json(rows: Iterable[Mapping[str, Any]], next_cursor: str | None, *, full_name: bool) -> bytes:
    """The JSON of ``Page[HouseholdListItem]`` over list rows (the columns of the repository's
    LIST_COLUMNS, by name), byte for byte what the model serialises — the same keys in the same
    order, labels and masked name included (tests/registry/unit/test_list_page_json.py) — without
    validating 50 models per page of values whose columns already guarantee their types, and
    without their computed fields: about a fifth of a list page's CPU."""
    label = CODE_LABELS.get
    items = []
    for row in rows:
        status, causes, batches, name = row["status"], row["poverty_causes"], row["batches"], row["head_name"]
        items.append(
            {  # HouseholdListItem's fields in its order (_Labelled's first), then its computed ones
                "status": status,
                "poverty_causes": causes,
                "batches": batches,
                # asyncpg's own UUID type: pydantic-core serialises it through a slow fallback
                # (about 2 µs a row), its str() is the same text
                "id": str(row["id"]),
                "household_number": row["household_number"],
                "area_code": row["area_code"],
                "year": row["year"],
                "head_name_masked": mask_name(name),
                "head_name": name if full_name else None,
                "member_count": row["member_count"],
                "dibao": row["dibao"],
                "status_label": label(status, status),
                "poverty_cause_labels": [label(c, c) for c in causes],
                "batch_labels": [label(b, b) for b in batches],
            }
        )
    return to_json({"items": items, "next_cursor": next_cursor})


class ResidentIdOut(BaseModel):
    member_id: uuid.UUID
    resident_id: str


class HouseholdImportIn(HouseholdIn):
    """A household registered elsewhere (a provincial platform's roll), imported as registered."""

    registered_on: date = Field(description="not after today (China date)")
    household_number: str | None = Field(default=None, max_length=30)


class ImportIn(BaseModel):
    # the roll's texts are names and IDs, each its own: pydantic's JSON parser caches only member
    # names (a cache of every text costs a 5,000-household body ~1.5 µs a household, saves nothing)
    model_config = ConfigDict(cache_strings="keys")

    households: list[HouseholdImportIn] = Field(min_length=1, max_length=5_000)
    source_roll: str | None = Field(
        default=None,
        min_length=1,
        max_length=500,
        description="the roll the rows come from (e.g. a provincial platform's 2017 roll): needed, with "
        "a reason, when a registration date lies further back than the policy's backdate_tolerance_days",
    )
    reason: LateEntryReason | None = Field(default=None, description="why the old roll is imported")


class ImportOut(BaseModel):
    imported: int
    persons: int
