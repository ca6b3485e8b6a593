"""What only the project pays, by function: two py-spy profiles (collapsed stacks, ``--format raw``)
of the same read, the project's and the bare app's (``BENCH_PROFILE`` of tests/bench/ratios.py
writes ``<path>.txt`` and ``<path>.honest.txt``), each function's self time (native frames charged
to the Python function that called them, system calls named) in µs a request.

    python -m tests.bench.profile_diff prof/card.txt prof/card.honest.txt 310 200 [--by func|file|package]

The two numbers are each server's CPU µs a request in the same run (``card.project_cpu_ms`` and
``card.honest_cpu_ms`` × 1000): a function's share of its profile's samples times its server's CPU.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

_FRAME = re.compile(r"(.*) \((.*?):\d+\)$")
_SYSCALL = re.compile(r"(write|writev|read|recv|send|sendmsg|epoll_wait|mmap|munmap) \(libc")


def self_times(path: Path, cpu_us: float, by: str) -> dict[str, float]:
    samples: Counter[str] = Counter()
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        python = [f for f in frames if _FRAME.match(f) and ".py:" in f]
        leaf = python[-1] if python else frames[-1]
        found = _FRAME.match(leaf)
        key = leaf
        if found is not None:
            name, file = found.groups()
            key = {"func": f"{name} ({file})", "file": file, "package": file.split("/")[0]}[by]
        syscall = _SYSCALL.match(frames[-1])
        if syscall is not None:
            key += f" [{syscall.group(1)}]"
        samples[key] += int(count)
    total = sum(samples.values()) or 1
    return {key: n / total * cpu_us for key, n in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("bare", type=Path)
    parser.add_argument("project_cpu_us", type=float)
    parser.add_argument("bare_cpu_us", type=float)
    parser.add_argument("--by", choices=("func", "file", "package"), default="func")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    ours = self_times(args.project, args.project_cpu_us, args.by)
    theirs = self_times(args.bare, args.bare_cpu_us, args.by)
    keys = ours.keys() | theirs.keys()
    rows = sorted(((ours.get(k, 0.0) - theirs.get(k, 0.0), k) for k in keys), reverse=True)
    print(f"{'extra':>7} {'project':>7} {'bare':>7}  µs a request")
    for extra, key in rows[: args.top]:
        print(f"{extra:7.1f} {ours.get(key, 0.0):7.1f} {theirs.get(key, 0.0):7.1f}  {key}")


if __name__ == "__main__":
    main()
