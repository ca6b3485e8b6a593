"""Paired A/B of the registry's hot reads: a change judged against a base revision, on one machine
that others share.

    .venv/bin/python -m tests.bench ab --base main          # or any revision: --base HEAD~1

Two registry processes (one uvicorn worker each) on one PostgreSQL and one database: A runs the
code of ``--base`` (``git archive`` of that revision into a temporary folder, with this checkout's
virtualenv: a change of dependencies or migrations is not what this compares), B this checkout's
working tree as it is (uncommitted changes included). The data (``BENCH_HOUSEHOLDS``, default 10,000)
is imported first; relay, consumers and jobs are off in both (API replicas), so nothing runs
but the reads. Then ``BENCH_ROUNDS`` rounds (default 6): each path of ``BENCH_PATHS`` (card, rollup,
list, register; default card,rollup) loaded on A and on B in turn, ``BENCH_SECONDS`` each (default
8), the first of the two alternating from round to round (A B, B A, …), ``BENCH_CONNECTIONS``
keep-alive connections (default 64; ``register`` POSTs a new household a request, as the ratio
bench's writes do: run it alone, with ``BENCH_CONNECTIONS=16``). What is compared is each process's
own CPU a request (``/proc``), which a busy machine disturbs far less than requests a second: both
processes see the same machine within seconds of each other, and the ratio is taken per round. The
data is imported through a third process, ended before A and B start: neither carries the import's
heap.

``--a-env KEY=VALUE`` / ``--b-env KEY=VALUE`` (repeatable): settings of one side only, e.g. the same code
with another pool (``--base HEAD --b-env REGISTRY_DB_POOL_SIZE=5``).

Printed per path: ``a_cpu_us`` and ``b_cpu_us`` (medians of the rounds, µs of server CPU a request),
``b_over_a`` (the median of the rounds' B/A: below 1, B is cheaper), each round's pair, A's and B's
requests a second and p99 (medians), ``a_db_cpu_us``/``b_db_cpu_us`` (PostgreSQL's backends' CPU a
request, medians), and the machine's 1-minute load average at the start and the end.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from deploy.local.stack import free_port
from shared.settings import REPO_ROOT
from tests.bench.ratios import (
    COUNTY,
    KEEP_ALIVE,
    SEARCH_LIMIT_UNREACHED,
    Call,
    _household,
    _load,
    _request,
    _spawn,
    _villages,
    _wait,
    analyzed_sample,
    print_tails,
    seed,
    stop_all,
)
from tests.bench.stack import registry_database, registry_env
from tests.support import auth

PATHS = {
    "card": "/registry/v1/households/{}",
    "rollup": f"/registry/v1/rollups/{COUNTY}000000",
    "list": f"/registry/v1/households?limit=50&area_code={COUNTY}000000",
}


def checkout(revision: str, into: Path) -> str:
    """The tracked files of ``revision`` written under ``into``; its full commit hash."""
    commit = subprocess.run(
        ["git", "rev-parse", "--verify", f"{revision}^{{commit}}"],
        cwd=REPO_ROOT, check=True, capture_output=True, text=True,
    ).stdout.strip()
    into.mkdir(parents=True)
    archive = subprocess.Popen(["git", "archive", commit], cwd=REPO_ROOT, stdout=subprocess.PIPE)
    subprocess.run(["tar", "-x", "-C", str(into)], stdin=archive.stdout, check=True)
    if archive.wait() != 0:
        raise RuntimeError(f"git archive {commit} failed")
    return commit


def _server(code: Path, port: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """The registry of the code under ``code`` (its folder first on the import path)."""
    args = [sys.executable, "-m", "uvicorn", "services.registry.app:create_app", "--factory",
            "--host", "127.0.0.1", "--port", str(port), "--no-access-log", "--workers", "1", *KEEP_ALIVE]
    return _spawn(args, {**env, "PYTHONPATH": str(code)}, log, cwd=code)


def side_env(pairs: Sequence[str]) -> dict[str, str]:
    """``KEY=VALUE`` arguments (``--a-env``, ``--b-env``) as a mapping."""
    env = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ValueError(f"not KEY=VALUE: {pair!r}")
        env[key] = value
    return env


async def run(
    _size: int, *, base: str = "main", a_env: Sequence[str] = (), b_env: Sequence[str] = ()
) -> dict[str, float | str]:
    households = int(os.environ.get("BENCH_HOUSEHOLDS", "10000"))
    seconds = float(os.environ.get("BENCH_SECONDS", "8"))
    rounds = int(os.environ.get("BENCH_ROUNDS", "6"))
    connections = int(os.environ.get("BENCH_CONNECTIONS", "64"))
    chosen = [p for p in os.environ.get("BENCH_PATHS", "card,rollup").split(",") if p]
    tmp = Path(tempfile.mkdtemp(prefix="jingzhun-ab-"))
    try:
        commit = checkout(base, tmp / "base")
        sides = {"a": side_env(a_env), "b": side_env(b_env)}
        with registry_database("jingzhun-ab-db-") as (data, url):
            postmaster = int((data / "pg" / "data" / "postmaster.pid").read_text().split()[0])
            return await _compare(tmp, url, commit, chosen, sides, postmaster, households=households,
                                  seconds=seconds, rounds=rounds, connections=connections)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


async def _compare(
    tmp: Path, url: str, commit: str, chosen: list[str], sides: dict[str, dict[str, str]], postmaster: int, *,
    households: int, seconds: float, rounds: int, connections: int,
) -> dict[str, float | str]:
    env = registry_env(url, **SEARCH_LIMIT_UNREACHED)
    # The data goes in through a third process, ended before A and B start: a process that imported
    # the households keeps a larger heap (for its cycle collector to walk), which its twin would not.
    port = free_port()
    seeder = _server(REPO_ROOT, port, env, tmp / "seed.log")
    try:
        _wait(f"http://127.0.0.1:{port}/health/live", seeder)
        await seed(f"http://127.0.0.1:{port}", households)
    finally:
        seeder.terminate()
        seeder.wait(timeout=60)
    ids = await analyzed_sample(url.replace("postgresql+asyncpg://", "postgresql://"))
    ports = {"a": free_port(), "b": free_port()}
    procs = [
        _server(tmp / "base", ports["a"], env | sides["a"], tmp / "a.log"),
        _server(REPO_ROOT, ports["b"], env | sides["b"], tmp / "b.log"),
    ]
    try:
        pids = {"a": procs[0].pid, "b": procs[1].pid}
        bases = {k: f"http://127.0.0.1:{port}" for k, port in ports.items()}
        for key, proc in zip(bases, procs, strict=True):
            _wait(f"{bases[key]}/health/live", proc)
        reader = auth(["registrar"], f"{COUNTY}000000")
        results: dict[str, float | str] = {
            "base": commit[:12],
            **{f"{k}_env": " ".join(f"{n}={v}" for n, v in e.items()) for k, e in sides.items() if e},
            "load_1m_at_start": os.getloadavg()[0],
            "households": households,
            "rounds": rounds,
            "seconds_per_load": seconds,
            "connections": connections,
        }
        for name in chosen:
            call, ok = _call(name, ids, reader)
            for key in ("a", "b"):  # warm-up: pools fill, statements get prepared
                await _load(call, base=bases[key], connections=connections, seconds=min(2.0, seconds), ok=ok)
            figures: dict[str, list[dict[str, float]]] = {"a": [], "b": []}
            for i in range(rounds):
                for key in ("a", "b") if i % 2 == 0 else ("b", "a"):
                    figures[key].append(await _load(
                        call, base=bases[key], connections=connections, seconds=seconds, ok=ok,
                        server_pid=pids[key], db_pid=postmaster,
                    ))
            results |= _figures(name, figures)
        results["load_1m_at_end"] = os.getloadavg()[0]
        return results
    except BaseException:
        print_tails(tmp, ("seed.log", "a.log", "b.log"))
        raise
    finally:
        stop_all(procs)


def _call(name: str, ids: list[str], headers: dict[str, str]) -> tuple[Call, int]:
    """The i-th request of a path, and the status it answers."""
    if name == "register":
        villages = _villages()
        return (lambda i: _request("POST", "/registry/v1/households", headers,
                                   json.dumps(_household(villages[i % len(villages)])).encode())), 201
    template = PATHS[name]
    return (lambda i: _request("GET", template.format(ids[i % len(ids)]), headers)), 200


def _figures(name: str, figures: dict[str, list[dict[str, float]]]) -> dict[str, float | str]:
    cpu = {k: [f["server_cpu_ms"] * 1000 for f in v] for k, v in figures.items()}
    pairs = list(zip(cpu["a"], cpu["b"], strict=True))
    out: dict[str, float | str] = {
        f"{name}.a_cpu_us": statistics.median(cpu["a"]),
        f"{name}.b_cpu_us": statistics.median(cpu["b"]),
        f"{name}.b_over_a": statistics.median(b / a for a, b in pairs),
        f"{name}.rounds_a_b_us": "  ".join(f"{a:.0f}/{b:.0f}" for a, b in pairs),
    }
    for key in ("a", "b"):
        out[f"{name}.{key}_per_s"] = statistics.median(f["per_s"] for f in figures[key])
        out[f"{name}.{key}_p99_ms"] = statistics.median(f["p99_ms"] for f in figures[key])
        out[f"{name}.{key}_db_cpu_us"] = statistics.median(f["db_cpu_ms"] * 1000 for f in figures[key])
    return out
