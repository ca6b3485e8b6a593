"""Generate docs/asyncapi.yaml (AsyncAPI 3.0) and docs/event-contracts.lock.json from the event contracts.

    .venv/bin/python -m tests.deploy.asyncapi_gen          # rewrite both files
    .venv/bin/python -m tests.deploy.asyncapi_gen --check  # exit 1 if either is out of date

Each message's payload schema is the JSON schema of its pydantic contract (``services/<svc>/events.py``,
``shared.events.contracts``); who consumes it comes from each service's consumer registrations
(``services/<svc>/app.py`` ``HANDLERS``), with the durable consumer that reads it.

The lock file pins, per event type, a digest of the contract's structure (fields, types, required,
enums, defaults; not its descriptions). A contract whose structure changed under the same type is
refused here and by tests/deploy/test_event_contracts.py: publish it under a new version (``.v2``).
New types are added to the lock; types that are gone are dropped from it.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from deploy.services import SERVICE_NAMES
from shared.events.contracts import EventContract
from shared.events.envelope import service_of
from shared.events.streams import stream_for

ROOT = Path(__file__).resolve().parents[1]
ASYNCAPI = ROOT / "docs" / "asyncapi.yaml"
LOCK = ROOT / "docs" / "event-contracts.lock.json"
REF = "#/components/schemas/{model}"
# Words that document a schema without changing what validates: left out of the lock's digest.
_PROSE = {"description", "title", "examples"}


def load() -> tuple[dict[str, type[EventContract]], dict[str, list[tuple[str, str]]]]:
    """Every contract the four services publish, by type, and who consumes each type:
    type -> [(consuming service, durable consumer)]."""
    contracts: dict[str, type[EventContract]] = {}
    consumers: dict[str, list[tuple[str, str]]] = {}
    for service in SERVICE_NAMES:
        module = importlib.import_module(f"services.{service}.events")
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, EventContract) and value.__dict__.get("type"):
                if service_of(value.type) != service:
                    raise ValueError(
                        f"services/{service}/events.py declares {value.type}, another service's event"
                    )
                contracts[value.type] = value
    for service in SERVICE_NAMES:
        handlers: Mapping[str, Any] = importlib.import_module(f"services.{service}.app").HANDLERS
        for event_type in sorted(handlers):
            durable = f"{service}-from-{stream_for(service_of(event_type)).lower()}"
            consumers.setdefault(event_type, []).append((service, durable))
    return dict(
        sorted(contracts.items(), key=lambda kv: (SERVICE_NAMES.index(service_of(kv[0])), kv[0]))
    ), consumers


def _structure(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {k: _structure(v) for k, v in schema.items() if k not in _PROSE}
    if isinstance(schema, list):
        return [_structure(v) for v in schema]
    return schema


def structure_hash(model: type[EventContract]) -> str:
    """Digest of what a payload must look like (the lock's value for the type)."""
    schema = _structure(model.model_json_schema(mode="serialization"))
    return hashlib.sha256(json.dumps(schema, sort_keys=True).encode()).hexdigest()


def lock_problems(contracts: Mapping[str, type[EventContract]], lock: Mapping[str, str]) -> list[str]:
    """One sentence per contract whose structure changed under a type the lock already pins."""
    problems = []
    for event_type, model in contracts.items():
        pinned = lock.get(event_type)
        if pinned is not None and pinned != structure_hash(model):
            name, _, version = event_type.rpartition(".v")
            bumped = f"{name}.v{int(version) + 1}" if version.isdigit() else f"{event_type}.v2"
            problems.append(
                f"{model.__name__} changed the payload of {event_type}, which consumers already read: "
                f"bump the version — publish the new shape as {bumped} (a new contract class) and keep "
                f"{event_type} until its consumers have moved"
            )
    return problems


def new_lock(contracts: Mapping[str, type[EventContract]]) -> dict[str, str]:
    return {event_type: structure_hash(model) for event_type, model in contracts.items()}


def _schemas(contracts: Mapping[str, type[EventContract]]) -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    for event_type, model in contracts.items():
        schema = model.model_json_schema(mode="serialization", ref_template=REF)
        for name, sub in schema.pop("$defs", {}).items():
            if name in schemas and schemas[name] != sub:
                raise ValueError(f"two nested contract shapes are both called {name}")
            schemas[name] = sub
        schemas["data." + event_type] = schema
    return schemas


def title_of(event_type: str) -> str:
    parts = event_type.split(".")[1:-1]
    return " ".join(p.replace("_", " ") for p in parts).capitalize()


def build(
    contracts: Mapping[str, type[EventContract]], consumers: Mapping[str, list[tuple[str, str]]]
) -> dict[str, Any]:
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    schemas: dict[str, Any] = {
        "CloudEvent": {
            "type": "object",
            "description": "CloudEvents 1.0, structured JSON mode (shared/events/envelope.py).",
            "required": ["specversion", "id", "source", "type", "subject", "time", "datacontenttype", "data"],
            "properties": {
                "specversion": {"type": "string", "const": "1.0"},
                "id": {
                    "type": "string",
                    "format": "uuid",
                    "description": "unique per event; also the Nats-Msg-Id header and the inbox key",
                },
                "source": {"type": "string", "pattern": "^jingzhun/(registry|funds|pairing|inspection)$"},
                "type": {
                    "type": "string",
                    "description": "the event type with its version, also the NATS subject",
                },
                "subject": {"type": "string", "description": "id of the main entity, as a string"},
                "time": {"type": "string", "format": "date-time"},
                "datacontenttype": {"type": "string", "const": "application/json"},
                "dataschema": {"type": "string", "format": "uri"},
                "requestid": {"type": "string", "description": "request id of the HTTP call that caused it"},
                "traceparent": {
                    "type": "string",
                    "description": (
                        "W3C trace context of the writer (CloudEvents distributed-tracing extension); "
                        "only when tracing is on"
                    ),
                },
                "tracestate": {"type": "string", "description": "W3C tracestate, with traceparent"},
                "data": {"type": "object"},
            },
        },
        "NatsHeaders": {
            "type": "object",
            "properties": {
                "Nats-Msg-Id": {
                    "type": "string",
                    "format": "uuid",
                    "description": "= CloudEvent id; JetStream drops a re-send within 2 hours",
                },
                "Content-Type": {"type": "string", "const": "application/cloudevents+json"},
                "X-Request-ID": {"type": "string"},
                "traceparent": {"type": "string", "description": "the relay's producer span (tracing on)"},
            },
        },
    }
    schemas.update(_schemas(contracts))
    for t, model in contracts.items():
        service, stream = service_of(t), stream_for(service_of(t))
        readers = consumers.get(t, [])
        read_by = ", ".join(f"{s} (durable {d})" for s, d in readers) or "no service of this repository"
        doc = (model.__doc__ or "").strip()
        messages[t] = {
            "name": t,
            "title": title_of(t),
            "summary": f"{t} on stream {stream}; contract {model.__module__}.{model.__name__}",
            "description": (doc + "\n\n" if doc else "") + f"Consumed by: {read_by}.",
            "contentType": "application/cloudevents+json",
            "headers": {"$ref": "#/components/schemas/NatsHeaders"},
            "payload": {
                "allOf": [
                    {"$ref": "#/components/schemas/CloudEvent"},
                    {
                        "type": "object",
                        "properties": {
                            "type": {"type": "string", "const": t},
                            "source": {"type": "string", "const": f"jingzhun/{service}"},
                            "data": {"$ref": f"#/components/schemas/data.{t}"},
                        },
                    },
                ]
            },
            "x-consumers": [{"service": s, "durable": d} for s, d in readers],
        }
        channels[t] = {
            "address": t,
            "title": title_of(t),
            "description": f"JetStream stream {stream} (subjects {service}.>), file storage.",
            "messages": {t: {"$ref": f"#/components/messages/{t}"}},
        }
        operations[f"{service}.send.{t}"] = {
            "action": "send",
            "title": f"{service} publishes {t}",
            "description": "Written to the outbox in the transaction of the change, relayed to JetStream.",
            "channel": {"$ref": f"#/channels/{t}"},
            "messages": [{"$ref": f"#/channels/{t}/messages/{t}"}],
        }
        for reader, durable in readers:
            operations[f"{reader}.receive.{t}"] = {
                "action": "receive",
                "title": f"{reader} consumes {t}",
                "description": (
                    f"Durable pull consumer {durable}; each event applied once (inbox). A payload that does "
                    "not match the contract goes to the dead letters (deadletter."
                    f"{reader}.{t}), not retried."
                ),
                "channel": {"$ref": f"#/channels/{t}"},
                "messages": [{"$ref": f"#/channels/{t}/messages/{t}"}],
            }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Jingzhun (精准) events",
            "version": "1.0.0",
            "description": " ".join(
                (
                    "Every event the four services publish on NATS JetStream. Generated from the event",
                    "contracts (services/<svc>/events.py) by `python -m tests.deploy.asyncapi_gen`; edit the",
                    "contracts, not this file. Money is integer fen; no resident ID numbers in any event;",
                    "names only masked. Consumers use durable pull consumers named",
                    "`<service>-from-<stream>` and record each event id in an inbox table.",
                )
            ),
            "license": {"name": "Apache-2.0"},
        },
        "defaultContentType": "application/cloudevents+json",
        "servers": {
            "cluster": {
                "host": "nats:4222",
                "protocol": "nats",
                "description": "Kubernetes (deploy/k8s) and docker-compose",
            },
            "local": {"host": "127.0.0.1:4222", "protocol": "nats", "description": "make run"},
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


HEADER = (
    "# GENERATED from the event contracts (services/<svc>/events.py) by "
    "`.venv/bin/python -m tests.deploy.asyncapi_gen`; do not edit.\n"
)


def render(
    contracts: Mapping[str, type[EventContract]], consumers: Mapping[str, list[tuple[str, str]]]
) -> str:
    doc = build(contracts, consumers)
    return HEADER + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=110)


def render_lock(lock: Mapping[str, str]) -> str:
    return json.dumps(dict(lock), indent=2, ensure_ascii=False) + "\n"


def read_lock() -> dict[str, str]:
    return dict(json.loads(LOCK.read_text(encoding="utf-8"))) if LOCK.exists() else {}


def main(argv: list[str]) -> int:
    contracts, consumers = load()
    problems = lock_problems(contracts, read_lock())
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    text, lock = render(contracts, consumers), render_lock(new_lock(contracts))
    if "--check" in argv:
        stale = [
            p.relative_to(ROOT).as_posix()
            for p, want in ((ASYNCAPI, text), (LOCK, lock))
            if (p.read_text(encoding="utf-8") if p.exists() else "") != want
        ]
        if stale:
            print(f"{', '.join(stale)} out of date: run .venv/bin/python -m tests.deploy.asyncapi_gen")
            return 1
        return 0
    ASYNCAPI.write_text(text, encoding="utf-8")
    LOCK.write_text(lock, encoding="utf-8")
    print(f"wrote {ASYNCAPI.relative_to(ROOT)} and {LOCK.relative_to(ROOT)} ({len(contracts)} event types)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
