"""Request and response models of pairing policies."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, Field, StrictBool

from shared.fields import StrictInt

CountyCode = Annotated[str, Field(pattern=r"^[0-9]{6}000000$")]
# What the two staffing minimums count (Quanzhou), worded once for an override and for the policy.
_TOWNSHIP_STAFF = "full-time poverty staff a township with exit tasks must have (Quanzhou 1, Kaiping 2)"
_VILLAGE_COORDINATORS = "coordinators a village with exit tasks must have (Quanzhou 1)"


class PolicyOverrideIn(BaseModel):
    area_prefix: str = Field(
        pattern=r"^([0-9]{2}|[0-9]{4}|[0-9]{6}|[0-9]{9}|[0-9]{12})$", description="the area's code prefix"
    )
    valid_from: date
    cadre_household_cap: StrictInt | None = Field(default=None, ge=1, le=100)
    visit_interval_days: StrictInt | None = Field(default=None, ge=1, le=366)
    volunteer_team_min_party_members: StrictInt | None = Field(default=None, ge=1, le=1000)
    enterprise_target_must_be_old_area: StrictBool | None = None
    enterprise_one_village_each: StrictBool | None = Field(
        default=None, description="一村一企业 both ways: an enterprise pairs with one village at a time"
    )
    county_pairs_added: list[tuple[CountyCode, CountyCode]] | None = Field(
        default=None,
        description="mountain-sea pairs (helping county, helped county) added to the policy's list",
    )
    township_staff_min: StrictInt | None = Field(
        default=None, ge=0, le=50, description=f"乡镇专职扶贫人员最少人数: {_TOWNSHIP_STAFF}; 0: none asked"
    )
    village_coordinator_min: StrictInt | None = Field(
        default=None, ge=0, le=20, description=f"村协管员最少人数: {_VILLAGE_COORDINATORS}; 0: none asked"
    )
    source: str = Field(min_length=1, max_length=500, description="the document that sets it")


class PolicyOverrideOut(PolicyOverrideIn):
    recorded_by: str
    version: int = Field(description="changes with every change; its ETag goes in If-Match")


class PolicyOut(BaseModel):
    area_code: str
    on: date
    preset: str
    cadre_household_cap: int
    visit_interval_days: int
    grassroots_service_min_years: int
    volunteer_team_min_party_members: int
    doctor_min_hospital_grade: str
    doctor_min_title: str
    enterprise_target_must_be_old_area: bool
    enterprise_one_village_each: bool
    leader_links: dict[str, list[str]]
    county_pairs: list[tuple[str, str]]
    township_staff_min: int | None = Field(
        default=None, description=f"{_TOWNSHIP_STAFF}; null: no such number here"
    )
    village_coordinator_min: int | None = Field(
        default=None, description=f"{_VILLAGE_COORDINATORS}; null: none"
    )
