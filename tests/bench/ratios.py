"""Benchmark: the project against its raw ceiling, each path measured in the same run.

    .venv/bin/python -m tests.bench ratios          # or: make bench

One PostgreSQL (fsync on) and one nats-server under a temporary folder; the registry as a real
uvicorn process (``BENCH_WORKERS`` workers, default 1; an API replica as deploy/k8s runs it, its
consumers off and its relay on) and, on the same database and tables, a
bare FastAPI + asyncpg app (``tests/bench/bare_app.py``) doing the least SQL each path needs.
The load comes from this process (keep-alive HTTP/1.1 connections parsed by httptools on uvloop,
``BENCH_CONNECTIONS`` of them, default 64 for reads and 16 for writes) for ``BENCH_SECONDS`` per
path (default 10), on the same 2 cores: the figures say how much CPU the load generator itself took
(``load_cpu_cores``, ``load_cpu_ms`` a request), so a reader can judge the load.

Paths (the speed issue's table): a household card (raw: one primary-key SELECT), the county roll-up,
a 50-row list page of a county (raw: the same page's ten columns, index-ordered, as plain JSON: no
labels, masking, cursor or gzip), a new household (household + member + outbox row), and the bulk
import (5,000 households a call) against COPY into a table with the registry's indexes. Each prints
project req/s, its p50/p99, the raw ceiling's req/s and the ratio project/raw; the read paths also
print the server's CPU per request (``cpu_ms``; ``cpu_ratio`` = raw/project), which shared cores
disturb less than req/s; ``load_1m_at_start``/``_at_end`` are the machine's load average, for the
reader to judge how much the cores were shared. ``BENCH_PROFILE=<folder>``: py-spy samples the
registry during each read path's first round (``<folder>/<path>.txt``, collapsed stacks; py-spy is
in the dev extra; ``BENCH_PROFILE_ARGS`` adds arguments to its command line, ``BENCH_PROFILE_RATE``
sets its samples a second), and the honest ceiling's app in the same round
(``<folder>/<path>.honest.txt``): the two diffed by function name what only the project pays.
``BENCH_PATHS=card,list``: only the paths named (of card, rollup, list, register; default all), to
measure one change without waiting for the others. ``BENCH_ROUNDS=3``: each read path measured that
many times in a row (after one warm-up), each figure the median of the rounds, and the server CPU of
every round (``<path>.project_cpu_ms.round<n>``, ``<path>.raw_cpu_ms.round<n>``). The read paths are
also measured against the honest ceiling, the same bare app without asyncpg's reset round trip on
every returned connection (``BARE_RESET=lean``, tests/bench/bare_app.py): ``<path>.honest_*``
(``honest_cpu_ratio``, ``honest_ratio``); the ``raw_*`` figures stay those of asyncpg's default. """

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from itertools import count
from pathlib import Path
from typing import Any, cast

import asyncpg
import httptools
import httpx
import uvloop

from deploy.local.stack import LocalStack, free_port
from shared.migrations import upgrade
from shared.resident_id import make
from shared.settings import REPO_ROOT
from tests.support import TEST_PUBLIC_KEY, auth

COUNTY = "440783"
TOWNS, VILLAGES = 10, 10
_people = count(1)
Call = Callable[[int], bytes]  # the i-th request, as bytes (_request)
# Both servers keep an idle connection a minute (uvicorn closes it after 5 s): on a busy machine
# the load generator can take that long to send a connection's next request, and a request sent
# as the server closes the connection fails the run with a ReadError that says nothing of either.
KEEP_ALIVE = ["--timeout-keep-alive", "60"]


# One token sends every list request: a limit far above the load keeps the per-caller search limit's
# check in the path without refusing the bench (default 120 a minute).
SEARCH_LIMIT_UNREACHED = {
    "REGISTRY_RATE_LIMIT_SEARCH_PER_MINUTE": "100000000",
    "REGISTRY_RATE_LIMIT_SEARCH_BURST": "100000000",
}


