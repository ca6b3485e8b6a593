"""Generate docs/asyncapi.yaml (AsyncAPI 3.0) from the event tables in docs/EVENTS.md.

    .venv/bin/python -m tests.deploy.asyncapi_gen          # rewrite docs/asyncapi.yaml
    .venv/bin/python -m tests.deploy.asyncapi_gen --check  # exit 1 if it is out of date

EVENTS.md stays the contract people edit; a row added there shows up here on the next run (and
tests/deploy/test_manifests.py fails until it does). Field types come from naming conventions
(``*_fen`` integer fen, ``*_on``/``*_until`` dates, ``area_code`` 12 digits, ...) and from the notes in
parentheses: ``a/b/c`` or a comma list of snake_case words is an enum, ``list of {x, y}`` an array
of objects, ``... or null`` nullable.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
EVENTS_MD = ROOT / "docs" / "EVENTS.md"
ASYNCAPI = ROOT / "docs" / "asyncapi.yaml"

EVENT_TYPE = re.compile(r"^(registry|funds|pairing|inspection)\.[a-z0-9_]+(\.[a-z0-9_]+)*\.v[0-9]+$")
HEADING = re.compile(r"^##\s+([a-z]+)\.\*\s*\(stream\s+([A-Z]+)\)")

UUID_FIELDS = {
    "household_id", "exit_request_id", "dossier_id", "finding_id", "record_id", "anomaly_id",
    "disbursement_id", "plan_id", "gap_id", "pairing_id", "helper_id", "visit_id", "cadre_id",
    "need_id", "transaction_id", "member_id", "submission_id", "supersedes_id", "conflict_id",
    "held_household_id",
}
INTEGER_FIELDS = {
    "year", "plan_year", "member_count", "rural_population", "poor_persons", "households_handed_over",
    "revision", "people", "objections", "quarter", "version", "checkpoint_id", "from_id", "upto_id",
}
INTEGER_LIST_FIELDS = {"years"}
BOOLEAN_FIELDS = {
    "poor_village", "old_area_village", "key_village", "pairing_village", "dibao", "passed", "late",
}
AREA_FIELDS = {"area_code", "code", "parent_code"}
DATE_FIELDS = {"deadline", "policies_kept_until"}
OBJECT_FIELDS = {"detail"}
STRING_LIST_FIELDS = {"poverty_causes", "batches"}
NULLABLE_FIELDS = {"parent_code", "registered_on", "exited_on", "policies_kept_until", "exit_notice_until"}


@dataclass
class Field_:
    name: str
    note: str = ""


@dataclass
class Event:
    type: str
    stream: str
    fields: list[Field_] = field(default_factory=list)
    note: str = ""

    @property
    def service(self) -> str:
        return self.type.split(".", 1)[0]


def split_top(text: str, sep: str = ",") -> list[str]:
    """Split on ``sep`` outside parentheses and braces."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch in "({[":
            depth += 1
        elif ch in ")}]":
            depth -= 1
        if ch == sep and depth == 0:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        parts.append(cur.strip())
    return parts


def parse_field(text: str) -> Field_:
    m = re.match(r"^([a-z_][a-z0-9_]*)\s*(?:\((.*)\))?\s*$", text.strip(), re.S)
    if not m:
        raise ValueError(f"cannot read field {text!r} in docs/EVENTS.md")
    return Field_(m.group(1), (m.group(2) or "").strip())


def parse_events(markdown: str) -> list[Event]:
    """Every row of every event table, in document order."""
    events: list[Event] = []
    stream = ""
    for line in markdown.splitlines():
        heading = HEADING.match(line)
        if heading:
            stream = heading.group(2)
            continue
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or not EVENT_TYPE.match(cells[0]):
            continue
        type_ = cells[0]
        data, _, note = "|".join(cells[1:]).partition(" — ")  # "fields — when it is sent"
        event = Event(type_, stream or type_.split(".", 1)[0].upper(), note=note.strip())
        event.fields = [parse_field(f) for f in split_top(data)]
        events.append(event)
    return events


def enum_values(note: str) -> list[Any] | None:
    if note.startswith(("e.g.", "list of")):
        return None
    if re.fullmatch(r"[a-z0-9_]+(/[a-z0-9_]+)+", note):
        return [None if v == "null" else v for v in note.split("/")]
    words = [w.strip() for w in note.split(",")]
    if len(words) > 1 and all(re.fullmatch(r"[a-z][a-z0-9_]*", w) for w in words):
        return words
    return None


def nested_schema(name: str) -> dict[str, Any]:
    if name in BOOLEAN_FIELDS:
        return {"type": "boolean"}
    if name.endswith("_fen"):
        return {"type": "integer"}
    return {"type": "string"}


def field_schema(f: Field_) -> dict[str, Any]:
    name, note = f.name, f.note
    schema: dict[str, Any]
    list_of_obj = re.match(r"^list of \{(.*?)\}[;,]?\s*(.*)$", note)
    if list_of_obj:
        props = [p.strip() for p in list_of_obj.group(1).split(",")]
        schema = {
            "type": "array",
            "items": {
                "type": "object",
                "required": props,
                # nested fields are plain values (e.g. a criterion's detail is a sentence)
                "properties": {p: nested_schema(p) for p in props},
            },
        }
        if list_of_obj.group(2):
            schema["description"] = list_of_obj.group(2)
    elif name.endswith("_ids") or note.startswith("list of"):
        item = field_schema(Field_(name[:-1])) if name.endswith("_ids") else {"type": "string"}
        schema = {"type": "array", "items": item}
    elif name in INTEGER_LIST_FIELDS:
        schema = {"type": "array", "items": {"type": "integer"}}
    elif name in STRING_LIST_FIELDS:
        schema = {"type": "array", "items": {"type": "string"}}
    elif name.endswith("_fen"):
        schema = {"type": "integer", "description": "amount in fen (1 yuan = 100 fen)"}
    elif name in INTEGER_FIELDS or name.endswith("_count"):
        schema = {"type": "integer"}
    elif name in BOOLEAN_FIELDS:
        schema = {"type": "boolean"}
    elif name in AREA_FIELDS:
        schema = {"type": "string", "pattern": "^[0-9]{12}$", "description": "12-digit division code"}
    elif name.endswith(("_on", "_until")) or name in DATE_FIELDS:
        schema = {"type": "string", "format": "date"}
    elif name in UUID_FIELDS:
        schema = {"type": "string", "format": "uuid"}
    elif name in OBJECT_FIELDS:
        schema = {"type": "object", "additionalProperties": True}
    else:
        schema = {"type": "string"}
    values = enum_values(note) if not list_of_obj else None
    if values is not None:
        schema = {"type": "string", "enum": values}
    nullable = name in NULLABLE_FIELDS or "or null" in note or (values is not None and None in values)
    if nullable and isinstance(schema.get("type"), str):
        schema["type"] = [schema["type"], "null"]
    if note and values is None and not list_of_obj:
        schema["description"] = (schema.get("description", "") + "; " + note).lstrip("; ")
    elif note.startswith("e.g."):
        schema["description"] = note
    return schema


def data_schema(event: Event) -> dict[str, Any]:
    return {
        "type": "object",
        "description": "Producers may add fields; consumers ignore the ones they do not know.",
        "additionalProperties": True,
        "required": [f.name for f in event.fields],
        "properties": {f.name: field_schema(f) for f in event.fields},
    }


def title_of(event_type: str) -> str:
    parts = event_type.split(".")[1:-1]
    return " ".join(p.replace("_", " ") for p in parts).capitalize()


def build(events: list[Event]) -> dict[str, Any]:
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
                "id": {"type": "string", "format": "uuid",
                       "description": "unique per event; also the Nats-Msg-Id header and the inbox key"},
                "source": {"type": "string", "pattern": "^jingzhun/(registry|funds|pairing|inspection)$"},
                "type": {"type": "string", "description": "the event type, also the NATS subject"},
                "subject": {"type": "string", "description": "id of the main entity, as a string"},
                "time": {"type": "string", "format": "date-time"},
                "datacontenttype": {"type": "string", "const": "application/json"},
                "dataschema": {"type": "string", "format": "uri"},
                "requestid": {"type": "string", "description": "request id of the HTTP call that caused it"},
                "traceparent": {"type": "string", "description": (
                    "W3C trace context of the writer (CloudEvents distributed-tracing extension); "
                    "only when tracing is on")},
                "tracestate": {"type": "string", "description": "W3C tracestate, with traceparent"},
                "data": {"type": "object"},
            },
        },
        "NatsHeaders": {
            "type": "object",
            "properties": {
                "Nats-Msg-Id": {"type": "string", "format": "uuid",
                                "description": "= CloudEvent id; JetStream drops a re-send within 2 hours"},
                "Content-Type": {"type": "string", "const": "application/cloudevents+json"},
                "X-Request-ID": {"type": "string"},
                "traceparent": {"type": "string", "description": "the relay's producer span (tracing on)"},
            },
        },
    }
    for event in events:
        t = event.type
        data_name = "data." + t
        schemas[data_name] = data_schema(event)
        messages[t] = {
            "name": t,
            "title": title_of(t),
            "summary": f"{t} on stream {event.stream}",
            **({"description": event.note} if event.note else {}),
            "contentType": "application/cloudevents+json",
            "headers": {"$ref": "#/components/schemas/NatsHeaders"},
            "payload": {
                "allOf": [
                    {"$ref": "#/components/schemas/CloudEvent"},
                    {
                        "type": "object",
                        "properties": {
                            "type": {"type": "string", "const": t},
                            "source": {"type": "string", "const": f"jingzhun/{event.service}"},
                            "data": {"$ref": f"#/components/schemas/{data_name}"},
                        },
                    },
                ]
            },
        }
        channels[t] = {
            "address": t,
            "title": title_of(t),
            "description": f"JetStream stream {event.stream} (subjects {event.service}.>), file storage.",
            "messages": {t: {"$ref": f"#/components/messages/{t}"}},
        }
        operations[f"{event.service}.send.{t}"] = {
            "action": "send",
            "title": f"{event.service} publishes {t}",
            "description": "Written to the outbox in the transaction of the change, relayed to JetStream.",
            "channel": {"$ref": f"#/channels/{t}"},
            "messages": [{"$ref": f"#/channels/{t}/messages/{t}"}],
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Jingzhun (精准) events",
            "version": "1.0.0",
            "description": (
                "Every event the four services publish on NATS JetStream. Generated from docs/EVENTS.md by "
                "`python -m tests.deploy.asyncapi_gen`; edit EVENTS.md, not this file. Money is integer fen; "
                "no resident ID numbers in any event; names only masked. Consumers use durable pull "
                "consumers named `<service>-from-<stream>` and record each event id in an inbox table."
            ),
            "license": {"name": "Apache-2.0"},
        },
        "defaultContentType": "application/cloudevents+json",
        "servers": {
            "cluster": {"host": "nats:4222", "protocol": "nats",
                        "description": "Kubernetes (deploy/k8s) and docker-compose"},
            "local": {"host": "127.0.0.1:4222", "protocol": "nats", "description": "make run"},
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


HEADER = (
    "# GENERATED from docs/EVENTS.md by `.venv/bin/python -m tests.deploy.asyncapi_gen`; do not edit.\n"
)


def render(markdown: str) -> str:
    doc = build(parse_events(markdown))
    return HEADER + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=110)


def main(argv: list[str]) -> int:
    text = render(EVENTS_MD.read_text(encoding="utf-8"))
    if "--check" in argv:
        current = ASYNCAPI.read_text(encoding="utf-8") if ASYNCAPI.exists() else ""
        if current != text:
            print("docs/asyncapi.yaml is out of date: run .venv/bin/python -m tests.deploy.asyncapi_gen")
            return 1
        return 0
    ASYNCAPI.write_text(text, encoding="utf-8")
    count = len(parse_events(EVENTS_MD.read_text(encoding="utf-8")))
    print(f"wrote {ASYNCAPI.relative_to(ROOT)} ({count} events)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
