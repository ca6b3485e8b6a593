"""Schemathesis' own engine (what ``schemathesis run`` does) against a service's ASGI app in-process.

All of schemathesis' checks, positive and negative data, and every phase: the examples written in the
document, the coverage phase (boundary values of every constraint), property-based fuzzing and the
stateful phase (sequences of calls following the links the document declares). ``run`` returns the
distinct failures (operation, check, status), each with one request to reproduce it.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.config._checks import (
    NEGATIVE_DATA_REJECTION_EXPECTED_STATUSES,
    POSITIVE_DATA_ACCEPTANCE_EXPECTED_STATUSES,
)
from schemathesis.engine import events, from_schema

PHASES = ("examples", "coverage", "fuzzing", "stateful")


@dataclass
class ContractReport:
    service: str
    seconds: float = 0.0
    operations: int = 0
    # (operation label, check name, HTTP status) -> a curl line and the failure's message
    failures: dict[tuple[str, str, int], str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [
            f"{self.service}: {len(self.failures)} distinct failure(s), {len(self.errors)} error(s) "
            f"over {self.operations} operations in {self.seconds:.0f} s"
        ]
        for (operation, check, status), detail in sorted(self.failures.items()):
            lines.append(f"--- {operation} [{check}] HTTP {status}\n{detail}")
        lines.extend(f"--- error: {e}" for e in self.errors)
        return "\n".join(lines)


def config(
    authorization: str,
    *,
    examples: int,
    seed: int,
    phases: Iterable[str] = PHASES,
    stateful_steps: int = 6,
    refusals: Mapping[str, str] | None = None,
) -> SchemathesisConfig:
    """``refusals``: operation label -> the rule its document states in words because JSON Schema
    cannot (e.g. "each household once" over a list of objects): a 422 of schema-valid data is accepted
    on that operation only. schemathesis' positive_data_acceptance takes 2xx/3xx/401/403/404/409/429
    whatever the document lists, so a documented 422 needs saying here."""
    chosen = set(phases)
    positive = [*POSITIVE_DATA_ACCEPTANCE_EXPECTED_STATUSES, "412", "428"]
    return SchemathesisConfig.from_dict(
        {
            "seed": seed,
            "headers": {"Authorization": authorization},
            "generation": {
                "mode": "all",
                "max-examples": examples,
                "no-shrink": True,
                "deterministic": False,
            },
            # 413 refuses a body too large to read (shared/bodyguard.py): a rejection like 422.
            # 412/428 answer a precondition on the record's state, as 409 does (schemathesis takes
            # 409, not these): If-Match is optional where a PUT creates, and no ETag is stale by form.
            "checks": {
                "enabled": True,
                "positive_data_acceptance": {"expected-statuses": positive},
                "negative_data_rejection": {
                    "expected-statuses": [*NEGATIVE_DATA_REJECTION_EXPECTED_STATUSES, "413"]
                },
            },
            "phases": {
                name: (
                    {"enabled": name in chosen}
                    | ({"max-steps": stateful_steps} if name == "stateful" else {})
                )
                for name in PHASES
            },
            "operations": [
                {
                    "include-name": label,
                    "checks": {"positive_data_acceptance": {"expected-statuses": [*positive, "422"]}},
                }
                for label in sorted(refusals or {})
            ],
            "continue-on-failure": True,
            "suppress-health-check": ["all"],
        }
    )


def run(
    service: str, app: Any, cfg: SchemathesisConfig, *, operations: Iterable[str] | None = None
) -> ContractReport:
    schema = schemathesis.openapi.from_asgi(f"/{service}/v1/openapi.json", app, config=cfg)
    if operations is not None:
        wanted = set(operations)
        schema = schema.include(func=lambda ctx: f"{ctx.method.upper()} {ctx.path}" in wanted)
    schema.hook(map_body)
    report = ContractReport(service, operations=len(list(schema.get_all_operations())))
    started = time.monotonic()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            _collect(report, event.recorder)
        elif isinstance(event, events.NonFatalError):
            report.errors.append(f"{event.label}: {event.info.message}"[:800])
        elif isinstance(event, events.FatalError):
            report.errors.append(f"fatal: {event.exception!r}"[:800])
    report.seconds = time.monotonic() - started
    return report


def _as_integers(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, dict):
        return {k: _as_integers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_integers(v) for v in value]
    return value


def map_body(context: Any, body: Any) -> Any:
    """``2091.0`` sent as ``2091``: JSON Schema cannot tell the two apart (both are integers to it),
    while the services take an integer only in its integer spelling (shared/fields.py, issue 15.1)."""
    return _as_integers(body)


def _collect(report: ContractReport, recorder: Any) -> None:
    for case_id, checks in recorder.checks.items():
        for check in checks:
            info = check.failure_info
            if info is None:
                continue
            failure = info.failure
            interaction = recorder.interactions.get(case_id)
            status = interaction.response.status_code if interaction and interaction.response else 0
            node = recorder.cases.get(case_id)
            operation = failure.operation or (node.value.operation.label if node else "?")
            key = (operation, check.name, status)
            if key not in report.failures:
                body = ""
                if interaction and interaction.response:
                    body = (interaction.response.content or b"")[:400].decode("utf-8", "replace")
                report.failures[key] = f"{failure.title}: {failure.message}"[:700] + (
                    f"\n{info.code_sample}"[:700] + f"\nresponse: {body}"
                )
