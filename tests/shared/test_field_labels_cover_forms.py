"""Every field a clerk, an inspector or a finance officer fills in (request bodies, query and path
parameters of the four services' own routes) has a Chinese label: a 422 never says
"cause_kind必须填写" but "原因类别必须填写". Machine-facing routes (DCI, change feed, health) and the
policy editors' documents are left out: their callers read the field codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from shared.labels import COMMON, load_labels
from shared.settings import REPO_ROOT

SERVICES = ("registry", "funds", "inspection", "pairing")
MACHINE_FACING = ("/dci/", "/feed/", "/health/", "policies", "signoff-schemes")


def _form_fields(spec: dict[str, Any]) -> dict[str, set[str]]:
    """Field name -> where it is asked for."""
    schemas = spec.get("components", {}).get("schemas", {})
    found: dict[str, set[str]] = {}

    def walk(schema: Any, seen: set[str], where: str) -> None:
        if not isinstance(schema, dict):
            return
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            if name not in seen:
                seen.add(name)
                walk(schemas[name], seen, name)
            return
        for field, sub in schema.get("properties", {}).items():
            found.setdefault(field, set()).add(where)
            walk(sub, seen, where)
        for key in ("items", "additionalProperties"):
            walk(schema.get(key), seen, where)
        for key in ("anyOf", "oneOf", "allOf"):
            for sub in schema.get(key, []):
                walk(sub, seen, where)

    for path, operations in spec["paths"].items():
        if any(part in path for part in MACHINE_FACING):
            continue
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            for parameter in operation.get("parameters", []):
                if parameter["in"] in ("query", "path"):
                    found.setdefault(parameter["name"], set()).add(f"{method.upper()} {path}")
            for media, content in operation.get("requestBody", {}).get("content", {}).items():
                if "json" in media:
                    walk(content.get("schema"), set(), f"{method.upper()} {path}")
    return found


@pytest.mark.parametrize("service", SERVICES)
def test_every_form_field_has_a_chinese_label(service: str) -> None:
    spec = json.loads(
        Path(REPO_ROOT, "clients", "typescript", "openapi", f"{service}.json").read_text("utf-8")
    )
    labels = COMMON | load_labels(f"services.{service}")
    unlabelled = {f: sorted(w) for f, w in _form_fields(spec).items() if f not in labels.fields}
    assert unlabelled == {}
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in label) for label in labels.fields.values())
