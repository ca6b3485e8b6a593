"""Schemes as JSON policy data, and their conversion to the rules' dataclasses."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.funds.money import Fen
from services.funds.schemes import rules
from shared.clock import OfficeDateTime
from shared.fields import AREA_CODE_PATTERN, StrictInt
from shared.labels import refusal

# A ``dict[int, …]`` is a JSON object whose member names are integers (years): the document says so.
INT_KEYS: dict[str, Any] = {"propertyNames": {"pattern": "^-?[0-9]+$"}}
# A year a scheme plans money for: the bounds every year of the funds service keeps (2000-2100).
PlanYear = Annotated[StrictInt, Field(ge=2000, le=2100)]


class SubShareIn(BaseModel):
    # The validator below, stated: one payer (and no per-town payers), or payer_level.
    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {
                    "required": ["payer"],
                    "properties": {
                        "payer": {"type": "string"},
                        "payer_level": {"type": "null"},
                        "payers": {"maxProperties": 0},
                    },
                },
                {
                    "required": ["payer_level"],
                    "properties": {"payer": {"type": "null"}, "payer_level": {"const": "township"}},
                },
            ]
        }
    )

    code: str = Field(min_length=1, max_length=80)
    payer: str | None = Field(default=None, description="the one account billed (not with payer_level)")
    basis_points: StrictInt = Field(
        ge=0, le=rules.BASIS_POINTS, description="of the parent share; 3000 = 30%"
    )
    schedule: dict[int, StrictInt] | None = Field(default=None, json_schema_extra=INT_KEYS)
    payer_level: Literal["township"] | None = Field(
        default=None,
        description="township: each town raises the part of its own people, billed to its own account "
        "(the one named in payers, else the town's source account)",
    )
    payers: dict[Annotated[str, Field(pattern=r"^[0-9]{9}000$")], str] = Field(
        default={}, description="town code -> account code, for towns whose account is named here"
    )

    @model_validator(mode="after")
    def _one_payer_or_per_town(self) -> Self:
        if (self.payer is None) == (self.payer_level is None):
            raise refusal(
                "a sub-share names one payer, or payer_level to bill each town its own share",
                "下级分担份额须填写一个付款账户（payer），或填写 payer_level 由各乡镇各自承担，二者只填其一",
            )
        if self.payers and self.payer_level is None:
            raise refusal(
                "payers (per town) go with payer_level",
                "按乡镇指定付款账户（payers）只能与 payer_level 一起填写",
            )
        return self


class ShareIn(BaseModel):
    code: str = Field(min_length=1, max_length=80)
    payer: str
    weight: StrictInt = Field(ge=0)
    schedule: dict[int, StrictInt] | None = Field(default=None, json_schema_extra=INT_KEYS)
    sub_shares: list[SubShareIn] = []


def _kind_required(schema: dict[str, Any]) -> None:
    """``params`` is told apart by ``kind`` (the discriminator): the request must carry it."""
    schema["required"] = ["kind", *schema.get("required", [])]


class PerCapitaIn(BaseModel):
    model_config = ConfigDict(json_schema_extra=_kind_required)

    kind: Literal["per_capita"] = "per_capita"
    years: list[PlanYear] = Field(min_length=1)
    amount_per_person_fen: Fen
    payee: str
    shares: list[ShareIn] = Field(min_length=1)
    eligible_batches: list[str] = Field(default=[], description="count only households in these batches")


class VillageGrantIn(BaseModel):
    model_config = ConfigDict(json_schema_extra=_kind_required)

    kind: Literal["village_grant"] = "village_grant"
    year: PlanYear
    payer: str
    payee: str
    amount_by_category_fen: dict[str, Fen]


class FixedFundIn(BaseModel):
    code: str = Field(min_length=1, max_length=80)
    name: str
    payer: str
    payee: str
    amount_by_year_fen: dict[Annotated[int, Field(ge=2000, le=2100)], Fen] = Field(json_schema_extra=INT_KEYS)


class FixedFundsIn(BaseModel):
    model_config = ConfigDict(json_schema_extra=_kind_required)

    kind: Literal["fixed_funds"] = "fixed_funds"
    funds: list[FixedFundIn] = Field(min_length=1)


SchemeParams = Annotated[PerCapitaIn | VillageGrantIn | FixedFundsIn, Field(discriminator="kind")]


class SchemeIn(BaseModel):
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]{1,78}$")
    name: str = Field(min_length=1, max_length=200)
    area_code: str = Field(pattern=AREA_CODE_PATTERN, description="where the scheme applies (its subtree)")
    params: SchemeParams


class SchemeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    code: str
    version: int
    kind: str
    name: str
    area_code: str
    params: dict[str, Any]
    created_at: OfficeDateTime


class PlanIn(BaseModel):
    scheme_id: uuid.UUID
    area_code: str = Field(
        pattern=AREA_CODE_PATTERN, description="the area whose registered population is planned for"
    )


# A plan line as rules.PlanLine holds it, under the answer's name (the same schema).
@dataclass(frozen=True)
class PlanLineOut(rules.PlanLine):
    pass


class PlanTotal(BaseModel):
    payer: str
    year: int | None
    amount_fen: int


class PlanHouseholdOut(BaseModel):
    household_id: str
    entitled_fen: int = Field(description="Sum of the plan's lines for the household (fen)")
    disbursed_fen: int = Field(
        description="Paid so far under any plan of the same scheme, reversals left out (fen)"
    )
    remaining_fen: int = Field(description="entitled_fen - disbursed_fen (fen)")


class ArrearsRow(BaseModel):
    payer: str
    year: int | None
    owed_fen: int
    received_fen: int
    outstanding_fen: int


class PlanOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    scheme_id: uuid.UUID
    scheme_code: str
    scheme_kind: str
    area_code: str
    total_fen: int
    people: int
    revision: int
    stale: bool = Field(description="the population changed; a new revision follows within seconds")
    stale_reason: str | None = Field(
        default=None,
        description="why the plan is stale, in the caller's language (Chinese; English with "
        "Accept-Language: en): made before the registry's households arrived (户籍数据尚未同步), or the "
        "population changed; null when it is current",
    )
    blocked: dict[str, Any] | None = Field(
        default=None,
        description="the last background recomputation was refused (problem: type, detail, villages or "
        "towns); the plan keeps its previous lines until it is fixed and recomputed",
    )
    computed_at: OfficeDateTime
    totals: list[PlanTotal] = []


def to_rule(code: str, name: str, params: dict[str, Any]) -> rules.Scheme:
    """Stored JSON -> the dataclass the arithmetic reads (parsed through the same models as input)."""
    parsed = SchemeIn.model_validate(
        {"code": code, "name": name, "area_code": "11" + "0" * 10, "params": params}  # any valid code
    ).params
    if isinstance(parsed, PerCapitaIn):
        return rules.PerCapitaScheme(
            code,
            name,
            tuple(parsed.years),
            parsed.amount_per_person_fen,
            parsed.payee,
            tuple(
                rules.Share(
                    s.code,
                    s.payer,
                    s.weight,
                    s.schedule,
                    tuple(
                        rules.SubShare(
                            u.code, u.payer or "", u.basis_points, u.schedule, u.payer_level, dict(u.payers)
                        )
                        for u in s.sub_shares
                    ),
                )
                for s in parsed.shares
            ),
            tuple(parsed.eligible_batches),
        )
    if isinstance(parsed, VillageGrantIn):
        return rules.VillageGrantScheme(
            code, name, parsed.year, parsed.payer, parsed.payee, parsed.amount_by_category_fen
        )
    return rules.FixedFundsScheme(
        code,
        name,
        tuple(rules.FixedFund(f.code, f.name, f.payer, f.payee, f.amount_by_year_fen) for f in parsed.funds),
    )


def from_rule(scheme: rules.Scheme) -> dict[str, Any]:
    """A preset dataclass -> the JSON stored as the scheme's params."""
    if isinstance(scheme, rules.PerCapitaScheme):
        model: BaseModel = PerCapitaIn(
            years=list(scheme.years),
            amount_per_person_fen=scheme.amount_per_person_fen,
            payee=scheme.payee,
            shares=[
                ShareIn(
                    code=s.code,
                    payer=s.payer,
                    weight=s.weight,
                    schedule=_dict(s.schedule),
                    sub_shares=[
                        SubShareIn(
                            code=u.code,
                            payer=u.payer or None,
                            basis_points=u.basis_points,
                            schedule=_dict(u.schedule),
                            payer_level=u.payer_level,
                            payers=dict(u.payers),
                        )
                        for u in s.sub_shares
                    ],
                )
                for s in scheme.shares
            ],
            eligible_batches=list(scheme.eligible_batches),
        )
    elif isinstance(scheme, rules.VillageGrantScheme):
        model = VillageGrantIn(
            year=scheme.year,
            payer=scheme.payer,
            payee=scheme.payee,
            amount_by_category_fen=dict(scheme.amount_by_category_fen),
        )
    else:
        model = FixedFundsIn(
            funds=[
                FixedFundIn(
                    code=f.code,
                    name=f.name,
                    payer=f.payer,
                    payee=f.payee,
                    amount_by_year_fen=dict(f.amount_by_year_fen),
                )
                for f in scheme.funds
            ]
        )
    return model.model_dump(mode="json")


def _dict(schedule: Any) -> dict[int, int] | None:
    return None if schedule is None else dict(schedule)
