"""Funds' snapshot + catch-up on real PostgreSQL and NATS: a platform that loads account balances
from the snapshot and adds the postings of later ledger events ends with exactly the ledger's
balances — with transfers written while the snapshot is read and events not yet published when it
began (the snapshot's ``reflected`` lines keep an additive projection from counting them twice)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import nats
import pytest
from sqlalchemy import select

from services.funds.app import create_app
from services.funds.models import Account
from services.funds.settings import FundsSettings
from services.funds.snapshot.router import SECTIONS
from shared.events.relay import OutboxRelay
from shared.events.streams import ensure_stream, stream_for
from shared.money import yuan
from shared.snapshot import lines
from tests.funds.integration.factories import FINANCE, open_kaiping_accounts
from tests.support import auth, service_client, settings_for, wait_for

pytestmark = pytest.mark.asyncio
PLATFORM = auth("service", "440000000000", sub="gd-bigdata")
RECEIPT = {
    "kind": "receipt",
    "from_account": "jiangmen-poverty-fund",
    "to_account": "kaiping-special-account",
}


async def nats_js(url: str) -> Any:
    nc = await nats.connect(url)
    js = nc.jetstream(timeout=5)
    await ensure_stream(js, stream_for("funds"))
    _connections.append(nc)
    return js


_connections: list[Any] = []


class Platform:
    def __init__(self) -> None:
        self.balances: dict[str, int] = {}
        self.applied: set[str] = set()

    def load(self, snap: list[dict[str, Any]]) -> int:
        header, *rows, end = snap
        assert (header["kind"], end["kind"]) == ("header", "end")
        for row in rows:
            if row["kind"] == "account":
                self.balances[row["code"]] = row["balance_fen"]
            elif row["kind"] == "reflected":
                self.applied.add(row["event_id"])
        assert end["counts"]["account"] == len(self.balances)
        return int(header["feed_after"])

    def apply(self, event: dict[str, Any]) -> None:
        if event["id"] in self.applied:
            return
        self.applied.add(event["id"])
        if event["type"] == "funds.transaction.posted.v1":
            for p in event["data"]["postings"]:
                self.balances[p["account"]] = self.balances.get(p["account"], 0) + p["amount_fen"]


async def _truth(app: Any) -> dict[str, int]:
    async with app.state.db.transaction() as s:
        return {a.code: a.balance_fen for a in (await s.execute(select(Account))).scalars()}


async def _receipt(c: Any, yuan_: int) -> None:
    r = await c.post(
        "/funds/v1/ledger/transfers", json={**RECEIPT, "amount_fen": yuan(yuan_)}, headers=FINANCE
    )
    assert r.status_code == 201, r.text


async def test_snapshot_plus_feed_equals_the_ledger_after_transfers_during_the_snapshot(make_db, nats_url):
    # the relay is held back: the first receipts are committed but unpublished when the snapshot
    # begins, so their events come after feed_after although the snapshot already counts them
    app = create_app(settings_for(FundsSettings, make_db("funds"), nats_url, run_relay=False))
    async with service_client(app) as c:
        await open_kaiping_accounts(c)
        await _receipt(c, 1_000_000)
        await _receipt(c, 250_000)
        js = await nats_js(nats_url)

        async def last_seq() -> int:
            return int((await js.stream_info(stream_for("funds"))).state.last_seq)

        stream = lines(
            app.state.db.engine, service="funds", prefix="4407", sections=SECTIONS, stream_last_seq=last_seq
        )
        header = json.loads(await anext(stream))  # the snapshot transaction has taken its first read
        await _receipt(c, 40_000)  # during the snapshot
        rest = [json.loads(line) async for chunk in stream for line in chunk.splitlines()]
        relay = OutboxRelay(app.state.db, js, service="funds")
        publishing = asyncio.create_task(relay.run())
        platform = Platform()
        after = platform.load([header, *rest])
        assert sum(1 for row in rest if row["kind"] == "reflected") >= 2  # at least the two receipts
        assert platform.balances["kaiping-special-account"] == yuan(1_250_000)  # the third is not in it
        await _receipt(c, 7_000)  # after it
        truth = await _truth(app)
        assert truth["kaiping-special-account"] == yuan(1_297_000)

        async def caught_up() -> bool:
            cursor = after
            while True:
                r = await c.get(
                    "/funds/v1/feed/events", params={"after": cursor, "limit": 500}, headers=PLATFORM
                )
                assert r.status_code == 200, r.text
                page = r.json()
                for entry in page["events"]:
                    platform.apply(entry["event"])
                cursor = page["next_after"]
                if not page["has_more"]:
                    break
            return {k: v for k, v in platform.balances.items() if k in truth} == truth

        await wait_for(caught_up, timeout_s=20, what="the platform's balances to equal the ledger")
        assert platform.balances["kaiping-special-account"] == yuan(1_297_000)
        assert platform.balances["jiangmen-poverty-fund"] == -yuan(1_297_000)

        r = await c.get("/funds/v1/snapshot", params={"area_code": "440783000000"}, headers=PLATFORM)
        assert r.status_code == 200, r.text
        rows = [json.loads(line) for line in r.text.splitlines()]
        assert rows[0]["format"] == "jingzhun.funds.snapshot.v1"
        kaiping = {row["code"]: row["balance_fen"] for row in rows if row["kind"] == "account"}
        assert kaiping["kaiping-special-account"] == yuan(1_297_000)
        assert "jiangmen-poverty-fund" not in kaiping  # the city's account is above the county
        assert (
            await c.get("/funds/v1/snapshot", params={"area_code": "440783000000"}, headers=FINANCE)
        ).status_code == 403
        relay.stop()
        await publishing
        await _connections.pop().close()