def _areas() -> list[dict[str, object]]:
    areas: list[dict[str, object]] = [
        {"code": "440000000000", "name": "广东省"},
        {"code": "440700000000", "name": "江门市"},
        {"code": f"{COUNTY}000000", "name": "开平市"},
    ]
    for t in range(1, TOWNS + 1):
        town = f"{COUNTY}{t:03d}"
        areas.append({"code": f"{town}000", "name": f"测试镇{t}", "synthetic_code": True})
        areas += [
            {"code": f"{town}{v:03d}", "name": f"测试村{t}-{v}", "synthetic_code": True}
            for v in range(1, VILLAGES + 1)
        ]
    return areas


def _villages() -> list[str]:
    return [f"{COUNTY}{t:03d}{v:03d}" for t in range(1, TOWNS + 1) for v in range(1, VILLAGES + 1)]


def _household(village: str, *, registered: bool = False) -> dict[str, Any]:
    n = next(_people)  # a distinct synthetic person each time
    head = make("440783", date(1940, 1, 1) + timedelta(days=n // 450), (n % 450) * 2 + 1, sex="male")
    body: dict[str, Any] = {
        "area_code": village,
        "year": 2018,
        "members": [{"name": f"户主{n}", "resident_id": head, "relation": "head", "labour_capacity": "full"}],
        "poverty_causes": [("illness", "schooling", "disability")[n % 3]],
    }
    if registered:
        body["registered_on"] = "2018-06-30"
    return body


async def seed(base: str, households: int) -> float:
    """The bench's county (10 towns of 10 villages) and ``households`` registered households in it,
    imported through the registry at ``base`` 5,000 a call; households imported a second."""
    admin = auth(["registrar", "approver"], "440000000000")
    villages = _villages()
    async with httpx.AsyncClient(timeout=300) as client:
        r = await client.post(f"{base}/registry/v1/areas", json={"areas": _areas()}, headers=admin)
        r.raise_for_status()
        t0 = time.perf_counter()
        for start in range(0, households, 5000):
            rows = [_household(villages[i % len(villages)], registered=True)
                    for i in range(start, min(households, start + 5000))]
            r = await client.post(
                f"{base}/registry/v1/households/imports",
                json={"households": rows, "source_roll": "bench 2018 roll", "reason": "benchmark data"},
                headers=admin,
            )
            if r.status_code != 200:
                raise RuntimeError(f"import refused: {r.status_code} {r.text[:2000]}")
        return households / (time.perf_counter() - t0)


async def analyzed_sample(dsn: str) -> list[str]:
    """Statistics as a running database has them (autovacuum would analyze the imported tables
    later: planned on an empty table's, a county's list page sorted the whole county), and the ids
    of 5,000 households in random order, for the card reads."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("ANALYZE")
        sample = await conn.fetch("SELECT id FROM household ORDER BY random() LIMIT 5000")
        return [str(r["id"]) for r in sample]
    finally:
        await conn.close()


def _spawn(args: list[str], env: dict[str, str], log: Path, cwd: Path = REPO_ROOT) -> subprocess.Popen[bytes]:
    out = open(log, "wb")  # noqa: SIM115 - the child keeps it
    return subprocess.Popen(args, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)


def _wait(url: str, proc: subprocess.Popen[bytes], timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url} died at start")
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(url)


def print_tails(folder: Path, logs: tuple[str, ...]) -> None:
    """What the servers said last (on standard error), for a run that failed."""
    for log in logs:
        if (folder / log).exists():
            print(f"--- {log}\n" + "\n".join((folder / log).read_text().splitlines()[-40:]), file=sys.stderr)


def stop_all(procs: list[subprocess.Popen[bytes]]) -> None:
    """Terminate the servers the bench started, killing any that has not ended in 20 s."""
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def _tree_cpu_s(pid: int) -> float:
    """CPU seconds used so far by a server process and its children (uvicorn's workers); Linux."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(stat.parent.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


class _Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection: a request out, its response parsed by httptools (the
    parser uvicorn uses); only the status is kept. A few microseconds a request, where httpx took
    most of a core at a few hundred requests a second and was the bench's bottleneck."""

    def __init__(self) -> None:
        self.parser = httptools.HttpResponseParser(self)
        self.waiter: asyncio.Future[int] | None = None
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        self.parser.feed_data(data)

    def on_message_complete(self) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(self.parser.get_status_code())

    def connection_lost(self, exc: Exception | None) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionError(f"the server closed the connection: {exc}"))

    async def request(self, raw: bytes) -> int:
        assert self.transport is not None
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(raw)
        return await self.waiter


def _request(method: str, path: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    """An HTTP/1.1 request as bytes; ``Accept-Encoding: gzip`` as a browser or a phone sends it."""
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Accept-Encoding: gzip"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    if body:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _load(
    call: Call,
    *,
    base: str,
    connections: int,
    seconds: float,
    ok: int = 200,
    server_pid: int | None = None,
    db_pid: int | None = None,
) -> dict[str, float]:
    """Closed-loop load on uvloop (a thread of its own): ``connections`` keep-alive connections,
    each sending its next request when the last response is in. ``db_pid``: PostgreSQL's postmaster,
    its backends' CPU a request returned too (``db_cpu_ms``)."""
    return await asyncio.to_thread(
        uvloop.run, _closed_loop(call, base=base, connections=connections, seconds=seconds, ok=ok,
                                 server_pid=server_pid, db_pid=db_pid)
    )


async def _closed_loop(
    call: Call, *, base: str, connections: int, seconds: float, ok: int, server_pid: int | None,
    db_pid: int | None = None,
) -> dict[str, float]:
    host, port = base.removeprefix("http://").split(":")
    loop = asyncio.get_running_loop()
    conns = [(await loop.create_connection(_Connection, host, int(port)))[1] for _ in range(connections)]
    latencies: list[float] = []
    bad: dict[int, int] = {}
    seq = count()
    stop = time.perf_counter() + seconds

    async def worker(conn: _Connection) -> None:
        while time.perf_counter() < stop:
            raw = call(next(seq))
            t = time.perf_counter()
            status = await conn.request(raw)
            latencies.append(time.perf_counter() - t)
            if status != ok:
                bad[status] = bad.get(status, 0) + 1

    try:
        server0 = _tree_cpu_s(server_pid) if server_pid else 0.0
        db0 = _tree_cpu_s(db_pid) if db_pid else 0.0
        t0, cpu0 = time.perf_counter(), time.process_time()
        await asyncio.gather(*(worker(c) for c in conns))
        wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        server = _tree_cpu_s(server_pid) - server0 if server_pid else 0.0
        db = _tree_cpu_s(db_pid) - db0 if db_pid else 0.0
    finally:
        for c in conns:
            if c.transport is not None:
                c.transport.close()
    if bad:
        raise RuntimeError(f"unexpected statuses {bad}")
    ordered = sorted(latencies)
    return {
        "per_s": len(ordered) / wall,
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000,
        # this process's CPU while the load ran (the load generator; the bench's loop is idle)
        "load_cpu_cores": cpu / wall,
        "load_cpu_ms": cpu * 1000 / max(1, len(ordered)),
        # the server's own CPU per request: steadier than req/s on a machine shared with others
        "server_cpu_ms": server * 1000 / max(1, len(ordered)),
        "db_cpu_ms": db * 1000 / max(1, len(ordered)),
    }


async def _copy_ceiling(dsn: str, rows: int, *, foreign_keys: bool = False) -> float:
    """Households/s for COPY of ``rows`` registry rows (households and their members, as the import
    wrote them, fresh ids and blind-index hashes) into empty copies of household and member with
    their indexes, defaults, NOT NULL and CHECK constraints (``LIKE … INCLUDING ALL``), one binary
    COPY each in one transaction with its commit. ``foreign_keys``: the copies also get every
    foreign key of the registry's tables (pg_constraint), the member → household one pointing at
    the household copy: COPY into the registry's tables as they are, empty as the import's were
    before its first call. Without: no foreign key (LIKE copies none), a generous ceiling."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("DROP TABLE IF EXISTS bench_member")
        await conn.execute("DROP TABLE IF EXISTS bench_household")
        await conn.execute("CREATE TABLE bench_household (LIKE household INCLUDING ALL)")
        await conn.execute("CREATE TABLE bench_member (LIKE member INCLUDING ALL)")
        if foreign_keys:
            for fk in await conn.fetch(
                "SELECT conrelid::regclass::text AS copy_of, pg_get_constraintdef(oid) AS definition "
                "FROM pg_constraint WHERE contype = 'f' "
                "AND conrelid IN ('household'::regclass, 'member'::regclass) ORDER BY conname"
            ):
                definition = re.sub(
                    r"REFERENCES (household|member)\(", r"REFERENCES bench_\1(", fk["definition"]
                )
                await conn.execute(f"ALTER TABLE bench_{fk['copy_of']} ADD {definition}")
        households = await conn.fetch(f"SELECT * FROM household LIMIT {rows}")
        members = await conn.fetch(
            f"SELECT m.* FROM member m JOIN (SELECT id FROM household LIMIT {rows}) h"
            " ON h.id = m.household_id"
        )
        fresh = {r["id"]: uuid.uuid4() for r in households}
        h_records = [(fresh[r["id"]], *tuple(r.values())[1:]) for r in households]
        hcols = list(households[0].keys())
        m_records = []
        mcols = list(members[0].keys())
        hid_at = mcols.index("household_id")
        for r in members:
            values = list(r.values())
            values[0] = uuid.uuid4()
            values[hid_at] = fresh[values[hid_at]]
            values[mcols.index("resident_id_hash")] = uuid.uuid4().hex * 2
            m_records.append(tuple(values))
        t0 = time.perf_counter()
        async with conn.transaction():
            await conn.copy_records_to_table("bench_household", records=h_records, columns=hcols)
            await conn.copy_records_to_table("bench_member", records=m_records, columns=mcols)
        wall = time.perf_counter() - t0
        await conn.execute("DROP TABLE bench_member; DROP TABLE bench_household")
        return len(h_records) / wall
    finally:
        await conn.close()


def _spy(folder: str | None, pid: int, name: str, seconds: float) -> subprocess.Popen[bytes] | None:
    """py-spy sampling a server for ``seconds`` into ``<folder>/<name>.txt`` (collapsed stacks),
    ``BENCH_PROFILE_RATE`` samples a second (default 200); None without a folder."""
    if not folder:
        return None
    Path(folder).mkdir(parents=True, exist_ok=True)
    extra = os.environ.get("BENCH_PROFILE_ARGS", "").split()
    # py-spy reads native stacks only from a paused process: --native samples it blocking
    blocking = [] if "--native" in extra else ["--nonblocking"]
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(pid),
         "--duration", str(int(seconds)), "--rate", os.environ.get("BENCH_PROFILE_RATE", "200"),
         "--format", "raw", *blocking, "--output", str(Path(folder) / f"{name}.txt"), *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def _ratio(project: dict[str, float], raw: dict[str, float], name: str) -> dict[str, float]:
    return {
        f"{name}.project_per_s": project["per_s"],
        f"{name}.project_p50_ms": project["p50_ms"],
        f"{name}.project_p99_ms": project["p99_ms"],
        f"{name}.raw_per_s": raw["per_s"],
        f"{name}.raw_p50_ms": raw["p50_ms"],  # the tail's shape of both, side by side
        f"{name}.raw_p99_ms": raw["p99_ms"],
        f"{name}.ratio": project["per_s"] / raw["per_s"],
        f"{name}.load_cpu_cores": project["load_cpu_cores"],
        f"{name}.load_cpu_ms": project["load_cpu_ms"],
        f"{name}.raw_load_cpu_cores": raw["load_cpu_cores"],
        f"{name}.project_cpu_ms": project["server_cpu_ms"],
        f"{name}.raw_cpu_ms": raw["server_cpu_ms"],
        f"{name}.cpu_ratio": raw["server_cpu_ms"] / max(project["server_cpu_ms"], 1e-9),
    }


def _honest(project: dict[str, float], raw: dict[str, float], name: str) -> dict[str, float]:
    """The ratios against the honest ceiling (the bare app without asyncpg's reset round trip)."""
    return {
        f"{name}.honest_per_s": raw["per_s"],
        f"{name}.honest_p99_ms": raw["p99_ms"],
        f"{name}.honest_ratio": project["per_s"] / raw["per_s"],
        f"{name}.honest_cpu_ms": raw["server_cpu_ms"],
        f"{name}.honest_cpu_ratio": raw["server_cpu_ms"] / max(project["server_cpu_ms"], 1e-9),
    }


async def run(_size: int) -> dict[str, float]:
    households = int(os.environ.get("BENCH_HOUSEHOLDS", "20000"))
    seconds = float(os.environ.get("BENCH_SECONDS", "10"))
    readers = int(os.environ.get("BENCH_CONNECTIONS", "64"))
    writers = int(os.environ.get("BENCH_WRITERS", "16"))
    workers = os.environ.get("BENCH_WORKERS", "1")
    rounds = int(os.environ.get("BENCH_ROUNDS", "1"))
    tmp = Path(tempfile.mkdtemp(prefix="jingzhun-ratios-"))
    stack = LocalStack(tmp, fsync=True)
    stack.data_dir.mkdir(parents=True, exist_ok=True)
    stack.start_postgres()
    stack.start_nats()
    procs: list[subprocess.Popen[bytes]] = []
    try:
        stack.create_database("registry")
        url = stack.database_url("registry")
        upgrade("registry", url)
        reg_port, bare_port = free_port(), free_port()
        env = {
            **os.environ,
            "REGISTRY_DATABASE_URL": url,
            "REGISTRY_NATS_URL": stack.nats_url,
            "REGISTRY_JWT_PUBLIC_KEY_PEM": TEST_PUBLIC_KEY,
            "REGISTRY_LOG_LEVEL": "WARNING",
            "REGISTRY_RUN_JOBS": "false",
            # An API replica as deploy/k8s runs it (consumers in the worker Deployment): the
            # registry's own consumers would otherwise work through the import's events during the
            # reads and be charged to them. The relay stays on to send the import's events first.
            "REGISTRY_RUN_CONSUMERS": "false",
            **SEARCH_LIMIT_UNREACHED,
            "BARE_DATABASE_URL": url,
        }
        procs.append(
            _spawn(
                [sys.executable, "-m", "uvicorn", "services.registry.app:create_app", "--factory",
                 "--host", "127.0.0.1", "--port", str(reg_port), "--no-access-log", "--workers", workers,
                 *KEEP_ALIVE],
                env, tmp / "registry.log",
            )
        )
        procs.append(
            _spawn(
                [sys.executable, "-m", "uvicorn", "tests.bench.bare_app:app", "--host", "127.0.0.1",
                 "--port", str(bare_port), "--no-access-log", "--log-level", "warning", "--workers", workers,
                 *KEEP_ALIVE],
                env, tmp / "bare.log",
            )
        )
        # the honest ceiling: the same bare app without asyncpg's reset round trip (bare_app.py)
        lean_port = free_port()
        procs.append(
            _spawn(
                [sys.executable, "-m", "uvicorn", "tests.bench.bare_app:app", "--host", "127.0.0.1",
                 "--port", str(lean_port), "--no-access-log", "--log-level", "warning", "--workers", workers,
                 *KEEP_ALIVE],
                {**env, "BARE_RESET": "lean"}, tmp / "lean.log",
            )
        )
        reg, bare = f"http://127.0.0.1:{reg_port}", f"http://127.0.0.1:{bare_port}"
        lean = f"http://127.0.0.1:{lean_port}"
        _wait(f"{reg}/health/live", procs[0])
        _wait(f"{bare}/docs", procs[1])
        _wait(f"{lean}/docs", procs[2])
        villages = _villages()
        import_per_s = await seed(reg, households)
        copy_per_s = await _copy_ceiling(url.replace("postgresql+asyncpg://", "postgresql://"), households)
        dsn = url.replace("postgresql+asyncpg://", "postgresql://")
        conn = await asyncpg.connect(dsn)
        # The relay sends the import's events first: measured alongside, they would be charged to
        # the reads (and the reads would slow the relay); the paths start on a quiet registry.
        drained_by = time.monotonic() + 600
        while await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL"):
            if time.monotonic() > drained_by:
                raise TimeoutError("the registry's outbox did not drain in 10 minutes")
            await asyncio.sleep(0.5)
        await conn.close()
        ids = await analyzed_sample(dsn)
        reader = auth(["registrar"], f"{COUNTY}000000")
        county = f"{COUNTY}000000"

        def getter(template: str, headers: dict[str, str]) -> Call:
            return lambda i: _request("GET", template.format(ids[i % len(ids)]), headers)

        results: dict[str, float] = {
            "load_1m_at_start": os.getloadavg()[0],  # other work on the machine, for the reader
            "households": households,
            "uvicorn_workers": int(workers),
            "read_connections": readers,
            "write_connections": writers,
            "seconds_per_path": seconds,
        }
        paths = {
            "card": ("/registry/v1/households/{}", "/card/{}"),
            "rollup": (f"/registry/v1/rollups/{county}", f"/rollup/{COUNTY}"),
            "list": (f"/registry/v1/households?limit=50&area_code={county}", f"/list/{COUNTY}"),
        }
        chosen = set(os.environ.get("BENCH_PATHS", "card,rollup,list,register").split(","))
        profile = os.environ.get("BENCH_PROFILE")
        for name, (p_path, r_path) in paths.items():
            if name not in chosen:
                continue
            # Warm-up, not measured: pools fill, statements get prepared (once per connection).
            await _load(getter(p_path, reader), base=reg, connections=readers, seconds=min(2.0, seconds))
            await _load(getter(r_path, {}), base=bare, connections=readers, seconds=min(2.0, seconds))
            await _load(getter(r_path, {}), base=lean, connections=readers, seconds=min(2.0, seconds))
            measured: list[dict[str, float]] = []
            for i in range(rounds):
                spy = _spy(profile, procs[0].pid, name, seconds) if i == 0 else None
                project = await _load(getter(p_path, reader), base=reg, connections=readers, seconds=seconds,
                                      server_pid=procs[0].pid)
                if spy is not None:
                    spy.wait()
                raw = await _load(getter(r_path, {}), base=bare, connections=readers, seconds=seconds,
                                  server_pid=procs[1].pid)
                spy = _spy(profile, procs[2].pid, f"{name}.honest", seconds) if i == 0 else None
                honest = await _load(getter(r_path, {}), base=lean, connections=readers, seconds=seconds,
                                     server_pid=procs[2].pid)
                if spy is not None:
                    spy.wait()
                measured.append(_ratio(project, raw, name) | _honest(project, honest, name))
            results |= {k: statistics.median(m[k] for m in measured) for k in measured[0]}
            if rounds > 1:
                for key in ("project_cpu_ms", "raw_cpu_ms", "honest_cpu_ms"):
                    for i, m in enumerate(measured):
                        results[f"{name}.{key}.round{i + 1}"] = m[f"{name}.{key}"]

        def post(path: str, headers: dict[str, str]) -> Call:
            return lambda i: _request(
                "POST", path, headers, json.dumps(_household(villages[i % len(villages)])).encode()
            )

        if "register" in chosen:
            # Warm-up as for the reads: the writers' pooled connections prepare their statements
            # once each (uncounted, that was more prepares than requests in a 10 s run).
            await _load(post("/registry/v1/households", reader), base=reg, connections=writers,
                        seconds=min(2.0, seconds), ok=201)
            await _load(post("/households", {}), base=bare, connections=writers, seconds=min(2.0, seconds),
                        ok=201)
            spy = _spy(profile, procs[0].pid, "register", seconds)
            project = await _load(post("/registry/v1/households", reader), base=reg, connections=writers,
                                  seconds=seconds, ok=201, server_pid=procs[0].pid)
            if spy is not None:
                spy.wait()
            raw = await _load(post("/households", {}), base=bare, connections=writers, seconds=seconds,
                              ok=201, server_pid=procs[1].pid)
            results |= _ratio(project, raw, "register")
        results["load_1m_at_end"] = os.getloadavg()[0]
        results |= {
            "import.project_per_s": import_per_s,
            "import.copy_per_s": copy_per_s,
            "import.ratio": import_per_s / copy_per_s,
        }
        return results
    except BaseException:
        print_tails(tmp, ("registry.log", "bare.log"))
        raise
    finally:
        stop_all(procs)
        stack.stop()
        shutil.rmtree(tmp, ignore_errors=True)
