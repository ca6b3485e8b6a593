"""Benchmark: the real projection handlers, each consumer in its own process, on real servers.

    .venv/bin/python -m tests.bench events --events 20000     (after the no-op figures, as real.*)
    .venv/bin/python -m tests.bench.projections 20000         (this part alone)
    .venv/bin/python -m tests.bench.projections import        (only 2. below, the import)

Two measurements, PostgreSQL and nats-server with fsync on, as ``make run`` starts them:

1. **Per consumer, alone** (``<service>_apply_per_s``): ``events`` household.registered events
   (as an import writes them: a village each of 100 households) and as many pairing.visit.recorded
   ones are published first; then one consumer process of a service with that service's real
   ``HANDLERS`` and contracts applies everything it consumes from the burst (its lag at the start
   is the whole burst); events/s = what it applied / the time to an empty backlog.
2. **An import reaching every projection** (``import_to_all_projections_s``): ``IMPORT``
   (50,000) households' registered events are committed to the registry's outbox in one go (what a
   bulk import commits); the registry's relay and the consumer processes of pairing, funds,
   inspection and the registry itself (DCI notify + timeline) run at once, each in its own process
   as deployed. Reported: the time from the commit to the last projection having every event, the
   relay's publish time, rate, failures and CPU per event (its own and nats-server's), and each
   consumer's lag (pending messages) at the moment the
   relay had published the whole import.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import nats
from sqlalchemy import func, select

from deploy.local.stack import LocalStack
from shared.db import Database
from shared.events.outbox import add_events
from shared.events.relay import OutboxRelay
from shared.events.streams import ensure_streams
from shared.migrations import upgrade
from shared.tables import inbox, outbox

IMPORT = int(os.environ.get("BENCH_IMPORT_HOUSEHOLDS", "50000"))
CONSUMERS = ("pairing", "funds", "inspection", "registry")
PER_VILLAGE = 100
REGISTERED = "registry.household.registered.v1"
AREA = "registry.area.upserted.v1"
VISIT = "pairing.visit.recorded.v2"  # what pairing publishes (v1 is still read)
ANSWERS = ("satisfied", "basically_satisfied", "dissatisfied", None)  # None: not asked


def _village(i: int) -> str:
    v = i // PER_VILLAGE
    return f"44{1 + v // 10000 % 10:02d}{1 + v // 1000 % 10:02d}{1 + v // 100 % 10:03d}{1 + v % 100:03d}"


def _hid(seed: str, i: int) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_OID, f"{seed}-{i}"))


def area_events(households: int) -> list[tuple[str, str, dict[str, Any]]]:
    villages = sorted({_village(i) for i in range(0, households, PER_VILLAGE)})
    return [
        (AREA, code, {"code": code, "name": f"村{code[-3:]}", "level": "village", "poor_village": True})
        for code in villages
    ]


def household_events(seed: str, households: int) -> list[tuple[str, str, dict[str, Any]]]:
    out = []
    for i in range(households):
        hid = _hid(seed, i)
        out.append(
            (
                REGISTERED,
                hid,
                {
                    "household_id": hid,
                    "household_number": f"H{i:09d}",
                    "area_code": _village(i),
                    "year": 2026,
                    "member_count": 3,
                    "member_ids": [_hid(f"{seed}-m{k}", i) for k in range(3)],
                    "head_name_masked": "张*",
                    "poverty_causes": ["illness"],
                    "batches": [],
                    "registered_on": "2026-11-20",
                    "origin": "import",
                },
            )
        )
    return out


def visit_events(seed: str, households: int) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (
            VISIT,
            _hid(seed, i),
            {
                "visit_id": _hid(f"{seed}-visit", i),
                "household_id": _hid(seed, i),
                "area_code": _village(i),
                "cadre_id": _hid("cadre", i // 5),
                "visited_on": date(2026, 11, 21).isoformat(),
                "kind": "home",
                "satisfaction": ANSWERS[i % len(ANSWERS)],
            },
        )
        for i in range(households)
    ]


async def write_outbox(
    db: Database, events: list[tuple[str, str, dict[str, Any]]], chunk: int = 2000
) -> None:
    for start in range(0, len(events), chunk):
        async with db.transaction() as s:
            await add_events(s, events[start : start + chunk])


async def _count(db: Database, stmt: Any) -> int:
    async with db.transaction() as s:
        return int((await s.execute(stmt)).scalar_one())


# --- the consumer process -------------------------------------------------------------------------


def _handlers(service: str) -> dict[str, Any]:
    if service == "pairing":
        from services.pairing.consumers import HANDLERS
    elif service == "funds":
        from services.funds.consumers import HANDLERS
    elif service == "inspection":
        from services.inspection.consumers import HANDLERS
    else:
        from services.registry.consumers import HANDLERS
    return dict(HANDLERS)


async def consume(service: str, db_url: str, nats_url: str, expected: int) -> dict[str, float]:
    """Run ``service``'s consumers until its inbox holds ``expected`` rows; the seconds it took."""
    from shared.events.consumer import ConsumerRunner
    from shared.events.contracts import contracts

    handlers = _handlers(service)
    db = Database(db_url)
    nc = await nats.connect(nats_url)
    runner = ConsumerRunner(
        db, nc.jetstream(timeout=10), service=service, handlers=handlers, contracts=contracts()
    )
    cpu0, t0 = time.process_time(), time.perf_counter()
    task = asyncio.create_task(runner.run())
    total = select(func.count()).select_from(inbox)
    while (n := await _count(db, total)) < expected:
        if task.done():
            task.result()
        await asyncio.sleep(0.05)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    runner.stop()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await nc.close()
    await db.dispose()
    return {"applied": n, "seconds": elapsed, "cpu_s": cpu, "done_at": time.time()}


