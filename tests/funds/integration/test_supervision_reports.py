"""Supervision detectors and reports on real PostgreSQL."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook

from services.funds.app import create_app
from services.funds.settings import FundsSettings
from services.funds.supervision.service import run_job
from shared.clock import clock
from shared.money import yuan
from tests.funds.integration.factories import (
    FINANCE,
    deliver,
    kaiping_plan,
    open_kaiping_accounts,
    outbox_types,
    receive_from_kaiping_finance,
    registered,
    registry_event,
)
from tests.support import auth, service_client, settings_for

pytestmark = pytest.mark.asyncio
VILLAGE = "440783105201"


def pin_today(app, day: date) -> None:  # type: ignore[no-untyped-def]
    clock.freeze(day)


async def setup_paid(client, app) -> dict:  # type: ignore[no-untyped-def]
    for ref, n in (("hh-a", 2), ("hh-b", 1)):
        await deliver(app.state.db, registered(ref, n))
    await open_kaiping_accounts(client)
    plan = await kaiping_plan(client)
    for payer, year, amount in (
        ("kaiping-finance", 2016, yuan(2_100)),
        ("chishui-town-finance", 2016, yuan(1_350)),
        ("jiangmen-poverty-fund", None, yuan(48_000)),
    ):
        r = await client.post(
            "/funds/v1/ledger/transfers",
            json={
                "kind": "receipt",
                "from_account": payer,
                "to_account": "kaiping-special-account",
                "amount_fen": amount,
                "plan_id": plan["id"],
                "year": year,
            },
            headers=FINANCE,
        )
        assert r.status_code == 201, r.text
    return plan


async def pay(client, plan, ref: str, amount: int, component: str = "kaiping", year: int | None = 2016):  # type: ignore[no-untyped-def]
    r = await client.post(
        "/funds/v1/disbursements",
        json={
            "beneficiary_kind": "household",
            "beneficiary_id": ref,
            "amount_fen": amount,
            "from_account": "kaiping-special-account",
            "plan_id": plan["id"],
            "component": component,
            "year": year,
        },
        headers=FINANCE,
    )
    assert r.status_code == 201, r.text
    return r.json()


async def test_detectors_flag_duplicates_removed_and_over_entitlement_once(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    pin_today(app, date(2017, 3, 1))
    async with service_client(app) as client:
        plan = await setup_paid(client, app)
        original = await pay(client, plan, "hh-a", yuan(1_000))
        repeat = await pay(client, plan, "hh-a", yuan(1_000))  # same amount, same purpose: a duplicate
        await pay(client, plan, "hh-b", yuan(20_000), component="jiangmen", year=None)
        # the registry removes hh-b after it was paid: its plan lines go, its payment stays
        await deliver(
            app.state.db,
            registry_event(
                "registry.household.removed.v1",
                "hh-b",
                {"household_id": "hh-b", "area_code": VILLAGE, "reason": "fraud"},
            ),
        )

        r = await client.post("/funds/v1/supervision/runs", headers=FINANCE)
        kinds = sorted(a["kind"] for a in r.json()["new_anomalies"])
        assert kinds == ["duplicate_payment", "over_entitlement", "removed_beneficiary"]
        found = {a["kind"]: a for a in r.json()["new_anomalies"]}
        assert found["duplicate_payment"]["kind_label"] == "重复发放"
        # the payment entered second is the duplicate to check and reverse, not the first
        duplicate = found["duplicate_payment"]["detail"]
        assert (duplicate["disbursement_id"], duplicate["duplicate_of"]) == (repeat["id"], original["id"])
        over = found["over_entitlement"]
        assert over["amount_fen"] == yuan(20_000)  # hh-b is no longer planned for at all

        again = await client.post("/funds/v1/supervision/runs", headers=FINANCE)
        assert again.json()["new_anomalies"] == []
        assert (await outbox_types(app.state.db)).count("funds.anomaly.detected.v1") == 3
        listed = await client.get("/funds/v1/anomalies", headers=auth("inspector", "440783000000"))
        assert len(listed.json()["items"]) == 3
        assert (await client.get("/funds/v1/anomalies", headers=auth("inspector", "350500000000"))).json()[
            "items"
        ] == []


async def test_idle_money_is_flagged_by_the_periodic_job(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    async with service_client(app) as client:
        await open_kaiping_accounts(client)
        await receive_from_kaiping_finance(client, yuan(500_000), FINANCE)
        today = clock.today()
        assert await run_job(app.state.db, datetime(today.year, today.month, today.day)) == 0
        later = datetime.fromordinal(today.toordinal() + 181)
        assert await run_job(app.state.db, later) == 1
        assert await run_job(app.state.db, later) == 0


async def test_the_periodic_job_counts_idle_days_by_the_office_date(make_db) -> None:  # type: ignore[no-untyped-def]
    """At 00:30 in Beijing the UTC date is still yesterday's: money idle 181 office days is flagged."""
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    async with service_client(app) as client:
        await open_kaiping_accounts(client)
        await receive_from_kaiping_finance(client, yuan(500_000), FINANCE)
        day_181 = date.fromordinal(clock.today().toordinal() + 181)
        just_after_midnight = datetime(day_181.year, day_181.month, day_181.day, tzinfo=UTC) - timedelta(
            hours=7, minutes=30
        )
        assert await run_job(app.state.db, just_after_midnight) == 1


