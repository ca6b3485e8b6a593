from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, fields
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import ARRAY, Integer, ScalarSelect, String, Table, Text, any_, bindparam, func, or_, select
from sqlalchemy import cast as cast_

from services.registry.models import PolicyRecordRow
from services.registry.policies.rules import (
    ApprovalStep,
    Comparison,
    PolicyRecord,
    RelapseRoute,
    ThresholdRule,
)
from shared.repository import KeyedRepository

_FIELDS = (
    "exit_line_fen",
    "notice_min_days",
    "large_debt_limit_fen",
    "batch_set",
    "batches",
    "exit_incidence_threshold_bp",
    "policies_kept_years",
    "relapse_chain",
    "comparisons",
    "relapse_routes",
    "weak_village_income_fen",
    "weak_village_income_inclusive",
    "backdate_tolerance_days",
    "disclosure_min_households",
)


def _to_row(record: PolicyRecord) -> dict[str, object]:
    row = asdict(record)
    if record.batches is not None:
        row["batches"] = list(record.batches)
    if record.relapse_chain is not None:
        row["relapse_chain"] = [asdict(s) for s in record.relapse_chain]
    if record.comparisons is not None:
        row["comparisons"] = {
            k: {"comparison": r.comparison.value, "wording": r.wording} for k, r in record.comparisons.items()
        }
    if record.relapse_routes is not None:
        row["relapse_routes"] = [asdict(r) for r in record.relapse_routes]
    return row


# The JSON columns, each read back into the record's types (a None stays None: it inherits).
_DECODE: dict[str, Callable[[Any], Any]] = {
    "batches": tuple,
    "relapse_chain": lambda steps: tuple(ApprovalStep(**s) for s in steps),
    "comparisons": lambda by_name: {
        k: ThresholdRule(Comparison(v["comparison"]), v["wording"]) for k, v in by_name.items()
    },
    "relapse_routes": lambda routes: tuple(RelapseRoute(**r) for r in routes),
}


_POLICY = cast(Table, PolicyRecordRow.__table__)


def on_path_json() -> ScalarSelect[Any]:
    """The records that may apply to one area up to a year, as the text of a JSON array of rows
    (``None``: no record), a column of a statement built once that reads the area too (parameters
    ``year`` and ``policy_prefixes``: :func:`path_prefixes`); read back with :func:`records_from_json`."""
    return (
        select(cast_(func.json_agg(func.to_jsonb(_POLICY.table_valued())), Text))
        .where(
            PolicyRecordRow.year <= bindparam("year", type_=Integer),
            PolicyRecordRow.area_prefix == any_(bindparam("policy_prefixes", type_=ARRAY(String))),
        )
        .scalar_subquery()
    )


def path_prefixes(area_code: str) -> list[str]:
    """The prefixes a policy record may have to apply to ``area_code`` (national "" first)."""
    return sorted({area_code[:n] for n in (0, 2, 4, 6, 9, 12)})


@functools.lru_cache(maxsize=4096)
def records_from_json(text: str | None) -> tuple[PolicyRecord, ...]:
    """The records of :func:`on_path_json`'s text. Kept per text: the same few texts come back on
    every read of an area (a record changed is another text), and decoding them was a tenth of a
    roll-up's CPU. Records are frozen; the tuple is shared by the readers."""
    if text is None:
        return ()
    return tuple(_to_record(cast(PolicyRecordRow, SimpleNamespace(**row))) for row in json.loads(text))


def _to_record(row: PolicyRecordRow) -> PolicyRecord:
    values = {f.name: getattr(row, f.name) for f in fields(PolicyRecord)}
    for name, decode in _DECODE.items():
        if values[name] is not None:
            values[name] = decode(values[name])
    return PolicyRecord(**values)


class PolicyRepository(KeyedRepository[PolicyRecordRow]):
    model = PolicyRecordRow
    key = ("area_prefix", "year")

    async def applicable(self, *, area_code: str, year: int) -> list[PolicyRecord]:
        return await self.applicable_to_any([area_code], year=year)

    async def applicable_to_any(self, area_codes: Iterable[str], *, year: int) -> list[PolicyRecord]:
        """The records that may apply to any of these areas up to ``year`` (resolve_policy picks
        each area's own): one query for a bulk import's villages."""
        prefixes = {p for code in area_codes for p in path_prefixes(code)}
        stmt = select(PolicyRecordRow).where(
            PolicyRecordRow.year <= year, or_(PolicyRecordRow.area_prefix.in_(sorted(prefixes)))
        )
        return [_to_record(r) for r in (await self.session.execute(stmt)).scalars()]

    async def add_missing(self, records: list[PolicyRecord]) -> int:
        return await self.insert_missing([_to_row(r) for r in records])

    async def by_key(self, area_prefix: str, year: int, *, lock: bool = False) -> PolicyRecordRow | None:
        return await self.by_natural_key(area_prefix, year, lock=lock)

    async def add_new(self, record: PolicyRecord) -> PolicyRecordRow | None:
        return await self.insert_new(_to_row(record))

    async def replace(self, row: PolicyRecordRow, record: PolicyRecord) -> None:
        """Overwrite every value of a locked record (a field left None inherits again)."""
        values = {name: value for name, value in _to_row(record).items() if name in _FIELDS}
        await self.update(row, source=record.source, **values)

    async def thresholds_around(self, *, area_code: str, prefix: str, year: int) -> list[PolicyRecord]:
        """Records up to ``year`` that set a village collective-income threshold for ``area_code``
        (its ancestors' and its own) or for any place under it (``prefix``): few rows."""
        ancestors = ["", area_code[:2], area_code[:4], area_code[:6], area_code[:9], area_code]
        stmt = select(PolicyRecordRow).where(
            PolicyRecordRow.year <= year,
            PolicyRecordRow.weak_village_income_fen.is_not(None),
            or_(
                PolicyRecordRow.area_prefix.in_(ancestors),
                PolicyRecordRow.area_prefix.startswith(prefix, autoescape=True),
            ),
        )
        return [_to_record(r) for r in (await self.session.execute(stmt)).scalars()]

    async def count(self) -> int:
        return int(
            (await self.session.execute(select(func.count()).select_from(PolicyRecordRow))).scalar_one()
        )
