"""Hand-over and suggestions for any loads: everyone placed, nobody over the cap, or a refusal."""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from services.pairing.errors import HandOverImpossible
from services.pairing.needs.rules import CadreLoad, plan_hand_over, suggest_cadres

VILLAGES = ["440783101201", "440783101202", "440783102001", "440784101001"]
cap_st = st.integers(min_value=1, max_value=8)
loads_st = st.lists(st.tuples(st.sampled_from(VILLAGES), st.integers(min_value=0, max_value=9)), max_size=6)
households_st = st.lists(st.sampled_from(VILLAGES), max_size=15)


@given(cap=cap_st, loads=loads_st, households=households_st)
def test_hand_over_places_everyone_under_the_cap_or_refuses(
    cap: int, loads: list[tuple[str, int]], households: list[str]
) -> None:
    receivers = [CadreLoad(f"c{i}", area, n) for i, (area, n) in enumerate(loads)]
    pending = [(f"h{i}", area) for i, area in enumerate(households)]
    room = sum(max(cap - r.households, 0) for r in receivers)
    try:
        plan = plan_hand_over(pending, receivers, cap=cap)
    except HandOverImpossible:
        assert room < len(pending)
        return
    assert set(plan) == {h for h, _ in pending}
    added = Counter(plan.values())
    for r in receivers:
        assert r.households + added[r.helper_id] <= max(cap, r.households)
        if added[r.helper_id]:
            assert r.households + added[r.helper_id] <= cap


@given(cap=cap_st, loads=loads_st, area=st.sampled_from(VILLAGES))
def test_suggestions_never_reach_the_cap_and_nearer_comes_first(
    cap: int, loads: list[tuple[str, int]], area: str
) -> None:
    cadres = [CadreLoad(f"c{i}", a, n) for i, (a, n) in enumerate(loads)]
    ranked = suggest_cadres(area, cadres, cap=cap, limit=10)
    assert all(c.households < cap for c in ranked)
    assert len(ranked) == min(10, sum(1 for c in cadres if c.households < cap))
    shared = [sum(1 for n in (2, 4, 6, 9, 12) if c.area_code[:n] == area[:n]) for c in ranked]
    assert shared == sorted(shared, reverse=True)
