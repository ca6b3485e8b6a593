"""A household moves to another village (registry.household.updated.v1, change "moved"): inspection's
roll copy takes the new area, open pairings follow it, ended ones keep the area they served in."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from services.inspection.consumers import HANDLERS
from services.inspection.models import HouseholdRef, PairingRef
from shared.events.consumer import handle_event
from tests.inspection.integration.helpers import OTHER_COUNTY_VILLAGE, VILLAGE, app_for, event
from tests.support import service_client

pytestmark = pytest.mark.asyncio


def household_event(type_: str, area: str, **extra: object):  # type: ignore[no-untyped-def]
    data = {"household_id": "hh-1", "area_code": area, "member_count": 3, "status": "registered", **extra}
    return event(type_, data, subject="hh-1")


def pairing_event(type_: str, pairing_id: str, area: str):  # type: ignore[no-untyped-def]
    data = {
        "pairing_id": pairing_id,
        "kind": "cadre_household",
        "area_code": area,
        "helper_id": pairing_id,
        "target_id": "hh-1",
        "reason": "household_moved",
    }
    return event(type_, data, subject=pairing_id)


async def test_the_roll_copy_and_the_pairings_that_carry_on_take_the_new_area(make_db) -> None:  # type: ignore[no-untyped-def]
    app = app_for(make_db)
    async with service_client(app):
        db = app.state.db
        for e in (
            household_event("registry.household.registered.v1", VILLAGE),
            pairing_event("pairing.pairing.opened.v1", "kept", VILLAGE),
            pairing_event("pairing.pairing.opened.v1", "ended-before", VILLAGE),
            pairing_event("pairing.pairing.opened.v1", "ended-after", VILLAGE),
            pairing_event("pairing.pairing.closed.v1", "ended-before", VILLAGE),
        ):
            assert await handle_event(db, "inspection", e, HANDLERS)
        move = household_event(
            "registry.household.updated.v1",
            OTHER_COUNTY_VILLAGE,
            change="moved",
            from_area_code=VILLAGE,
            moved_on="2026-11-20",
            reason="relocation",
        )
        assert await handle_event(db, "inspection", move, HANDLERS)
        # pairing's closing event may come after the registry's: it names where the pairing served
        assert await handle_event(
            db, "inspection", pairing_event("pairing.pairing.closed.v1", "ended-after", VILLAGE), HANDLERS
        )
        assert await handle_event(db, "inspection", move, HANDLERS) is False  # redelivery: nothing

        async with db.transaction() as s:
            household = (await s.execute(select(HouseholdRef))).scalar_one()
            pairings = {
                p.pairing_id: (p.area_code, p.is_open)
                for p in (await s.execute(select(PairingRef))).scalars()
            }
        assert (household.area_code, household.status, household.member_count) == (
            OTHER_COUNTY_VILLAGE,
            "registered",
            3,
        )
        assert pairings == {
            "kept": (OTHER_COUNTY_VILLAGE, True),
            "ended-before": (VILLAGE, False),
            "ended-after": (VILLAGE, False),
        }


async def test_an_update_in_the_same_village_moves_no_pairing(make_db) -> None:  # type: ignore[no-untyped-def]
    app = app_for(make_db)
    async with service_client(app):
        db = app.state.db
        assert await handle_event(
            db, "inspection", pairing_event("pairing.pairing.opened.v1", "p", VILLAGE), HANDLERS
        )
        # an update about a household never seen before only creates the roll copy
        assert await handle_event(
            db,
            "inspection",
            household_event("registry.household.updated.v1", OTHER_COUNTY_VILLAGE, change="attributes"),
            HANDLERS,
        )
        assert await handle_event(
            db,
            "inspection",
            household_event("registry.household.updated.v1", OTHER_COUNTY_VILLAGE, change="income"),
            HANDLERS,
        )
        async with db.transaction() as s:
            assert (await s.execute(select(PairingRef.area_code))).scalar_one() == VILLAGE
