"""Staffing gaps as pure rules over the seeds' presets: Quanzhou (seed 002 十一) 乡镇配备1名以上专职人员、
建制村配备1名协管员; Kaiping (seed 004 七(二)) 镇扶贫办配备2—3名专职人员; elsewhere no such number."""

from __future__ import annotations

import pytest

from services.pairing.coverage.rules import Staffing, staffing_gap
from services.pairing.policies.presets import resolve_policy
from services.pairing.vocabulary import GapKind


def test_the_presets_carry_the_seeds_numbers() -> None:
    quanzhou, kaiping, gansu = (resolve_policy(c) for c in ("350502101000", "440783105000", "620521101000"))
    assert (quanzhou.township_staff_min, quanzhou.village_coordinator_min) == (1, 1)
    assert (kaiping.township_staff_min, kaiping.village_coordinator_min) == (2, None)
    assert (gansu.township_staff_min, gansu.village_coordinator_min) == (None, None)


@pytest.mark.parametrize(
    ("level", "to_exit", "staff", "minimum", "gap"),
    [
        ("township", 1, 0, 1, GapKind.TOWNSHIP_WITHOUT_STAFF),  # Quanzhou: none
        ("township", 1, 1, 1, None),  # 1名以上 includes 1
        ("township", 1, 1, 2, GapKind.TOWNSHIP_WITHOUT_STAFF),  # Kaiping: 1 is under 2—3名
        ("township", 1, 2, 2, None),
        ("township", 0, 0, 1, None),  # no exit task
        ("township", 5, 0, None, None),  # no such rule here
        ("village", 1, 0, 1, GapKind.VILLAGE_WITHOUT_COORDINATOR),
        ("village", 1, 1, 1, None),
        ("village", 0, 0, 1, None),
    ],
)
def test_fewer_than_the_minimum_is_a_gap(
    level: str, to_exit: int, staff: int, minimum: int | None, gap: GapKind | None
) -> None:
    found = staffing_gap(Staffing("350502101000", level, to_exit, staff, minimum))
    assert (found.kind if found else None) == gap
    if found:
        assert dict(found.detail) == {"staff": staff, "minimum": minimum}
