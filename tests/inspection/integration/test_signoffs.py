"""The 4-3-4-2 exit dossier through HTTP on real PostgreSQL: order, roles, areas, outcome events."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from services.inspection.consumers import HANDLERS
from shared.audit import verify_chain
from shared.events.consumer import handle_event
from shared.tables import audit_log, outbox
from tests.inspection.integration.helpers import (
    OTHER_COUNTY_VILLAGE,
    OTHER_VILLAGE,
    all_positions,
    app_for,
    exit_requested,
    signer,
)
from tests.support import auth, service_client

pytestmark = pytest.mark.asyncio


async def _open(app, ev=None):  # type: ignore[no-untyped-def]
    ev = ev or exit_requested()
    assert await handle_event(app.state.db, "inspection", ev, HANDLERS)
    return ev


async def _dossier_id(client, household_id: str) -> str:  # type: ignore[no-untyped-def]
    r = await client.get(
        f"/inspection/v1/signoffs?household_id={household_id}", headers=auth("inspector", "620521000000")
    )
    assert r.status_code == 200
    (d,) = r.json()["items"]
    return d["id"]


async def _events(app, type_: str) -> list[dict]:  # type: ignore[no-untyped-def]
    async with app.state.db.transaction() as s:
        rows = (await s.execute(select(outbox.c.envelope).where(outbox.c.type == type_))).scalars().all()
    return [r["data"] for r in rows]


async def test_thirteen_signatures_in_order_verify_the_exit(make_db) -> None:
    app = app_for(make_db)
    async with service_client(app) as client:
        ev = await _open(app)
        assert not await handle_event(app.state.db, "inspection", ev, HANDLERS), "redelivery opens nothing"
        did = await _dossier_id(client, ev.data["household_id"])
        r = await client.get(f"/inspection/v1/signoffs/{did}", headers=auth("inspector", "620521000000"))
        body = r.json()
        assert body["status"] == "open"
        assert body["scheme_code"] == "gansu-4342"
        assert [len(lv["steps"]) for lv in body["levels"]] == [4, 3, 4, 2]
        assert body["current_level"] == "village"
        # the dossier as the clerk reads it: every code has its Chinese beside it
        assert (body["kind_label"], body["status_label"], body["current_level_label"]) == (
            "贫困户退出",
            "签字中",
            "村级",
        )
        assert [lv["level_label"] for lv in body["levels"]] == ["村级", "乡级", "县级", "市级"]
        village_steps = {s["position"]: s for s in body["levels"][0]["steps"]}
        assert village_steps["village_head"]["position_label"] == "村主任"
        assert village_steps["village_head"]["state_label"] == "待签字"
        assert "村主任" in body["waiting_for_labels"]
        household = ev.data["household_id"]
        for i, position in enumerate(all_positions(), start=1):
            r = await client.post(
                f"/inspection/v1/signoffs/{did}/signatures",
                json={"position": position},
                headers=signer(position, household_id=household),
            )
            assert r.status_code == 201, r.text
            assert r.json()["status"] == ("verified" if i == 13 else "open")
        assert r.json()["current_level"] is None
        assert r.json()["status_label"] == "已核验通过"
        assert all(s["state"] == "signed" for lv in r.json()["levels"] for s in lv["steps"])
        village = {s["position"]: s for s in r.json()["levels"][0]["steps"]}
        assert village["village_head"]["signer_name"] == "Test village_head"
        assert village["exit_household"]["signer_name"] == "王**"  # the family is masked
        (verified,) = await _events(app, "inspection.exit.verified.v1")
        assert verified["household_id"] == ev.data["household_id"]
        assert verified["exit_request_id"] == ev.data["exit_request_id"]
        assert verified["dossier_id"] == did
        # one more signature on a verified dossier is a refused transition
        r = await client.post(
            f"/inspection/v1/signoffs/{did}/signatures", json={"position": "mayor"}, headers=signer("mayor")
        )
        assert r.status_code == 409
        async with app.state.db.transaction() as s:
            intact, _ = await verify_chain(s)
            signed = (await s.execute(select(audit_log).where(audit_log.c.action == "dossier.signed"))).all()
        assert intact
        assert len(signed) == 13


async def test_wrong_role_wrong_area_and_wrong_order_change_nothing(make_db) -> None:
    app = app_for(make_db)
    async with service_client(app) as client:
        ev = await _open(app)
        did = await _dossier_id(client, ev.data["household_id"])
        url = f"/inspection/v1/signoffs/{did}/signatures"

        # a village head signing as party branch secretary
        r = await client.post(
            url, json={"position": "village_party_secretary"}, headers=signer("village_head")
        )
        assert r.status_code == 403
        assert r.json()["type"].endswith("/signer-lacks-position")
        # the head of the neighbouring village (same township, so the dossier is visible to them? no:
        # a village-level token only sees its own village) -> 404
        r = await client.post(
            url, json={"position": "village_head"}, headers=signer("village_head", area=OTHER_VILLAGE)
        )
        assert r.status_code == 404
        # the township head of the right township signs before the village finished -> 409
        r = await client.post(url, json={"position": "township_head"}, headers=signer("township_head"))
        assert r.status_code == 409
        assert r.json()["type"].endswith("/signoff-level-not-reached")
        # a county head from a neighbouring county's token cannot even see the dossier
        r = await client.post(
            url, json={"position": "county_head"}, headers=signer("county_head", area="620522000000")
        )
        assert r.status_code == 404
        # a city-level token holding county_head covers the area but is the wrong level's office
        r = await client.post(
            url, json={"position": "county_head"}, headers=signer("county_head", area="620500000000")
        )
        assert r.status_code == 403
        assert r.json()["type"].endswith("/signer-area-mismatch")
        # a cadre who was handed the household role cannot confirm for the family
        r = await client.post(url, json={"position": "exit_household"}, headers=signer("exit_household"))
        assert r.status_code == 403
        assert r.json()["type"].endswith("/signer-not-the-household")
        other_family = signer("exit_household", household_id="another-household")
        assert (
            await client.post(url, json={"position": "exit_household"}, headers=other_family)
        ).status_code == 403
        r = await client.post(url, json={"position": "governor"}, headers=signer("mayor"))
        assert r.status_code == 422

        r = await client.get(f"/inspection/v1/signoffs/{did}", headers=auth("inspector", "620521000000"))
        assert all(s["state"] == "pending" for lv in r.json()["levels"] for s in lv["steps"])
        assert r.json()["status"] == "open"
    assert OTHER_COUNTY_VILLAGE  # (kept for the saga test)


async def test_refusal_closes_the_dossier_with_its_reason(make_db) -> None:
    app = app_for(make_db)
    async with service_client(app) as client:
        ev = await _open(app)
        did = await _dossier_id(client, ev.data["household_id"])
        for position in all_positions()[:4]:
            r = await client.post(
                f"/inspection/v1/signoffs/{did}/signatures",
                json={"position": position},
                headers=signer(position, household_id=ev.data["household_id"]),
            )
            assert r.status_code == 201
        r = await client.post(
            f"/inspection/v1/signoffs/{did}/refusals",
            json={
                "position": "township_poverty_station_chief",
                "reason": "income from migrant work not verified",
            },
            headers=signer("township_poverty_station_chief"),
        )
        assert r.status_code == 201, r.text
        assert r.json()["status"] == "rejected"
        assert r.json()["refusal_reason"] == "income from migrant work not verified"
        (rejected,) = await _events(app, "inspection.exit.rejected.v1")
        assert rejected["level"] == "township"
        assert rejected["step"] == "township_poverty_station_chief"
        assert rejected["reason"] == "income from migrant work not verified"
        assert await _events(app, "inspection.exit.verified.v1") == []
        r = await client.post(
            f"/inspection/v1/signoffs/{did}/signatures",
            json={"position": "township_head"},
            headers=signer("township_head"),
        )
        assert r.status_code == 409
        assert r.json()["type"].endswith("/dossier-closed")


async def test_registry_withdrawing_the_request_stops_the_dossier(make_db) -> None:
    app = app_for(make_db)
    async with service_client(app) as client:
        ev = await _open(app)
        from tests.inspection.integration.helpers import event

        back = event(
            "registry.household.exit_returned.v1",
            {
                "household_id": ev.data["household_id"],
                "area_code": ev.data["area_code"],
                "exit_request_id": ev.data["exit_request_id"],
                "reason": "data corrected",
            },
        )
        assert await handle_event(app.state.db, "inspection", back, HANDLERS)
        did = await _dossier_id(client, ev.data["household_id"])
        r = await client.post(
            f"/inspection/v1/signoffs/{did}/signatures",
            json={"position": "village_head"},
            headers=signer("village_head"),
        )
        assert r.status_code == 409


async def test_a_retried_signature_with_the_same_key_is_replayed_not_refused(make_db) -> None:
    app = app_for(make_db)
    async with service_client(app) as client:
        ev = await _open(app)
        did = await _dossier_id(client, ev.data["household_id"])
        headers = signer("village_head") | {"Idempotency-Key": "phone-retry-1"}
        url = f"/inspection/v1/signoffs/{did}/signatures"
        first = await client.post(url, json={"position": "village_head"}, headers=headers)
        again = await client.post(url, json={"position": "village_head"}, headers=headers)
        assert first.status_code == again.status_code == 201
        assert again.headers["idempotent-replayed"] == "true"
        assert again.json() == first.json()
        without_key = await client.post(
            url, json={"position": "village_head"}, headers=signer("village_head")
        )
        assert without_key.status_code == 409


async def test_the_last_two_signatures_at_once_verify_exactly_once(make_db) -> None:
    import asyncio

    app = app_for(make_db)
    async with service_client(app) as client:
        ev = await _open(app)
        did = await _dossier_id(client, ev.data["household_id"])
        url = f"/inspection/v1/signoffs/{did}/signatures"
        for position in all_positions()[:11]:
            r = await client.post(
                url,
                json={"position": position},
                headers=signer(position, household_id=ev.data["household_id"]),
            )
            assert r.status_code == 201
        both = await asyncio.gather(
            client.post(
                url, json={"position": "city_party_secretary"}, headers=signer("city_party_secretary")
            ),
            client.post(url, json={"position": "mayor"}, headers=signer("mayor")),
        )
        assert [r.status_code for r in both] == [201, 201]
        assert sorted(r.json()["status"] for r in both) == ["open", "verified"]
        assert len(await _events(app, "inspection.exit.verified.v1")) == 1


async def test_a_place_records_its_own_signoff_set(make_db) -> None:
    app = app_for(make_db)
    kaiping_village = "440783105201"
    three_levels = {
        "code": "kaiping-3-level",
        "levels": [
            {"level": "village", "positions": ["village_head", "exit_household"]},
            {"level": "township", "positions": ["township_head"]},
            {"level": "county", "positions": ["county_head"]},
        ],
        "household_position": "exit_household",
    }
    async with service_client(app) as client:
        r = await client.get(
            f"/inspection/v1/signoff-schemes/{kaiping_village}", headers=auth("cadre", "440783000000")
        )
        assert (r.json()["code"], r.json()["source"]) == ("gansu-4342", "preset")
        admin = auth("admin", "440000000000")
        bad = {**three_levels, "levels": list(reversed(three_levels["levels"]))}
        assert (
            await client.put("/inspection/v1/signoff-schemes/440783", json=bad, headers=admin)
        ).status_code == 422
        assert (
            await client.put(
                "/inspection/v1/signoff-schemes/440783",
                json=three_levels,
                headers=auth("inspector", "440000000000"),
            )
        ).status_code == 403
        r = await client.put("/inspection/v1/signoff-schemes/440783", json=three_levels, headers=admin)
        assert r.status_code == 200, r.text
        r = await client.get(
            f"/inspection/v1/signoff-schemes/{kaiping_village}", headers=auth("cadre", "440783000000")
        )
        assert (r.json()["code"], r.json()["area_prefix"], r.json()["source"]) == (
            "kaiping-3-level",
            "440783",
            "record",
        )
        # Gansu still signs 4-3-4-2
        r = await client.get(
            "/inspection/v1/signoff-schemes/620521101203", headers=auth("cadre", "620521000000")
        )
        assert r.json()["code"] == "gansu-4342"

        ev = exit_requested(area=kaiping_village)
        assert await handle_event(app.state.db, "inspection", ev, HANDLERS)
        items = (
            await client.get("/inspection/v1/signoffs", headers=auth("inspector", "440783000000"))
        ).json()["items"]
        (dossier,) = items
        assert dossier["scheme_code"] == "kaiping-3-level"
        assert [len(lv["steps"]) for lv in dossier["levels"]] == [2, 1, 1]
        url = f"/inspection/v1/signoffs/{dossier['id']}/signatures"
        hid = ev.data["household_id"]
        steps = [
            ("village_head", kaiping_village, "village_head@x"),
            ("exit_household", kaiping_village, hid),
            ("township_head", "440783105000", "township_head@x"),
            ("county_head", "440783000000", "county_head@x"),
        ]
        for position, area, sub in steps:
            r = await client.post(url, json={"position": position}, headers=auth([position], area, sub=sub))
            assert r.status_code == 201, r.text
        assert r.json()["status"] == "verified"
        # the list filter takes the status by the sign-off screen's word too
        inspector = auth("inspector", "440783000000")
        for status, ids in (("已核验通过", [dossier["id"]]), ("verified", [dossier["id"]]), ("签字中", [])):
            r = await client.get("/inspection/v1/signoffs", params={"status": status}, headers=inspector)
            assert [d["id"] for d in r.json()["items"]] == ids, (status, r.text)
        r = await client.get("/inspection/v1/signoffs", params={"status": "已签完"}, headers=inspector)
        assert r.status_code == 422, r.text
        assert "签字中（open）、已核验通过（verified）" in r.json()["detail"], r.text


async def test_a_signature_at_night_shows_the_day_it_was_signed_in_china(make_db) -> None:
    """Found running the system (stop 26): a village party secretary who signed at 02:30 on
    6 December in Beijing saw the signature (and the dossier) dated "2026-12-05T18:30:00Z". The
    instants now read in the office's time with their offset (the same instant)."""
    from datetime import UTC, datetime

    from shared.clock import clock

    app = app_for(make_db)
    async with service_client(app) as client:
        with clock.frozen(datetime(2026, 12, 5, 18, 30, tzinfo=UTC)):
            ev = await _open(app)
            did = await _dossier_id(client, ev.data["household_id"])
            r = await client.post(
                f"/inspection/v1/signoffs/{did}/signatures",
                json={"position": "village_party_secretary"},
                headers=signer("village_party_secretary"),
            )
        assert r.status_code == 201, r.text
        assert r.json()["levels"][0]["steps"][0]["at"] == "2026-12-06T02:30:00+08:00"
        assert r.json()["created_at"] == "2026-12-06T02:30:00+08:00"
        listed = await client.get("/inspection/v1/signoffs", headers=auth("inspector", "620521000000"))
        assert listed.json()["items"][0]["levels"][0]["steps"][0]["at"] == "2026-12-06T02:30:00+08:00"
