"""Request and response models of helpers and their postings."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from services.pairing.vocabulary import HelperKind
from shared.fields import AREA_CODE_PATTERN, StrictInt

AreaCodeStr = Field(pattern=AREA_CODE_PATTERN, description="12-digit division code")
Level = Literal["province", "city", "county", "township", "village"]
HospitalGrade = Literal["1C", "1B", "1A", "2C", "2B", "2A", "3C", "3B", "3A"]
Title = Literal["junior", "intermediate", "associate_senior", "senior"]


class HelperIn(BaseModel):
    kind: HelperKind
    name: str = Field(min_length=1, max_length=200)
    unit: str | None = Field(default=None, max_length=200)
    level: Level | None = None
    area_code: str = AreaCodeStr
    user_sub: str | None = Field(default=None, max_length=100, description="login subject of a cadre")
    team_id: uuid.UUID | None = Field(
        default=None, description="work team (or 10+1 team) the helper belongs to"
    )
    party_member_count: StrictInt = Field(default=0, ge=0, le=10_000)
    hospital_grade: HospitalGrade | None = None
    professional_title: Title | None = None


class HelperOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: HelperKind
    name: str
    unit: str | None
    level: str | None
    area_code: str
    user_sub: str | None
    team_id: uuid.UUID | None
    active: bool
    left_on: date | None
    party_member_count: int
    hospital_grade: str | None
    professional_title: str | None


class PostingIn(BaseModel):
    area_code: str = AreaCodeStr
    role: str = Field(
        min_length=1,
        max_length=40,
        description="what the helper serves as, e.g. first_secretary, work_team_member, "
        "teaching_support, medical_support: only these four (or their Chinese names 第一书记, "
        "驻村工作队队员, 支教干部, 支医干部) count as grassroots service "
        "(《甘肃省秦巴山片区区域发展与扶贫攻坚实施规划》: 逢提必下)",
    )
    started_on: date
    ended_on: date | None = None
    in_poor_area: StrictBool


class PostingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    area_code: str
    role: str
    started_on: date
    ended_on: date | None
    in_poor_area: bool
    counts_as_grassroots_service: bool = False


class LeaveIn(BaseModel):
    left_on: date
    receiver_ids: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=50,
        description="cadres who take over the households; empty: any active cadre of the area",
    )


class HandOverItem(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    household_id: uuid.UUID
    from_pairing_id: uuid.UUID
    to_pairing_id: uuid.UUID
    to_helper_id: uuid.UUID


class LeaveOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    helper: HelperOut
    handed_over: list[HandOverItem]
    closed_pairings: list[uuid.UUID]


class EmploymentIn(BaseModel):
    household_id: uuid.UUID = Field(
        description="the registered poor household (建档立卡户) the worker belongs to"
    )
    worker_name: str = Field(min_length=1, max_length=50, description="the labourer employed (贫困劳动力)")
    started_on: date
    ended_on: date | None = Field(None, description="the last day employed; none while still employed")


class EmploymentOut(BaseModel):
    id: uuid.UUID
    household_id: uuid.UUID
    worker_name: str
    started_on: date
    ended_on: date | None
    stably_employed: bool | None  # employed the rule's years or more by today; null: no rule here


class PreferentialSupportOut(BaseModel):
    """开平市《赤水镇新时期城乡精准扶贫精准脱贫的实施方案(2016-2018年)》五(十)2:
    吸纳建档立卡贫困劳动力20人以上并稳定就业一年以上的企业 get preferential project loans and taxes."""

    helper_id: uuid.UUID
    on: date
    poor_workers: int  # distinct workers of registered poor households employed by the day
    stably_employed: int  # of them, employed min_years or more (一年以上 includes one year)
    min_poor_workers: int  # 20 (20人以上 includes 20)
    min_years: int  # 1
    qualifies: bool
    source: str
