"""Funds anomalies and pairing gaps become findings, once per signal however often repeated."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from services.inspection.consumers import HANDLERS
from services.inspection.models import Finding
from shared.events.consumer import handle_event
from shared.events.contracts import ContractViolation
from shared.tables import inbox, outbox
from tests.inspection.integration.helpers import VILLAGE, app_for, event
from tests.support import auth, service_client

pytestmark = pytest.mark.asyncio
WHEN = datetime(2026, 5, 1, 2, 0, tzinfo=UTC)  # 10:00 on 1 May in Beijing


def anomaly(n: int, key: str = "dup:pay-77"):  # type: ignore[no-untyped-def]
    return event(
        "funds.anomaly.detected.v1",
        {
            "anomaly_id": f"a{n}",
            "signal_key": key,
            "kind": "duplicate_payment",
            "area_code": VILLAGE,
            "amount_fen": 150_000,
            "detail": {"payment_ids": ["p1", "p2"]},
        },
        time=WHEN,
    )


def gap(n: int):  # type: ignore[no-untyped-def]
    return event(
        "pairing.coverage.gap_detected.v1",
        {
            "gap_id": f"g{n}",
            "signal_key": "no-cadre:h-9",
            "kind": "household_without_cadre",
            "area_code": VILLAGE,
            "subject_id": "h-9",
            "detail": "unpaired for 45 days",
        },
        time=WHEN,
    )


async def test_repeated_signal_raises_one_finding(make_db) -> None:
    app = app_for(make_db)
    async with service_client(app) as c:
        db = app.state.db
        # the same problem detected three times (three event ids), plus one redelivery
        for ev in (anomaly(1), anomaly(2), anomaly(3)):
            assert await handle_event(db, "inspection", ev, HANDLERS)
        first_gap = gap(1)
        assert await handle_event(db, "inspection", first_gap, HANDLERS)
        assert not await handle_event(db, "inspection", first_gap, HANDLERS)
        assert await handle_event(db, "inspection", gap(2), HANDLERS)
        assert await handle_event(db, "inspection", anomaly(4, key="dup:pay-78"), HANDLERS)

        async with db.transaction() as s:
            keys = (await s.execute(select(Finding.source_key).order_by(Finding.source_key))).scalars().all()
            raised = (
                await s.execute(select(func.count()).where(outbox.c.type == "inspection.finding.raised.v1"))
            ).scalar()
        assert keys == ["funds:dup:pay-77", "funds:dup:pay-78", "pairing:no-cadre:h-9"]
        assert raised == 3

        items = (await c.get("/inspection/v1/findings", headers=auth("inspector", "620521000000"))).json()[
            "items"
        ]
        by_key = {f["source_key"]: f for f in items}
        dup = by_key["funds:dup:pay-77"]
        assert (dup["category"], dup["severity"], dup["deadline"]) == ("funds_misuse", "high", "2026-05-16")
        assert dup["description"] == "拨付编号：p1、p2"  # the detail in words, not JSON
        unpaired = by_key["pairing:no-cadre:h-9"]
        assert (unpaired["category"], unpaired["severity"], unpaired["deadline"]) == (
            "pairing_gap",
            "medium",
            "2026-05-31",
        )
        assert date.fromisoformat(unpaired["raised_on"]) == date(2026, 5, 1)
        # a caller from another county sees none of them
        assert (await c.get("/inspection/v1/findings", headers=auth("inspector", "350502000000"))).json()[
            "items"
        ] == []


async def test_a_malformed_event_is_set_aside_without_blocking_the_next(make_db) -> None:
    from tests.inspection.integration.helpers import exit_requested

    app = app_for(make_db)
    async with service_client(app) as c:
        db = app.state.db
        no_key = event(
            "funds.anomaly.detected.v1", {"anomaly_id": "a9", "kind": "idle_funds", "area_code": VILLAGE}
        )
        bad_area = event(
            "pairing.coverage.gap_detected.v1",
            {
                "gap_id": "g9",
                "signal_key": "k9",
                "kind": "visit_overdue",
                "area_code": "nowhere",
                "subject_id": "h9",
            },
        )
        no_year = exit_requested()
        del no_year.data["year"]
        # Against the producer's contract: refused before any handler runs (the consumer runner
        # sends it to the dead letters at once, with the reason)
        for ev, missing in ((no_key, "signal_key"), (no_year, "year")):
            with pytest.raises(ContractViolation, match=f"{missing}: Field required"):
                await handle_event(db, "inspection", ev, HANDLERS)
        # A well-formed event this service cannot use: set aside, handled: it will never get better
        assert await handle_event(db, "inspection", bad_area, HANDLERS)
        assert await handle_event(db, "inspection", anomaly(1), HANDLERS)
        async with db.transaction() as s:
            keys = (await s.execute(select(Finding.source_key))).scalars().all()
        assert keys == ["funds:dup:pay-77"]
        r = await c.get("/inspection/v1/signoffs", headers=auth("inspector", "620521000000"))
        assert r.json()["items"] == []


async def test_a_signal_repeated_over_nats_raises_one_finding(make_db, nats_url) -> None:
    import nats

    from shared.events.streams import ensure_streams
    from tests.support import wait_for

    app = app_for(make_db, nats_url)
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        await ensure_streams(js)
        async with service_client(app) as c:
            for n in range(3):  # funds re-detects the same duplicate payment three times
                ev = anomaly(n)
                await js.publish(ev.type, ev.to_json_bytes(), headers={"Nats-Msg-Id": ev.id})
            ev = gap(1)
            await js.publish(ev.type, ev.to_json_bytes(), headers={"Nats-Msg-Id": ev.id})

            async def all_handled() -> bool:
                async with app.state.db.transaction() as s:
                    return (await s.execute(select(func.count()).select_from(inbox))).scalar_one() == 4

            await wait_for(all_handled, what="all four events consumed")
            items = (await c.get("/inspection/v1/findings", headers=auth("inspector", "620521000000"))).json()
            assert sorted(f["source_key"] for f in items["items"]) == [
                "funds:dup:pay-77",
                "pairing:no-cadre:h-9",
            ]
    finally:
        await nc.close()
