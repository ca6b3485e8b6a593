"""Every log line is JSON with the request id; traces follow a request across HTTP and NATS.

- In process: structlog events, standard-library records (a library's logger, uvicorn's) and the
  request line are all JSON objects carrying the request's id.
- A real ``uvicorn`` process of a service prints only JSON lines, its own start-up lines included.
- With an in-memory span exporter, one request that writes an event gives an HTTP server span, SQL
  spans, the relay's producer span and the consumer's span, all in one trace.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from fastapi import APIRouter
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from deploy.local.stack import free_port
from services.funds.events import DisbursementRecorded
from shared import audit, tracing
from shared.app import create_service_app
from shared.db import SessionDep
from shared.events import CloudEvent, add_event
from shared.settings import REPO_ROOT, ServiceSettings
from shared.tables import audit_log
from tests.support import service_client, settings_for, wait_for

# a real contract (services/funds/events.py): the consumer reads every event through its producer's
# contract, and an event without one goes to the dead letters
EVENT = DisbursementRecorded.type

router = APIRouter()


@router.post("/grants", status_code=201)
async def grant(session: SessionDep) -> dict[str, str]:
    logging.getLogger("some.library").warning("a library speaks through the standard logging module")
    logging.getLogger("uvicorn.error").info("uvicorn's logger, inside a request")
    event = await add_event(
        session,
        type=EVENT,
        subject="440783101201",
        data={"disbursement_id": "d-1", "area_code": "440783101201", "amount_fen": 100},
    )
    return {"event_id": event.id}


async def _project(session: AsyncSession, event: CloudEvent) -> None:
    await audit.record(session, "consumer", "projected", ("grant", event.subject), after=event.data)


def _lines(out: str) -> list[dict[str, object]]:
    lines = [line for line in out.splitlines() if line.strip()]
    parsed = []
    for line in lines:
        try:
            parsed.append(json.loads(line))
        except ValueError:
            pytest.fail(f"not a JSON log line: {line!r}")
    return parsed


@pytest.mark.asyncio
async def test_structlog_stdlib_and_request_lines_are_json_with_the_request_id(make_db, capsys) -> None:  # type: ignore[no-untyped-def]
    settings = settings_for(
        ServiceSettings, make_db("funds"), service_name="funds", log_json=True, log_level="INFO"
    )
    app = create_service_app(settings, title="t", routers=[router])
    async with service_client(app) as c:
        capsys.readouterr()
        r = await c.post("/funds/v1/grants", headers={"X-Request-ID": "rid-logs-1"})
        assert r.status_code == 201
        lines = _lines(capsys.readouterr().out)
    by_event = {str(line["event"]): line for line in lines}
    library = by_event["a library speaks through the standard logging module"]
    assert library["request_id"] == "rid-logs-1"
    assert library["level"] == "warning"
    assert library["logger"] == "some.library"
    assert library["service"] == "funds"
    uvicorn_line = by_event["uvicorn's logger, inside a request"]
    assert uvicorn_line["request_id"] == "rid-logs-1"
    assert uvicorn_line["logger"] == "uvicorn.error"
    request = by_event["http_request"]
    assert request["request_id"] == "rid-logs-1"
    assert request["status"] == 201
    assert request["method"] == "POST"
    assert request["path"] == "/funds/v1/grants"
    assert "trace_id" not in request  # tracing is off without an endpoint
    assert all("timestamp" in line for line in lines)


def test_a_real_uvicorn_process_prints_only_json(make_db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("FUNDS_")},
        "FUNDS_DATABASE_URL": make_db("funds"),
        "FUNDS_NATS_URL": f"nats://127.0.0.1:{free_port()}",
        "FUNDS_RUN_RELAY": "false",
        "FUNDS_RUN_CONSUMERS": "false",
        "FUNDS_RUN_JOBS": "false",
        "FUNDS_LOG_JSON": "true",
        "FUNDS_LOG_LEVEL": "INFO",
        "FUNDS_JWT_PUBLIC_KEY_PEM": "unused",
    }
    env.pop("OTEL_EXPORTER_OTLP_ENDPOINT", None)
    out_path = tmp_path / "out.log"
    with open(out_path, "wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "services.funds.app:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            cwd=REPO_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    r = httpx.get(f"http://127.0.0.1:{port}/health/live", timeout=1)
                    break
                except httpx.HTTPError:
                    assert proc.poll() is None, out_path.read_text()
                    assert time.monotonic() < deadline, out_path.read_text()
                    time.sleep(0.2)
            r = httpx.get(
                f"http://127.0.0.1:{port}/funds/v1/no-such-thing", headers={"X-Request-ID": "rid-uv"}
            )
            assert r.status_code == 404
            assert r.headers["x-request-id"] == "rid-uv"
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    lines = _lines(out_path.read_text())
    events = [str(line["event"]) for line in lines]
    assert any(e.startswith("Uvicorn running on") for e in events), events
    assert any(e == "Application startup complete." for e in events), events
    uvicorn_lines = [line for line in lines if str(line.get("logger", "")).startswith("uvicorn")]
    assert uvicorn_lines
    assert all(line["service"] == "funds" for line in uvicorn_lines)
    request = next(line for line in lines if line["event"] == "http_request" and line["status"] == 404)
    assert request["request_id"] == "rid-uv"


def test_the_worker_process_logs_json_too(make_db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")},
        "REGISTRY_DATABASE_URL": make_db("registry"),
        "REGISTRY_NATS_URL": f"nats://127.0.0.1:{free_port()}",  # nothing there: it keeps trying
        "REGISTRY_LOG_LEVEL": "INFO",
    }
    out_path = tmp_path / "worker.log"
    with open(out_path, "wb") as out:
        proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "jingzhun"), "worker", "registry"],
            cwd=REPO_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while '"logger": "nats.aio.client"' not in out_path.read_text():
                assert proc.poll() is None, out_path.read_text()
                assert time.monotonic() < deadline, out_path.read_text()
                time.sleep(0.2)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    lines = _lines(out_path.read_text())  # every line JSON
    failed = [line for line in lines if line.get("logger") == "nats.aio.client"]  # the library's logger
    assert failed
    assert failed[0]["service"] == "registry"
    assert failed[0]["level"] == "error"
    assert "ConnectionRefusedError" in str(failed[0]["exception"])


@pytest.fixture
def spans():  # type: ignore[no-untyped-def]
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.use_provider(provider)
    yield exporter
    tracing.use_provider(None)
    provider.shutdown()


@pytest.mark.asyncio
async def test_one_trace_from_the_request_through_nats_to_the_consumer(make_db, nats_url, spans) -> None:  # type: ignore[no-untyped-def]
    producer = create_service_app(
        settings_for(ServiceSettings, make_db("funds"), nats_url, service_name="funds", run_consumers=False),
        title="producer",
        routers=[router],
    )
    consumer = create_service_app(
        settings_for(ServiceSettings, make_db("pairing"), nats_url, service_name="pairing", run_relay=False),
        title="consumer",
        routers=[],
        handlers={EVENT: _project},
    )
    async with service_client(consumer) as _, service_client(producer) as c:
        # The caller's own trace: the service continues it.
        caller_trace = "4bf92f3577b34da6a3ce929d0e0e4736"
        r = await c.post(
            "/funds/v1/grants",
            headers={
                "X-Request-ID": "rid-trace-1",
                "traceparent": f"00-{caller_trace}-00f067aa0ba902b7-01",
            },
        )
        assert r.status_code == 201

        async def projected() -> int:
            async with consumer.state.db.transaction() as s:
                return int((await s.execute(select(func.count()).select_from(audit_log))).scalar_one())

        await wait_for(projected, what="the consumer handled the event")

        def finished() -> list:  # type: ignore[type-arg]
            return [s for s in spans.get_finished_spans() if s.kind == SpanKind.CONSUMER]

        await wait_for(lambda: _async(finished()), what="the consumer span ended")
    all_spans = spans.get_finished_spans()
    trace_hex = {format(s.context.trace_id, "032x") for s in all_spans}
    server = [s for s in all_spans if s.kind == SpanKind.SERVER]
    producer_spans = [s for s in all_spans if s.kind == SpanKind.PRODUCER]
    consumer_spans = [s for s in all_spans if s.kind == SpanKind.CONSUMER]
    sql = [s for s in all_spans if s.kind == SpanKind.CLIENT]  # SQLAlchemy statements
    seen = [(s.name, s.kind) for s in all_spans]
    assert server, seen
    assert producer_spans, seen
    assert consumer_spans, seen
    assert sql, seen
    assert format(server[0].context.trace_id, "032x") == caller_trace
    assert format(producer_spans[0].context.trace_id, "032x") == caller_trace
    assert format(consumer_spans[0].context.trace_id, "032x") == caller_trace
    assert consumer_spans[0].parent is not None
    assert consumer_spans[0].parent.span_id == producer_spans[0].context.span_id
    assert consumer_spans[0].name == f"process {EVENT}"
    # the consumer's SQL (inbox, audit row) is part of the same trace
    consumer_id = consumer_spans[0].context.span_id
    consumer_sql = [s for s in sql if s.parent is not None and s.parent.span_id == consumer_id]
    assert consumer_sql
    assert caller_trace in trace_hex


async def _async(value):  # type: ignore[no-untyped-def]
    return value
