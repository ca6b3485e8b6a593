"""`jingzhun snapshot write registry --area … --out file.ndjson.gz`: a province's snapshot as a file,
written by a job from the database — the same lines as GET /snapshot, gzipped, with the feed
position, and no half-written file when it fails."""

from __future__ import annotations

import asyncio
import gzip
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from deploy.cli import app as cli
from shared.clock import clock
from tests.registry.integration.helpers import load_areas, registered, registry_app
from tests.support import service_client


def test_a_province_snapshot_file_has_every_household_and_its_feed_position(
    make_db, nats_url: str, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    url = make_db("registry")

    async def two_households() -> None:
        async with service_client(registry_app(url, nats_url)) as c:
            await load_areas(c)
            await registered(c)
            await registered(c)
            await asyncio.sleep(1)  # the relay publishes the events: the feed position moves

    asyncio.run(two_households())
    clock.thaw()
    out = tmp_path / "registry-44.ndjson.gz"
    result = CliRunner().invoke(
        cli,
        ["snapshot", "write", "registry", "--area", "440000000000", "--out", str(out),
         "--database-url", url, "--nats-url", nats_url],
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in gzip.decompress(out.read_bytes()).decode().splitlines()]
    header, end = lines[0], lines[-1]
    assert header["kind"] == "header"
    assert header["area_prefix"] == "44"
    assert header["feed_after"] > 0  # the registrations' events were on the stream before it
    households = [row for row in lines if row["kind"] == "household"]
    members = [row for row in lines if row["kind"] == "member"]
    assert len(households) == 2
    assert {h["status"] for h in households} == {"registered"}
    areas = [row for row in lines if row["kind"] == "area"]
    assert {a["code"] for a in areas} >= {"440000000000", "440783101201"}
    reflected = [row for row in lines if row["kind"] == "reflected"]
    counts = {"area": len(areas), "household": 2, "member": len(members), "reflected": len(reflected)}
    assert end == {"kind": "end", "counts": counts, "feed_after": header["feed_after"]}
    assert all("resident_id" not in m for m in members)  # masked, as the HTTP snapshot
    assert f"household {2:,}" in result.output
    assert not list(tmp_path.glob("*.partial"))


def test_an_unreachable_bus_leaves_no_file(make_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "registry-44.ndjson.gz"
    result = CliRunner().invoke(
        cli,
        ["snapshot", "write", "registry", "--area", "440000000000", "--out", str(out),
         "--database-url", make_db("registry"), "--nats-url", "nats://127.0.0.1:1"],
    )
    assert result.exit_code != 0
    assert not out.exists()
    assert not list(tmp_path.glob("*.partial"))


@pytest.mark.parametrize("service", ["funds", "pairing", "inspection"])
def test_the_other_services_write_their_snapshot_files_too(
    make_db, nats_url: str, tmp_path: Path, service: str
) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / f"{service}-44.ndjson.gz"
    result = CliRunner().invoke(
        cli,
        ["snapshot", "write", service, "--area", "440000000000", "--out", str(out),
         "--database-url", make_db(service), "--nats-url", nats_url],
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in gzip.decompress(out.read_bytes()).decode().splitlines()]
    assert lines[0]["kind"] == "header"
    assert lines[0]["service"] == service
    assert lines[-1]["kind"] == "end"
    assert set(lines[-1]["counts"].values()) == {0}  # a new service: every section empty, and said so
    assert lines[-1]["feed_after"] == 0  # nothing published yet: read its feed from the start
