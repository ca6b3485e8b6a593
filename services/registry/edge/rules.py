"""Minimum-allowance (dibao) cross-check: a civil-affairs roll against registered members, by ID.

Pure: the service hashes the roll's IDs with the registry's keyed hash and hands both sides in.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from uuid import UUID

from shared.pii import mask_name, mask_resident_id
from shared.resident_id import InvalidResidentId, validate

__all__ = [
    "CrossCheck",
    "RegisteredMember",
    "RollLine",
    "RollProblem",
    "cross_check",
    "parse_dibao_roll",
]

MAX_ROLL_LINES = 200_000


@dataclass(frozen=True, slots=True)
class RollLine:
    line: int
    resident_id: str  # validated; only hashed and masked downstream, never returned whole
    name: str


@dataclass(frozen=True, slots=True)
class RollProblem:
    line: int
    problem: str


@dataclass(frozen=True, slots=True)
class RegisteredMember:
    member_id: UUID
    household_id: UUID
    household_dibao: bool


@dataclass(slots=True)
class CrossCheck:
    matched: list[dict[str, object]] = field(default_factory=list)
    on_roll_not_flagged: list[dict[str, object]] = field(default_factory=list)
    flagged_not_on_roll: list[str] = field(default_factory=list)  # household ids
    not_registered: list[dict[str, object]] = field(default_factory=list)


def parse_dibao_roll(text: str) -> tuple[list[RollLine], list[RollProblem]]:
    """CSV with a header containing ``resident_id`` and ``name`` (other columns are ignored)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if reader.fieldnames is None or not {"resident_id", "name"} <= {f.strip() for f in reader.fieldnames}:
        return [], [RollProblem(1, "the header must name the columns resident_id and name")]
    lines: list[RollLine] = []
    problems: list[RollProblem] = []
    seen: set[str] = set()
    for number, row in enumerate(reader, start=2):
        if number - 1 > MAX_ROLL_LINES:
            problems.append(RollProblem(number, f"the roll is cut at {MAX_ROLL_LINES} lines"))
            break
        row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        try:
            parsed = validate(row.get("resident_id", ""))
        except InvalidResidentId as exc:
            problems.append(RollProblem(number, str(exc)))
            continue
        if parsed.number in seen:
            problems.append(RollProblem(number, f"resident ID {mask_resident_id(parsed.number)} repeats"))
            continue
        seen.add(parsed.number)
        lines.append(RollLine(number, parsed.number, row.get("name", "")))
    return lines, problems


def cross_check(
    roll: Iterable[tuple[str, RollLine]],
    registered: Mapping[str, RegisteredMember],
    dibao_households: Iterable[UUID],
) -> CrossCheck:
    """``roll`` pairs each line with its keyed hash; ``registered`` maps keyed hash → member in scope."""
    result = CrossCheck()
    households_on_roll: set[UUID] = set()
    for key, line in roll:
        shown: dict[str, object] = {
            "line": line.line,
            "resident_id_masked": mask_resident_id(line.resident_id),
            "name_masked": mask_name(line.name),
        }
        member = registered.get(key)
        if member is None:
            result.not_registered.append(shown)
            continue
        households_on_roll.add(member.household_id)
        shown |= {"member_id": str(member.member_id), "household_id": str(member.household_id)}
        (result.matched if member.household_dibao else result.on_roll_not_flagged).append(shown)
    result.flagged_not_on_roll = sorted(str(h) for h in set(dibao_households) - households_on_roll)
    return result
