"""A client stream of registrations, payments, pairings and visits against the four services as
OS processes, with faults injected in the middle, and the checks that must hold afterwards.

The stream runs in a thread of its own (its own event loop), so the test's main thread may stop
and start servers synchronously. Every write carries an ``Idempotency-Key`` (visits their own
client id) and is sent again with the same key after a 503, a cut connection or a timeout, as a
careful client would; so "accepted once" is checkable: every write the client saw accepted must
be in its service and in every projection of it exactly once.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx
from sqlalchemy import func, select, text

from services.funds.policies.presets import ACCOUNTS, KAIPING_PER_CAPITA
from services.funds.schemes.schemas import from_rule
from shared import audit
from shared.clock import clock
from shared.db import Database
from shared.resident_id import make
from shared.tables import inbox, outbox
from tests.support import auth

PROVINCE, COUNTY, TOWN, VILLAGE = "440000000000", "440783000000", "440783105000", "440783105201"
AREAS = [
    {"code": PROVINCE, "name": "广东省"},
    {"code": "440700000000", "name": "江门市"},
    {"code": COUNTY, "name": "开平市", "rural_population": 20_000},
    {"code": TOWN, "name": "赤水镇(合成代码)", "synthetic_code": True},
    {
        "code": VILLAGE,
        "name": "故障村",
        "poor_village": True,
        "rural_population": 5_000,
        "synthetic_code": True,
    },
]
APPROVER = auth(["registrar", "approver"], COUNTY, sub="fault-clerk")
FINANCE = auth("finance", COUNTY, sub="fault-finance")
OFFICE = auth("registrar", COUNTY, sub="fault-office")
SPECIAL = "kaiping-special-account"
RECEIPT_FEN = 1_000_000  # 10,000 yuan a receipt
PAYMENT_FEN = 10_000  # 100 yuan a payment
SERVICES = ("registry", "funds", "pairing", "inspection")
# Which events each consumer takes from whom (the pairs the checks compare, event by event).
FLOWS = {
    "registry.household.registered.v1": ("registry", ("funds", "pairing", "inspection")),
    "pairing.pairing.opened.v1": ("pairing", ("registry", "funds", "inspection")),
    "pairing.visit.recorded.v2": ("pairing", ("inspection",)),
    "funds.disbursement.recorded.v1": ("funds", ("inspection",)),
}
GIVE_UP_S = 120.0  # a write not accepted within this long (503s, cut connections) counts as lost
TIMEOUT_S = 20.0  # an answer slower than this is a hang


@dataclass
class Figures:
    accepted: Counter[str] = field(default_factory=Counter)  # writes answered 2xx, by kind
    refused: Counter[str] = field(default_factory=Counter)  # answered 409, by kind
    statuses: Counter[int] = field(default_factory=Counter)  # every answer the client got
    unavailable: Counter[str] = field(default_factory=Counter)  # 503s, by service
    cut: Counter[str] = field(default_factory=Counter)  # connection refused or reset, by service
    hangs: list[str] = field(default_factory=list)  # no answer within TIMEOUT_S
    unexpected: list[str] = field(default_factory=list)  # 500s, 4xx other than 409, given-up writes
    faults: list[str] = field(default_factory=list)
    drain_s: float = 0.0
    elapsed_s: float = 0.0

    def report(self, title: str) -> str:
        lines = [
            f"== {title}: {self.elapsed_s:.0f}s of traffic, faults: {', '.join(self.faults) or 'none'}",
            f"   writes accepted {sum(self.accepted.values())} ({dict(self.accepted)})",
            f"   refused 409 {sum(self.refused.values())} ({dict(self.refused)})",
            f"   503 seen {sum(self.unavailable.values())} ({dict(self.unavailable)}), "
            f"connections cut {sum(self.cut.values())} ({dict(self.cut)}), hangs {len(self.hangs)}",
            f"   answers {dict(sorted(self.statuses.items()))}",
            f"   unexpected {len(self.unexpected)} {self.unexpected[:5]}, hangs {self.hangs[:5]}",
            f"   drained (outboxes 0, every projection caught up) {self.drain_s:.1f}s after the last fault",
        ]
        return "\n".join(lines)


def _person(i: int, offset: int) -> str:
    born = date(1940, 1, 1) + timedelta(days=i)
    return make("440783", born, offset, sex="male" if offset % 2 else "female")


@dataclass
class Stream:
    """The client: setup once, then ``start()`` the mixed stream, ``stop()`` it, ``check()``."""

    system: Any  # tests.e2e.conftest.System
    workers: int = 3
    figures: Figures = field(default_factory=Figures)
    households: list[str] = field(default_factory=list)  # registered, as the registry answered
    _paired: dict[str, str] = field(default_factory=dict)  # household -> helper
    _seq: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _helpers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _plan_id: str = ""
    _started: float = 0.0

    # -- the client ---------------------------------------------------------------------------
    async def send(
        self,
        http: httpx.AsyncClient,
        kind: str,
        service: str,
        path: str,
        body: Any,
        headers: dict[str, str],
        *,
        method: str = "POST",
        key: str | None = None,
    ) -> httpx.Response | None:
        """One write, sent again with the same key until it gets an answer that is not a 503."""
        url = self.system.url(service, path)
        headers = {**headers, "Idempotency-Key": key or str(uuid.uuid4())}
        deadline = time.monotonic() + GIVE_UP_S
        while time.monotonic() < deadline:
            try:
                r = await http.request(method, url, json=body, headers=headers)
            except httpx.TimeoutException as exc:
                self.figures.hangs.append(f"{kind} {service}: {exc!r}")
                continue
            except httpx.TransportError:  # refused while it is down, or cut by the kill
                self.figures.cut[service] += 1
                await asyncio.sleep(0.3)
                continue
            self.figures.statuses[r.status_code] += 1
            slug = r.json().get("type", "").rsplit("/", 1)[-1] if r.status_code >= 400 and r.content else ""
            if r.status_code == 503:
                self.figures.unavailable[f"{service} ({slug})"] += 1
                await asyncio.sleep(min(float(r.headers.get("Retry-After", "1")), 2.0))
                continue
            if r.status_code < 300:
                if method == "POST":
                    self.figures.accepted[kind] += 1
                return r
            if slug == "idempotency-key-in-flight":
                # the first attempt (cut off by the client's timeout) is still running: its answer
                # is this write's, asked for again in a moment with the same key
                await asyncio.sleep(0.5)
                continue
            if r.status_code == 409:
                self.figures.refused[f"{kind} ({slug})"] += 1
                return r
            self.figures.unexpected.append(f"{kind} {service} {r.status_code}: {r.text[:300]}")
            return None
        self.figures.unexpected.append(f"{kind} {service}: not accepted within {GIVE_UP_S:.0f}s")
        return None

    async def setup(self) -> None:
        async with httpx.AsyncClient(timeout=TIMEOUT_S) as http:
            r = await self.send(
                http, "areas", "registry", "/areas", {"areas": AREAS}, auth("registrar", PROVINCE)
            )
            _expect(r, 200)
            for preset in ACCOUNTS:
                if preset.area_code.startswith("4407"):
                    body = {
                        "code": preset.code,
                        "name": preset.name,
                        "area_code": preset.area_code,
                        "kind": preset.kind,
                    }
                    r = await self.send(
                        http,
                        "account",
                        "funds",
                        "/accounts",
                        body,
                        auth("finance", preset.area_code[:4] + "0" * 8),
                    )
                    _expect(r, 201)
            scheme = {
                "code": KAIPING_PER_CAPITA.code,
                "name": KAIPING_PER_CAPITA.name,
                "area_code": COUNTY,
                "params": from_rule(KAIPING_PER_CAPITA),
            }
            r = await self.send(http, "scheme", "funds", "/schemes", scheme, FINANCE)
            _expect(r, 201)
            r = await self.send(
                http, "plan", "funds", "/plans", {"scheme_id": r.json()["id"], "area_code": TOWN}, FINANCE
            )
            _expect(r, 201)
            self._plan_id = r.json()["id"]
        self.figures = Figures()  # the figures count the stream only

    # -- one client's mixed traffic -----------------------------------------------------------
    async def _register(self, http: httpx.AsyncClient) -> None:
        i = next(self._seq)
        row = {
            "area_code": VILLAGE,
            "year": 2016,
            "registered_on": "2016-12-01",
            "poverty_causes": ["illness"],
            "batches": ["production_employment"],
            "dibao": True,
            "members": [
                {
                    "name": f"故障户主{i}",
                    "resident_id": _person(i, 1),
                    "relation": "head",
                    "labour_capacity": "full",
                },
                {
                    "name": f"故障配偶{i}",
                    "resident_id": _person(i, 2),
                    "relation": "spouse",
                    "labour_capacity": "partial",
                },
            ],
        }
        body = {"households": [row], "source_roll": "开平市2016年建档立卡花名册", "reason": "故障演练"}
        r = await self.send(http, "registration", "registry", "/households/imports", body, APPROVER)
        if r is None or r.status_code != 200:
            return
        found = await self._lookup(http, _person(i, 1))
        if found:
            self.households.append(found)

    async def _lookup(self, http: httpx.AsyncClient, resident_id: str) -> str | None:
        url = self.system.url("registry", "/households")
        for _ in range(200):
            try:
                r = await http.get(url, params={"resident_id": resident_id}, headers=APPROVER)
            except httpx.TransportError:
                await asyncio.sleep(0.3)
                continue
            if r.status_code == 200 and r.json()["items"]:
                return str(r.json()["items"][0]["id"])
            if r.status_code != 503:
                self.figures.unexpected.append(f"lookup {r.status_code}: {r.text[:200]}")
                return None
            await asyncio.sleep(0.5)
        return None

    async def _receipt(self, http: httpx.AsyncClient) -> None:
        body = {
            "kind": "receipt",
            "from_account": "jiangmen-poverty-fund",
            "to_account": SPECIAL,
            "amount_fen": RECEIPT_FEN,
            "memo": "故障演练",
        }
        await self.send(http, "receipt", "funds", "/ledger/transfers", body, FINANCE)

    async def _pay(self, http: httpx.AsyncClient, household: str) -> None:
        body = {
            "beneficiary_kind": "household",
            "beneficiary_id": household,
            "amount_fen": PAYMENT_FEN,
            "from_account": SPECIAL,
            "plan_id": self._plan_id,
            "component": "kaiping",
            "year": 2016,
        }
        await self.send(http, "disbursement", "funds", "/disbursements", body, FINANCE)

    async def _known_to_pairing(self, http: httpx.AsyncClient, household: str) -> bool:
        """Pairing learns of a household from the registry's event; until then it answers 404."""
        try:
            r = await http.get(self.system.url("pairing", f"/households/{household}"), headers=OFFICE)
        except httpx.TransportError:
            return False
        return r.status_code == 200

    async def _pair(self, http: httpx.AsyncClient, household: str) -> None:
        if not await self._known_to_pairing(http, household):
            return
        n = next(self._helpers)
        helper = {
            "kind": "cadre",
            "name": f"驻村干部{n}",
            "area_code": VILLAGE,
            "user_sub": f"fault-cadre-{n}",
        }
        r = await self.send(http, "helper", "pairing", "/helpers", helper, OFFICE)
        if r is None or r.status_code != 201:
            return
        body = {"kind": "cadre_household", "helper_id": r.json()["id"], "target_id": household}
        r = await self.send(http, "pairing", "pairing", "/pairings", body, OFFICE)
        if r is not None and r.status_code == 201:
            self._paired[household] = r.json()["helper_id"]

    async def _visit(self, http: httpx.AsyncClient, household: str) -> None:
        visit_id = str(uuid.uuid4())
        body = {
            "id": visit_id,
            "household_id": household,
            "helper_id": self._paired[household],
            "visited_on": str(clock.today()),
            "kind": "home_visit",
            "notes": "故障演练走访",
        }
        await self.send(http, "visit", "pairing", "/visits", body, OFFICE, key=visit_id)

    async def _client(self, n: int) -> None:
        rng = random.Random(n)
        async with httpx.AsyncClient(timeout=TIMEOUT_S) as http:
            while not self._stop.is_set():
                roll = rng.random()
                known = list(self.households)
                unpaired = [h for h in known if h not in self._paired]
                if roll < 0.35 or not known:
                    await self._register(http)
                elif roll < 0.5:
                    await self._receipt(http)
                elif roll < 0.7:
                    await self._pay(http, rng.choice(known))
                elif roll < 0.8 and unpaired:
                    await self._pair(http, rng.choice(unpaired))
                elif self._paired:
                    await self._visit(http, rng.choice(list(self._paired)))

    async def _run(self) -> None:
        await asyncio.gather(*(self._client(n) for n in range(self.workers)))

    def start(self) -> None:
        self._started = time.monotonic()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), name="stream", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        assert self._thread is not None
        self._thread.join(timeout=GIVE_UP_S + 30)
        assert not self._thread.is_alive(), "the client stream did not finish"
        self.figures.elapsed_s = time.monotonic() - self._started

    # -- the checks ---------------------------------------------------------------------------
    async def check(self, *, drain_from: float, drain_limit_s: float = 180.0) -> None:
        f = self.figures
        try:
            # What the client was answered comes first: after a 500, a give-up or a hang the client
            # stops asking, so a write that was in fact saved is one the counts below miss — they
            # would show only the symptom ("a payment too many"), not its cause.
            assert f.unexpected == [], f.unexpected[:10]
            assert f.hangs == [], f.hangs[:10]
            assert set(f.statuses) <= {200, 201, 202, 204, 409, 503}, f.statuses
            assert f.accepted["registration"] > 0, f.accepted
            assert f.accepted["receipt"] > 0, f.accepted
            await self._stored_as_answered(drain_from, drain_limit_s)
        except AssertionError:
            print("\n" + f.report("FAILED"))  # the figures say what the client met
            raise

    async def _stored_as_answered(self, drain_from: float, drain_limit_s: float) -> None:
        dbs = {svc: Database(self.system.database_urls[svc], pool_size=1) for svc in SERVICES}
        try:
            await self._drained(dbs, drain_limit_s)
            self.figures.drain_s = time.monotonic() - drain_from
            await self._exactly_once(dbs)
            for svc, db in dbs.items():
                async with db.transaction() as s:
                    chains, broken = await audit.verify_chain(s)
                    seals, broken_seal = await audit.verify_checkpoints(s)
                assert chains, f"{svc}: audit chain broken at audit_log id {broken}"
                assert seals, f"{svc}: audit seal broken at audit_checkpoint id {broken_seal}"
        finally:
            for db in dbs.values():
                await db.dispose()

    async def _drained(self, dbs: dict[str, Database], limit_s: float) -> None:
        deadline = time.monotonic() + limit_s
        lag: dict[str, int] = {}
        while time.monotonic() < deadline:
            lag = await self._lag(dbs)
            if not any(lag.values()):
                return
            await asyncio.sleep(0.5)
        raise AssertionError(f"not drained within {limit_s:.0f}s: {lag}")

    async def _lag(self, dbs: dict[str, Database]) -> dict[str, int]:
        lag = {}
        for svc, db in dbs.items():
            async with db.transaction() as s:
                unsent = select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
                lag[f"{svc} outbox"] = int((await s.execute(unsent)).scalar_one())
        for event_type, (producer, consumers) in FLOWS.items():
            sent = await _event_ids(dbs[producer], outbox.c.id, outbox.c.type, event_type)
            for consumer in consumers:
                handled = await _event_ids(dbs[consumer], inbox.c.event_id, inbox.c.event_type, event_type)
                lag[f"{consumer} <- {event_type}"] = len(sent - handled)
        return lag

    async def _exactly_once(self, dbs: dict[str, Database]) -> None:
        f = self.figures

        async def ids(svc: str, sql: str) -> list[str]:
            async with dbs[svc].transaction() as s:
                return [str(v) for v in (await s.execute(text(sql))).scalars()]

        registered = await ids("registry", "SELECT id FROM household WHERE status = 'registered'")
        assert len(registered) == len(set(registered)) == f.accepted["registration"], (
            f"{len(registered)} households registered for {f.accepted['registration']} accepted imports"
        )
        copies = {
            "funds": "SELECT ref_id FROM beneficiary WHERE kind = 'household'",
            "pairing": "SELECT id FROM household_ref",
            "inspection": "SELECT household_id FROM household_ref",
        }
        for svc, sql in copies.items():
            copy = await ids(svc, sql)
            assert sorted(copy) == sorted(registered), f"{svc}'s households differ from the registry's"
        pairings = await ids("pairing", "SELECT id FROM pairing")
        assert len(pairings) == f.accepted["pairing"]
        for svc, sql in {
            "registry": "SELECT pairing_id FROM cadre_household",
            "funds": "SELECT pairing_id FROM cadre_household",
            "inspection": "SELECT pairing_id FROM pairing_ref",
        }.items():
            assert sorted(await ids(svc, sql)) == sorted(pairings), f"{svc}'s pairings differ"
        visits = await ids("pairing", "SELECT id FROM visit")
        assert len(visits) == f.accepted["visit"]
        assert sorted(await ids("inspection", "SELECT visit_id FROM visit_ref")) == sorted(visits)
        paid = await ids("funds", "SELECT id FROM disbursement")
        assert len(paid) == f.accepted["disbursement"]
        assert sorted(await ids("inspection", "SELECT disbursement_id FROM disbursement_ref")) == sorted(paid)
        receipts = await ids("funds", "SELECT id FROM ledger_transaction WHERE kind = 'receipt'")
        assert len(receipts) == f.accepted["receipt"]
        # every accepted payment moved money exactly once
        async with dbs["funds"].transaction() as s:
            balance = (
                await s.execute(text("SELECT balance_fen FROM account WHERE code = :c"), {"c": SPECIAL})
            ).scalar_one()
            postings = (
                await s.execute(text("SELECT coalesce(sum(amount_fen), 0) FROM posting"))
            ).scalar_one()
        assert balance == RECEIPT_FEN * f.accepted["receipt"] - PAYMENT_FEN * f.accepted["disbursement"]
        assert postings == 0


