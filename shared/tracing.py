"""OpenTelemetry traces across HTTP and NATS hops: on when an OTLP endpoint is configured, off otherwise.

Off (the default) nothing is created: no provider, no instrumentation, and every hook below
returns after one check of a module flag. On (``<SERVICE>_OTEL_EXPORTER_OTLP_ENDPOINT`` or the
standard ``OTEL_EXPORTER_OTLP_ENDPOINT``), spans are exported over OTLP/HTTP in batches:

- HTTP server spans by FastAPI's own telemetry (``FastAPI(telemetry=...)``), which continues an
  incoming ``traceparent``;
- SQL spans (opentelemetry-instrumentation-sqlalchemy) and outgoing webhook calls
  (opentelemetry-instrumentation-httpx, which sends ``traceparent`` on);
- NATS hops by hand: the request's context is stored with the event in the outbox
  (the CloudEvents distributed-tracing attributes ``traceparent``/``tracestate``), the relay
  publishes under a producer span and sends ``traceparent`` as a header next to ``X-Request-ID``,
  and the consumer handles the event under a consumer span that continues that trace.

Tests install a provider with an in-memory exporter through :func:`use_provider`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = [
    "configure",
    "consumer_span",
    "current_ids",
    "enabled",
    "event_trace_context",
    "fastapi_telemetry",
    "instrument_engine",
    "publish_span",
    "use_provider",
]

_provider: TracerProvider | None = None
_httpx_instrumented = False


def enabled() -> bool:
    return _provider is not None


def configure(service: str, endpoint: str | None = None) -> None:
    """Turn tracing on for this process when an endpoint is given (or in the standard variable)."""
    global _provider
    if _provider is not None:  # already on (a test's provider, or a second app in one process)
        return
    endpoint = endpoint or os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or None
    if not endpoint:
        return
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    traces = endpoint if endpoint.rstrip("/").endswith("/v1/traces") else endpoint.rstrip("/") + "/v1/traces"
    provider = TracerProvider(resource=Resource.create({"service.name": f"jingzhun-{service}"}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=traces)))
    use_provider(provider)


def use_provider(provider: TracerProvider | None) -> None:
    """Trace with this provider (tests: an in-memory exporter); ``None`` turns tracing off again."""
    global _provider, _httpx_instrumented
    _provider = provider
    if (provider is not None) == _httpx_instrumented:
        return
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    if provider is not None:
        HTTPXClientInstrumentor().instrument(tracer_provider=provider)
        _httpx_instrumented = True
    else:
        HTTPXClientInstrumentor().uninstrument()
        _httpx_instrumented = False


def _tracer() -> trace.Tracer:
    assert _provider is not None
    return _provider.get_tracer("jingzhun")


def fastapi_telemetry() -> dict[str, Any]:
    """``FastAPI(telemetry=...)``: server spans with our provider, or nothing at all."""
    if _provider is None:
        return {"tracing": False, "metrics": False, "logs": False, "operation_spans": False}
    return {"tracer_provider": _provider, "tracing": True, "metrics": False, "logs": False,
            "operation_spans": False}


def instrument_engine(engine: AsyncEngine) -> None:
    """SQL spans for this engine (each service process may hold several engines, so not the
    instrumentor's once-per-process ``instrument()``)."""
    if _provider is None:
        return
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
    from opentelemetry.metrics import NoOpMeterProvider

    meter = NoOpMeterProvider().get_meter("jingzhun")
    pool_usage = meter.create_up_down_counter("db.client.connections.usage")
    tracer = _provider.get_tracer("opentelemetry.instrumentation.sqlalchemy")
    EngineTracer(tracer, engine.sync_engine, pool_usage)  # type: ignore[no-untyped-call]


def current_ids() -> tuple[str, str] | None:
    """(trace id, span id) of the current span, hex, for log lines; None outside a span."""
    ctx = trace.get_current_span().get_span_context()
    if not ctx.is_valid:
        return None
    return format(ctx.trace_id, "032x"), format(ctx.span_id, "016x")


def event_trace_context() -> dict[str, str]:
    """``traceparent``/``tracestate`` of the current span, to store with an event (empty when off)."""
    if _provider is None:
        return {}
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return {k: v for k, v in carrier.items() if k in ("traceparent", "tracestate")}


@contextmanager
def publish_span(
    subject: str, stored: Mapping[str, Any], headers: MutableMapping[str, str]
) -> Iterator[None]:
    """A producer span continuing the trace stored with the event; its context goes in ``headers``."""
    if _provider is None:
        yield
        return
    parent = propagate.extract({k: str(v) for k, v in stored.items() if k in ("traceparent", "tracestate")})
    with _tracer().start_as_current_span(
        f"send {subject}", context=parent, kind=SpanKind.PRODUCER,
        attributes={"messaging.system": "nats", "messaging.destination.name": subject},
    ):
        propagate.inject(headers)
        yield


@contextmanager
def consumer_span(
    consumer: str, subject: str, headers: Mapping[str, str] | None, stored: Mapping[str, Any]
) -> Iterator[None]:
    """A consumer span continuing the producer's trace (message headers first, else the event)."""
    if _provider is None:
        yield
        return
    carrier = {k: str(v) for k, v in stored.items() if k in ("traceparent", "tracestate")}
    carrier.update(
        {k.lower(): v for k, v in (headers or {}).items() if k.lower() in ("traceparent", "tracestate")}
    )
    with _tracer().start_as_current_span(
        f"process {subject}", context=propagate.extract(carrier), kind=SpanKind.CONSUMER,
        attributes={"messaging.system": "nats", "messaging.destination.name": subject,
                    "messaging.consumer.group.name": consumer},
    ):
        yield
