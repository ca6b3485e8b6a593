"""Policy regions: the numbers SQL assigns a code by its first matching region equal the policy
resolved for that code (presets and overrides, most specific prefix and newest date winning)."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from services.pairing.coverage.rules import PolicyRegion, policy_regions
from services.pairing.policies.presets import PRESETS
from services.pairing.policies.rules import PolicyOverride, effective_policy

ON = date(2026, 11, 22)
digits = st.text(alphabet="0123", min_size=0, max_size=12)
overrides = st.lists(
    st.builds(
        PolicyOverride,
        area_prefix=st.sampled_from(["", "44", "4407", "440783", "440783101", "62", "6201"]) | digits,
        valid_from=st.sampled_from([date(2026, 1, 1), ON, date(2027, 1, 1)]),
        cadre_household_cap=st.none() | st.integers(1, 8),
        visit_interval_days=st.none() | st.integers(1, 60),
    ),
    max_size=6,
)
codes = st.sampled_from(["440783101201", "440784101201", "620102003004", "350502101201"]) | st.text(
    alphabet="0123", min_size=12, max_size=12
)


def _numbers(recorded: list[PolicyOverride]):  # type: ignore[no-untyped-def]
    def numbers(code: str) -> tuple[int, int]:
        policy = effective_policy(code, recorded, on=ON)
        return policy.cadre_household_cap, policy.visit_interval_days

    return numbers


def _pick(regions: list[PolicyRegion], code: str) -> tuple[int, int]:
    region = next(r for r in regions if code.startswith(r.prefix))
    return region.cap, region.visit_interval_days


@settings(max_examples=300, deadline=None)
@given(recorded=overrides, code=codes, cut=st.integers(0, 12))
def test_the_first_matching_region_has_the_codes_numbers(
    recorded: list[PolicyOverride], code: str, cut: int
) -> None:
    prefix = code[:cut]
    numbers = _numbers(recorded)
    regions = policy_regions(prefix, set(PRESETS) | {o.area_prefix for o in recorded}, numbers)
    assert regions[-1].prefix == prefix
    assert _pick(regions, code) == numbers(code)


def test_a_county_without_its_own_numbers_is_one_region() -> None:
    numbers = _numbers([PolicyOverride("440783102", date(2026, 1, 1), cadre_household_cap=3)])
    assert policy_regions("440784", set(PRESETS) | {"440783102"}, numbers) == [PolicyRegion("440784", 5, 30)]
    # Kaiping's preset changes no coverage number, so only the overridden township stands out
    assert policy_regions("4407", set(PRESETS) | {"440783102"}, numbers) == [
        PolicyRegion("440783102", 3, 30),
        PolicyRegion("4407", 5, 30),
    ]