def _expect(r: httpx.Response | None, status: int) -> None:
    assert r is not None, "the setup request failed (see the figures' unexpected answers)"
    assert r.status_code == status, r.text


async def _event_ids(db: Database, id_col: Any, type_col: Any, event_type: str) -> set[str]:
    async with db.transaction() as s:
        return {str(v) for v in (await s.execute(select(id_col).where(type_col == event_type))).scalars()}


def wait_ready(system: Any, services: tuple[str, ...] = SERVICES, timeout_s: float = 180) -> None:
    deadline = time.monotonic() + timeout_s
    pending = set(services)
    while pending and time.monotonic() < deadline:
        for svc in list(pending):
            try:
                r = httpx.get(f"http://127.0.0.1:{system.ports[svc]}/health/ready", timeout=2)
                if r.status_code == 200:
                    pending.discard(svc)
            except httpx.HTTPError:
                pass
        time.sleep(0.2)
    assert not pending, f"not ready after {timeout_s}s: {pending}"


Fault = Callable[[], str]


def faults(system: Any, stack: Any, down_s: float) -> dict[str, Fault]:
    """Each fault: kill -9, stay down ``down_s``, start it again; returns what it did."""

    def nats() -> str:
        stack.kill_nats()
        time.sleep(down_s)
        stack.start_nats()
        return "nats-server"

    def service(name: str) -> Fault:
        def run() -> str:
            system.kill(name)
            time.sleep(down_s)
            system.start(name)
            wait_ready(system, (name,))
            return name

        return run

    def postgres() -> str:
        stack.kill_postgres()
        time.sleep(down_s)
        stack.start_postgres()
        return "postgresql"

    return {
        "nats": nats,
        "registry": service("registry"),
        "funds": service("funds"),
        "pairing": service("pairing"),
        "inspection": service("inspection"),
        "postgres": postgres,
    }
