"""Factories for the inspection integration tests: synthetic places, events and signers."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from services.inspection.app import create_app
from services.inspection.models import Finding
from services.inspection.places import ancestor
from services.inspection.policies import presets
from services.inspection.settings import InspectionSettings
from shared.events import CloudEvent
from tests.support import auth, settings_for

VILLAGE = "620521101203"  # synthetic village in a Gansu county
OTHER_VILLAGE = "620521101204"
OTHER_COUNTY_VILLAGE = "620522101203"


def app_for(make_db: Any, nats_url: str | None = None):  # type: ignore[no-untyped-def]
    return create_app(settings_for(InspectionSettings, make_db("inspection"), nats_url))


def event(type_: str, data: dict[str, Any], subject: str = "x", time: datetime | None = None) -> CloudEvent:
    source = f"jingzhun/{type_.split('.', 1)[0]}"
    return CloudEvent(source=source, type=type_, subject=subject, data=data, time=time or datetime.now(UTC))


def finding_row(raised_on: date, deadline: date, status: str = "open", **fields: Any) -> Finding:
    """A finding row as the service stores it, for a test to add to its session: in ``VILLAGE``,
    category other, severity medium, unless ``fields`` say otherwise (any column of Finding)."""
    values: dict[str, Any] = {
        "area_code": VILLAGE,
        "category": "other",
        "severity": "medium",
        "title": "t",
        "responsible_unit": "office",
        "raised_by": "t",
    }
    return Finding(**(values | fields), raised_on=raised_on, deadline=deadline, status=status)


def exit_requested(household_id: str | None = None, area: str = VILLAGE, **extra: Any) -> CloudEvent:
    household_id = household_id or str(uuid.uuid4())
    data = {
        "household_id": household_id,
        "area_code": area,
        "exit_request_id": str(uuid.uuid4()),
        "year": 2026,
        "member_count": 4,
        "head_name_masked": "王*",
        "eligibility": [{"criterion": "income", "passed": True, "detail": "5200 yuan/person"}],
        **extra,
    }
    return event("registry.household.exit_requested.v1", data, subject=household_id)


def signer(
    position: str, household_area: str = VILLAGE, *, area: str | None = None, household_id: str | None = None
) -> dict[str, str]:
    """Headers for the holder of ``position`` for the household's area (or another area); the
    household itself signs with its own id as the token subject."""
    level = presets.GANSU_4342.position_level(position)
    assert level is not None
    code = area or ancestor(household_area, level.level)
    sub = household_id if household_id and position == presets.EXIT_HOUSEHOLD else f"{position}@{code}"
    name = "王小明" if position == presets.EXIT_HOUSEHOLD else f"Test {position}"  # synthetic
    return auth([position], code, sub=sub, name=name)


def all_positions() -> list[str]:
    return [p for lv in presets.GANSU_4342.levels for p in lv.positions]
