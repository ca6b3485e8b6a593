"""Run the benchmarks: ``python -m tests.bench [events] [--events N]``. Prints one line per figure.

``python -m tests.bench ab --base <revision>``: this working tree's hot reads against that
revision's, paired on one database (tests/bench/ab.py); not among the default benchmarks."""

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
    args = parser.parse_args()
    print(f"machine: {platform.machine()} {os.cpu_count()} cores, python {platform.python_version()}")
    for name in args.which:
        module = importlib.import_module(BENCHES[name])
        size = args.events if name in ("events", "retention") else args.households
        size = args.rows if name == "pairing_import" else size
        result = asyncio.run(module.run(size, base=args.base) if name == "ab" else module.run(size))
        for key, value in result.items():
            if isinstance(value, str):
                print(f"{name}.{key}: {value}")
            elif isinstance(value, float):
                print(f"{name}.{key}: {value:,.2f}" if abs(value) < 10 else f"{name}.{key}: {value:,.1f}")
            else:
                print(f"{name}.{key}: {value:,}")


if __name__ == "__main__":
    main()
