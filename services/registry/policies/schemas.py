from __future__ import annotations

from typing import Any, Literal, Self

from pydantic import BaseModel, Field, JsonValue, StrictBool, model_validator

from services.registry.policies.rules import THRESHOLD_DIRECTIONS, Comparison
from services.registry.vocabulary import RELAPSE_CAUSES
from shared.fields import Fen, StrictInt

# A route names a relapse cause (services.registry.vocabulary) or "*" for the rest.
ROUTE_CAUSES = [*sorted(RELAPSE_CAUSES), "*"]


class ApprovalStepIO(BaseModel):
    code: str
    role: str
    level: str


class ThresholdRuleIO(BaseModel):
    comparison: Comparison = Field(description="at_or_above | above | at_or_below | below")
    wording: str = Field(min_length=1, max_length=2000, description="the policy's own words for it")


class RelapseRouteIO(BaseModel):
    cause: str = Field(
        min_length=1,
        max_length=40,
        description='a relapse cause code, or "*" for the rest',
        json_schema_extra={"enum": list[JsonValue](ROUTE_CAUSES)},
    )
    route: Literal["chain", "identification"]
    wording: str = Field(min_length=1, max_length=2000)


ThresholdName = Literal["exit_line", "large_debt_limit", "exit_incidence", "notice_min_days"]


def _state_cross_field_rules(schema: dict[str, Any]) -> None:
    """What the validators below refuse, said in the document (JSON Schema 2020-12): each threshold's
    own comparisons; a "*" route and each cause once; the weak-village threshold with its flag."""
    props = schema["properties"]
    comparisons = next(s for s in props["comparisons"]["anyOf"] if s.get("type") == "object")
    comparisons["properties"] = {
        name: {
            "type": "object",
            "properties": {
                "comparison": {"enum": sorted(allowed)},
                "wording": {"type": "string", "minLength": 1, "maxLength": 2000},
            },
            "required": ["comparison", "wording"],
        }
        for name, allowed in THRESHOLD_DIRECTIONS.items()
    }
    routes = next(s for s in props["relapse_routes"]["anyOf"] if s.get("type") == "array")
    routes["allOf"] = [
        {
            "contains": {"properties": {"cause": {"const": cause}}, "required": ["cause"]},
            "minContains": 1 if cause == "*" else 0,
            "maxContains": 1,
        }
        for cause in ROUTE_CAUSES
    ]
    schema["anyOf"] = [
        {
            "properties": {
                "weak_village_income_fen": {"type": "null"},
                "weak_village_income_inclusive": {"type": "null"},
            }
        },
        {
            "required": ["weak_village_income_fen", "weak_village_income_inclusive"],
            "properties": {
                "weak_village_income_fen": {"type": "integer"},
                "weak_village_income_inclusive": {"type": "boolean"},
            },
        },
    ]


class PolicyRecordIn(BaseModel):
    model_config = {"json_schema_extra": _state_cross_field_rules}

    area_prefix: str = Field(pattern=r"^([0-9]{2}|[0-9]{4}|[0-9]{6}|[0-9]{9}|[0-9]{12})?$")
    year: StrictInt = Field(ge=2000, le=2100)
    source: str = Field(min_length=1)
    exit_line_fen: Fen | None = None
    notice_min_days: StrictInt | None = Field(default=None, ge=1, le=90)
    large_debt_limit_fen: Fen | None = None
    batch_set: str | None = None
    batches: list[str] | None = None
    exit_incidence_threshold_bp: StrictInt | None = Field(default=None, ge=0, le=10_000)
    policies_kept_years: StrictInt | None = Field(
        default=None,
        ge=1,
        le=30,
        description="脱贫不脱政策: years kept, counted from each household's exit date",
    )
    relapse_chain: list[ApprovalStepIO] | None = None
    comparisons: dict[ThresholdName, ThresholdRuleIO] | None = Field(
        default=None,
        description="per threshold: its comparison and the policy's wording (each key inherits alone)",
    )
    relapse_routes: list[RelapseRouteIO] | None = Field(
        default=None,
        description='which relapse causes take the chain, which ordinary identification; needs "*"',
    )
    weak_village_income_fen: StrictInt | None = Field(
        default=None, ge=0, le=10**15, description="village collective operating income threshold (fen)"
    )
    weak_village_income_inclusive: StrictBool | None = Field(
        default=None,
        description="true: a village at exactly the threshold is weak too (以下); "
        "false: only under it (低于)",
    )
    backdate_tolerance_days: StrictInt | None = Field(
        default=None,
        ge=0,
        le=30,
        description="a typed date up to this many days back is ordinary; further back is a late entry "
        "(补录: reason + approver/admin, audited, shown on the public board)",
    )
    disclosure_min_households: StrictInt | None = Field(
        default=None,
        ge=2,
        le=100,
        description="k of small-cell suppression: figures for the public and outside parties hide any "
        "cell of fewer than this many households (and what would give it away); unset everywhere: 5",
    )

    @model_validator(mode="after")
    def _comparisons_fit_their_threshold(self) -> Self:
        for name, rule in (self.comparisons or {}).items():
            if rule.comparison not in THRESHOLD_DIRECTIONS[name]:
                allowed = " or ".join(sorted(THRESHOLD_DIRECTIONS[name]))
                raise ValueError(f"{name} is compared {allowed}, not {rule.comparison}")
        if self.relapse_routes is not None:
            causes = [r.cause for r in self.relapse_routes]
            if "*" not in causes or len(set(causes)) != len(causes):
                raise ValueError('relapse_routes name each cause once and end with a "*" route')
            if unknown := sorted(set(causes) - set(ROUTE_CAUSES)):
                raise ValueError(f"unknown relapse cause {unknown[0]!r}; one of {', '.join(ROUTE_CAUSES)}")
        return self

    @model_validator(mode="after")
    def _threshold_with_its_comparison(self) -> Self:
        if (self.weak_village_income_fen is None) != (self.weak_village_income_inclusive is None):
            raise ValueError(
                "weak_village_income_fen and weak_village_income_inclusive are set together or not at all"
            )
        return self


class PolicyRecordOut(PolicyRecordIn):
    """One record as stored (what a PUT for its prefix and year replaces), with its version."""

    version: int


class PolicyOut(BaseModel):
    area_code: str
    year: int
    exit_line_fen: int
    notice_min_days: int
    large_debt_limit_fen: int
    batch_set: str
    batches: list[str]
    exit_incidence_threshold_bp: int
    policies_kept_years: int
    relapse_chain: list[ApprovalStepIO]
    comparisons: dict[str, ThresholdRuleIO]
    relapse_routes: list[RelapseRouteIO]
    sources: list[str]
    weak_village_income_fen: int | None = None
    weak_village_income_inclusive: bool | None = None
    backdate_tolerance_days: int
    disclosure_min_households: int
