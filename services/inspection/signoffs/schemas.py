"""HTTP shapes of the exit sign-off dossier."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from pydantic import BaseModel, Field

from services.inspection.models import SignoffDossier, SignoffSignature
from services.inspection.signoffs import rules
from services.inspection.vocabulary import SIGNOFF_KINDS
from shared.clock import OfficeDateTime
from shared.shaping import from_row
from shared.vocabulary import label_field, labels_field

# How the sign-off screen names a level (村级 ...), a step's state and a position (rules.POSITION_ZH).
_LEVELS_ZH = {code: f"{word}级" for code, word in rules.LEVEL_ZH.items()}
_STATES_ZH = {"pending": "待签字", "signed": "已签字", "refused": "已拒签"}


class SignIn(BaseModel):
    position: str = Field(min_length=1, max_length=60, examples=["village_head"])


class RefuseIn(BaseModel):
    position: str = Field(min_length=1, max_length=60)
    reason: str = Field(min_length=1, max_length=2000)


class StepOut(BaseModel):
    position: str
    position_label: ClassVar[str | None] = label_field("position", rules.POSITION_ZH)
    state: str  # pending | signed | refused
    state_label: ClassVar[str | None] = label_field("state", _STATES_ZH)
    signer_name: str | None = None
    signer_area: str | None = None
    at: OfficeDateTime | None = None
    reason: str | None = None


class LevelOut(BaseModel):
    level: str
    level_label: ClassVar[str | None] = label_field("level", _LEVELS_ZH)
    steps: list[StepOut]


class DossierOut(BaseModel):
    id: uuid.UUID
    kind: str = "household"  # household (4-3-4-2) | village (贫困村退出) | county (贫困县摘帽)
    kind_label: ClassVar[str | None] = label_field("kind", SIGNOFF_KINDS)
    household_id: str | None  # households only
    exit_request_id: str
    area_code: str  # the household's village, or the village or county exiting
    area_name: str | None = None  # villages and counties
    criteria: list[dict[str, Any]] | None = None  # villages and counties: registry's assessment
    year: int
    member_count: int
    head_name_masked: str | None
    scheme_code: str
    status: str
    status_label: ClassVar[str | None] = label_field("status", rules.DOSSIER_STATUS_ZH)
    current_level: str | None
    current_level_label: ClassVar[str | None] = label_field("current_level", _LEVELS_ZH)
    waiting_for: list[str]
    waiting_for_labels: ClassVar[list[str]] = labels_field("waiting_for", rules.POSITION_ZH)
    levels: list[LevelOut]
    refusal_reason: str | None
    created_at: OfficeDateTime
    closed_at: OfficeDateTime | None


class SchemeLevelIn(BaseModel):
    level: str = Field(examples=["village"])
    positions: list[str] = Field(min_length=1, max_length=20)


class SchemeIn(BaseModel):
    code: str = Field(min_length=1, max_length=50, pattern=r"^[a-z0-9-]+$")
    levels: list[SchemeLevelIn] = Field(min_length=1, max_length=5)
    household_position: str | None = Field(default=None, max_length=60)


class SchemeOut(SchemeIn):
    kind: str = Field(default="household", description="household, village or county exit")
    # the Chinese of the kind (贫困户退出 ...), as GET /inspection/v1/vocabulary gives it
    kind_label: ClassVar[str | None] = label_field("kind", SIGNOFF_KINDS)
    area_prefix: str = Field(description='The subtree it applies to ("" = everywhere)')
    source: str = Field(description="record (set through the API) or preset (from the policy documents)")
    version: int | None = Field(
        default=None,
        description="the version of the record stored at the path you read (its ETag goes in If-Match);"
        " none when what applies there is inherited from a shorter prefix or a preset",
    )


def dossier_out(dossier: SignoffDossier, rows: list[SignoffSignature]) -> DossierOut:
    """A dossier as answered: each level's steps (signed, refused or pending) and who is next."""
    scheme = rules.scheme_of_record(dossier.scheme_code, dossier.scheme)
    by_position = {r.position: r for r in rows}
    signed = rules.signed(rows)
    now = rules.current_level(scheme, signed) if dossier.status == "open" else None
    levels = [
        LevelOut(
            level=lv.level,
            steps=[
                StepOut(
                    position=p,
                    state=by_position[p].decision if p in by_position else "pending",
                    signer_name=by_position[p].signer_name if p in by_position else None,
                    signer_area=by_position[p].signer_area if p in by_position else None,
                    at=by_position[p].signed_at if p in by_position else None,
                    reason=by_position[p].reason if p in by_position else None,
                )
                for p in lv.positions
            ],
        )
        for lv in scheme.levels
    ]
    return from_row(
        DossierOut,
        dossier,
        current_level=now.level if now else None,
        waiting_for=[s.position for s in rules.outstanding(scheme, signed) if now and s.level == now.level],
        levels=levels,
    )


def scheme_out(
    scheme: rules.SignoffScheme, prefix: str, source: str, version: int | None = None, kind: str = "household"
) -> SchemeOut:
    return SchemeOut(
        kind=kind,
        code=scheme.code,
        levels=[SchemeLevelIn(level=lv.level, positions=list(lv.positions)) for lv in scheme.levels],
        household_position=scheme.household_position,
        area_prefix=prefix,
        source=source,
        version=version,
    )