def _child_main() -> None:
    service, db_url, nats_url, expected = sys.argv[2:6]
    if profile := os.environ.get("BENCH_PROFILE_DIR"):  # where a consumer spends its time
        import cProfile

        with cProfile.Profile() as prof:
            result = asyncio.run(consume(service, db_url, nats_url, int(expected)))
        prof.dump_stats(f"{profile}/{service}-{os.getpid()}.prof")
    else:
        result = asyncio.run(consume(service, db_url, nats_url, int(expected)))
    print(json.dumps(result), flush=True)


async def _spawn(service: str, db_url: str, nats_url: str, expected: int) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.bench.projections",
        "consume",
        service,
        db_url,
        nats_url,
        str(expected),
        stdout=asyncio.subprocess.PIPE,
    )


async def _result(proc: asyncio.subprocess.Process) -> dict[str, float]:
    out, _ = await proc.communicate()
    if proc.returncode:
        raise RuntimeError(f"consumer process failed ({proc.returncode})")
    return dict(json.loads(out.decode().strip().splitlines()[-1]))


# --- the parent -----------------------------------------------------------------------------------


def _expected(service: str, counts: dict[str, int]) -> int:
    handled = _handlers(service)
    return sum(n for t, n in counts.items() if t in handled)


def server_cpu_s(pid: int) -> float:
    """CPU seconds a server process (nats-server) has used so far; Linux."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _relay_all(db: Database, js: Any, service: str) -> tuple[float, int]:
    relay = OutboxRelay(db, js, service=service)
    t0 = time.perf_counter()
    task = asyncio.create_task(relay.run())
    unsent = select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
    while await _count(db, unsent):
        await asyncio.sleep(0.05)
    elapsed = time.perf_counter() - t0
    relay.stop()
    await asyncio.gather(task, return_exceptions=True)
    failures = await _count(db, select(func.coalesce(func.sum(outbox.c.attempts), 0)))
    return elapsed, failures


def _fresh(stack: LocalStack, name: str, service: str) -> str:
    stack.create_database(name)
    upgrade(service, stack.database_url(name))
    return stack.database_url(name)


async def _pending(js: Any, service: str) -> int:
    total = 0
    for stream in ("REGISTRY", "PAIRING"):
        try:
            info = await js.consumer_info(stream, f"{service}-from-{stream.lower()}")
        except Exception:
            continue
        total += (info.num_pending or 0) + (info.num_ack_pending or 0)
    return total


async def run(events: int, *, burst: bool = True) -> dict[str, float]:
    """Both measurements; ``burst=False``: only the import reaching every projection."""
    tmp = Path(tempfile.mkdtemp(prefix="jingzhun-bench-proj-"))
    stack = LocalStack(tmp, fsync=True).start()
    try:
        nc = await nats.connect(stack.nats_url)
        js = nc.jetstream(timeout=10)
        await ensure_streams(js)
        out = await _burst(stack, js, events) if burst else {}
        out |= await _import(stack, js)
        await nc.close()
        return out
    finally:
        stack.stop()
        shutil.rmtree(tmp, ignore_errors=True)


async def _burst(stack: LocalStack, js: Any, events: int) -> dict[str, float]:
    """1. each consumer alone over a published burst."""
    out: dict[str, float] = {}
    registry = Database(_fresh(stack, "burst_registry", "registry"))
    pairing = Database(_fresh(stack, "burst_pairing", "pairing"))
    areas, homes, visits = (
        area_events(events),
        household_events("burst", events),
        visit_events("burst", events),
    )
    await write_outbox(registry, areas + homes)
    await write_outbox(pairing, visits)
    await _relay_all(registry, js, "registry")
    await _relay_all(pairing, js, "pairing")
    counts = {AREA: len(areas), REGISTERED: len(homes), VISIT: len(visits)}
    for service in CONSUMERS:
        url = _fresh(stack, f"burst_{service}_c", service)
        expected = _expected(service, counts)
        r = await _result(await _spawn(service, url, stack.nats_url, expected))
        out[f"{service}_events"] = expected
        out[f"{service}_apply_per_s"] = expected / r["seconds"]
        out[f"{service}_cpu_ms_per_event"] = 1000 * r["cpu_s"] / expected
    # the next measurement starts from empty streams
    for stream in ("REGISTRY", "PAIRING"):
        await js.purge_stream(stream)
        for service in CONSUMERS:
            try:
                await js.delete_consumer(stream, f"{service}-from-{stream.lower()}")
            except Exception:
                pass
    await registry.dispose()
    await pairing.dispose()
    return out


async def _import(stack: LocalStack, js: Any) -> dict[str, float]:
    """2. an import of IMPORT households reaching every projection."""
    out: dict[str, float] = {}
    producer_url = _fresh(stack, "import_registry", "registry")
    producer = Database(producer_url)
    areas, homes = area_events(IMPORT), household_events("import", IMPORT)
    await write_outbox(producer, areas)
    await _relay_all(producer, js, "registry")
    counts = {AREA: len(areas), REGISTERED: len(homes)}
    urls = {s: _fresh(stack, f"import_{s}", s) for s in CONSUMERS if s != "registry"}
    urls["registry"] = producer_url
    procs = {s: await _spawn(s, u, stack.nats_url, _expected(s, counts)) for s, u in urls.items()}
    # let each consumer take the areas before the import commits
    await asyncio.sleep(5)
    load = os.getloadavg()[0]
    t0 = time.time()
    await write_outbox(producer, homes, chunk=IMPORT)  # one commit, as an import's transaction
    commit_s = time.time() - t0
    cpu0, server0 = time.process_time(), server_cpu_s(stack.nats_proc.pid)
    relay_s, failures = await _relay_all(producer, js, "registry")
    relay_cpu, server_cpu = time.process_time() - cpu0, server_cpu_s(stack.nats_proc.pid) - server0
    lag = {s: await _pending(js, s) for s in CONSUMERS}
    results = {s: await _result(p) for s, p in procs.items()}
    done = max(r["done_at"] for r in results.values())
    out["import_households"] = IMPORT
    out["import_commit_s"] = commit_s
    out["import_relay_publish_s"] = relay_s
    out["import_relay_publish_failures"] = failures
    out["import_relay_publish_per_s"] = IMPORT / relay_s
    # the relay's process (and this one's polling) and nats-server, CPU per published event
    out["import_relay_cpu_us_per_event"] = 1e6 * relay_cpu / IMPORT
    out["import_nats_cpu_us_per_event"] = 1e6 * server_cpu / IMPORT
    out["import_to_all_projections_s"] = done - t0 - commit_s
    for s in CONSUMERS:
        out[f"import_{s}_lag_at_publish_end"] = lag[s]
        out[f"import_{s}_done_s"] = results[s]["done_at"] - t0 - commit_s
    out["load_1min_at_import"] = load
    await producer.dispose()
    return out


if __name__ == "__main__":
    if sys.argv[1:2] == ["consume"]:
        _child_main()
    else:
        only_import = sys.argv[1:2] == ["import"]
        size = int(sys.argv[1]) if len(sys.argv) > 1 and not only_import else 5000
        for k, v in asyncio.run(run(size, burst=not only_import)).items():
            print(f"projections.{k}: {v:,.2f}" if isinstance(v, float) else f"projections.{k}: {v:,}")
