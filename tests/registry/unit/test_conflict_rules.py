"""Which level resolves a person claimed in two areas (longest common prefix at a level boundary)."""

from __future__ import annotations

import pytest

from services.registry.conflicts.rules import queue_for


@pytest.mark.parametrize(
    ("held", "claim", "expected"),
    [
        ("440783101201", "440783101202", ("440783101", "township")),
        ("440783101201", "440783102201", ("440783", "county")),
        ("440783101201", "440781101201", ("4407", "city")),
        ("440783101201", "441900101201", ("44", "province")),
        ("440783101201", "621102101201", ("", "national")),
        # a shared digit inside a level is no common level: 4407 vs 4408 share only the province
        ("440783101201", "440883101201", ("44", "province")),
        ("440783101201", "440783101201", ("440783101201", "village")),
    ],
)
def test_queue_is_the_lowest_level_covering_both(held, claim, expected):
    assert queue_for(held, claim) == expected
    assert queue_for(claim, held) == expected