async def test_report_planned_received_disbursed_csv_and_xlsx(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    pin_today(app, date(2017, 3, 1))
    async with service_client(app) as client:
        plan = await setup_paid(client, app)
        await pay(client, plan, "hh-a", yuan(1_050))

        r = await client.get(
            "/funds/v1/reports/funds", params={"area_code": "440783105000", "year": 2016}, headers=FINANCE
        )
        rows = {row["source"]: row for row in r.json()["rows"]}
        # 3 people: Kaiping city 1,050/person in 2016, the town 450/person
        assert rows["kaiping-finance"]["planned_fen"] == yuan(3_150)
        assert rows["kaiping-finance"]["received_fen"] == yuan(2_100)
        assert rows["kaiping-finance"]["disbursed_fen"] == yuan(1_050)
        assert rows["kaiping-finance"]["disbursement_rate_percent"] == "50.00"
        assert rows["chishui-town-finance"]["planned_fen"] == yuan(1_350)
        # each line names its source in words, as the CSV's 资金来源 column does (not only its code)
        assert rows["kaiping-finance"]["source_name"] == "开平市财政(含市直部门)"
        assert r.json()["total"]["source_name"] == "合计"

        csv = await client.get(
            "/funds/v1/reports/funds",
            params={"area_code": "440783105000", "year": 2016, "format": "csv"},
            headers=FINANCE,
        )
        assert csv.headers["content-type"].startswith("text/csv")
        assert csv.content.startswith(b"\xef\xbb\xbf")
        lines = csv.content.decode("utf-8-sig").splitlines()
        assert lines[0].startswith("资金来源账户,资金来源,计划金额（元）")
        [kaiping] = [line for line in lines if line.startswith("kaiping-finance,")]
        assert kaiping.endswith(",3150.00,2100.00,1050.00,50.00")

        xlsx = await client.get(
            "/funds/v1/reports/funds",
            params={"area_code": "440783105000", "year": 2016, "format": "xlsx"},
            headers=FINANCE,
        )
        sheet = load_workbook(io.BytesIO(xlsx.content)).active
        assert sheet is not None
        assert sheet.freeze_panes == "A2"
        values = {row[0]: row for row in sheet.iter_rows(values_only=True)}
        assert values["资金来源账户"][2] == "计划金额（元）"
        assert values["kaiping-finance"][2:5] == (3150, 2100, 1050)

        other = await client.get(
            "/funds/v1/reports/funds",
            params={"area_code": "440783105000"},
            headers=auth("finance", "350500000000"),
        )
        assert other.status_code == 404


async def test_plan_arrears_show_who_has_paid_in(make_db) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    async with service_client(app) as client:
        plan = await setup_paid(
            client, app
        )  # 3 people; 2016 receipts from Kaiping and the town, Jiangmen in full

        r = await client.get(f"/funds/v1/plans/{plan['id']}/arrears", headers=FINANCE)

        rows = {(row["payer"], row["year"]): row for row in r.json()}
        assert rows[("kaiping-finance", 2016)] == {
            "payer": "kaiping-finance",
            "year": 2016,
            "owed_fen": yuan(3_150),
            "received_fen": yuan(2_100),
            "outstanding_fen": yuan(1_050),
        }
        assert rows[("chishui-town-finance", 2016)]["outstanding_fen"] == 0
        assert rows[("jiangmen-poverty-fund", None)]["outstanding_fen"] == 0
        assert rows[("chishui-town-finance", 2018)]["outstanding_fen"] == yuan(900)  # 300/person, not yet due


async def test_a_payment_naming_no_year_is_reported_in_the_china_year_it_was_paid(make_db) -> None:  # type: ignore[no-untyped-def]
    """Paid at 03:30 on 1 January 2018 in Beijing (still 2017 in UTC) without a plan year: the 2018
    report counts it, as its event does; the 2017 report does not."""
    app = create_app(settings_for(FundsSettings, make_db("funds")))
    pin_today(app, date(2017, 3, 1))
    async with service_client(app) as client:
        plan = await setup_paid(client, app)
        clock.freeze(datetime(2017, 12, 31, 19, 30, tzinfo=UTC))
        paid = await pay(client, plan, "hh-a", yuan(1_000), year=None)
        assert (paid["paid_on"], paid["year"]) == ("2018-01-01", None)

        async def disbursed(year: int) -> int:
            r = await client.get(
                "/funds/v1/reports/funds", params={"area_code": "440783105000", "year": year}, headers=FINANCE
            )
            return int(r.json()["total"]["disbursed_fen"])

        assert (await disbursed(2017), await disbursed(2018)) == (0, yuan(1_000))
