"""Run the benchmarks: ``python -m tests.bench [events] [--events N]``. Prints one line per figure.

``python -m tests.bench ab --base <revision>``: this working tree's hot reads against that
revision's, paired on one database (tests/bench/ab.py); not among the default benchmarks.
``--a-env KEY=VALUE`` / ``--b-env KEY=VALUE`` (repeatable) set one side's environment only."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import platform

BENCHES = {
    "events": "tests.bench.events",
    "rollups": "tests.bench.rollups",
    "coverage": "tests.bench.coverage",
    "registry_concurrency": "tests.bench.registry_concurrency",
    "ratios": "tests.bench.ratios",
    "bulk_import": "tests.bench.bulk_import",
    "retention": "tests.bench.retention",
    "spreadsheet_import": "tests.bench.spreadsheet_import",
    "body_rss": "tests.bench.body_rss",
    "pairing_import": "tests.bench.pairing_import",
    "ab": "tests.bench.ab",
}
ON_REQUEST = {"ab"}  # run only when named


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("which", nargs="*", default=[b for b in BENCHES if b not in ON_REQUEST])
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=5000, help="rows of the pairing_import roll")
    parser.add_argument("--base", default="main", help="the revision ab compares this working tree against")
    for side in ("a", "b"):  # ab: a setting of one side only, e.g. --b-env REGISTRY_DB_POOL_SIZE=5
        parser.add_argument(f"--{side}-env", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args()
    print(f"machine: {platform.machine()} {os.cpu_count()} cores, python {platform.python_version()}")
    for name in args.which:
        module = importlib.import_module(BENCHES[name])
        size = args.events if name in ("events", "retention") else args.households
        size = args.rows if name == "pairing_import" else size
        sides = {"base": args.base, "a_env": args.a_env, "b_env": args.b_env} if name == "ab" else {}
        result = asyncio.run(module.run(size, **sides))
        for key, value in result.items():
            if isinstance(value, str):
                print(f"{name}.{key}: {value}")
            elif isinstance(value, float):
                print(f"{name}.{key}: {value:,.2f}" if abs(value) < 10 else f"{name}.{key}: {value:,.1f}")
            else:
                print(f"{name}.{key}: {value:,}")


if __name__ == "__main__":
    main()
