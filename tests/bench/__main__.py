"""Run the benchmarks: ``python -m tests.bench [events] [--events N]``. Prints one line per figure."""

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
    "retention": "tests.bench.retention",
    "spreadsheet_import": "tests.bench.spreadsheet_import",
    "body_rss": "tests.bench.body_rss",
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("which", nargs="*", default=list(BENCHES))
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--households", type=int, default=1_000_000)
    args = parser.parse_args()
    print(f"machine: {platform.machine()} {os.cpu_count()} cores, python {platform.python_version()}")
    for name in args.which:
        module = importlib.import_module(BENCHES[name])
        size = args.events if name in ("events", "retention") else args.households
        result = asyncio.run(module.run(size))
        for key, value in result.items():
            if isinstance(value, float):
                print(f"{name}.{key}: {value:,.2f}" if abs(value) < 10 else f"{name}.{key}: {value:,.1f}")
            else:
                print(f"{name}.{key}: {value:,}")


if __name__ == "__main__":
    main()
