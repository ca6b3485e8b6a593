"""Third-party sample: same seed, same sample; every village represented; sizes by policy."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.inspection.policies import presets
from services.inspection.policies.presets import SamplingPolicy
from services.inspection.sampling.rules import (
    Candidate,
    Verdict,
    draw,
    error_rates,
    rate_text,
    stratum_size,
)
from shared.errors import InvalidInput

POLICY = presets.THIRD_PARTY_SAMPLING
V1, V2, V3 = "620521101201", "620521101202", "620521102301"


def households(village: str, n: int) -> list[Candidate]:
    return [Candidate(f"{village}-h{i:03d}", village) for i in range(n)]


def test_policy_is_one_in_ten_with_two_per_village_minimum():
    assert POLICY == SamplingPolicy(rate=Fraction(1, 10), min_per_village=2)


@pytest.mark.parametrize(
    ("population", "size"), [(0, 0), (1, 1), (2, 2), (19, 2), (20, 2), (21, 3), (100, 10), (101, 11)]
)
def test_stratum_size(population, size):
    assert stratum_size(population, POLICY) == size


def test_same_seed_same_sample_whatever_the_input_order():
    pool = households(V1, 40) + households(V2, 7) + households(V3, 25)
    a = draw(pool, "2026-gansu-eval-7781", POLICY)
    b = draw(list(reversed(pool)), "2026-gansu-eval-7781", POLICY)
    assert a == b
    assert [c.village_code for c in a] == [V1] * 4 + [V2] * 2 + [V3] * 3


def test_another_seed_draws_another_sample():
    pool = households(V1, 200)
    assert draw(pool, "seed-a", POLICY) != draw(pool, "seed-b", POLICY)


def test_empty_seed_is_refused():
    with pytest.raises(InvalidInput):
        draw(households(V1, 5), " ", POLICY)


@given(
    sizes=st.lists(st.integers(min_value=1, max_value=60), min_size=1, max_size=6),
    seed=st.text(min_size=1, max_size=12).filter(str.strip),
)
def test_each_village_gets_exactly_its_stratum_size(sizes, seed):
    pool = [c for i, n in enumerate(sizes) for c in households(f"6205211012{i:02d}", n)]
    sample = draw(pool, seed, POLICY)
    for i, n in enumerate(sizes):
        village = f"6205211012{i:02d}"
        assert sum(c.village_code == village for c in sample) == stratum_size(n, POLICY)
    assert len({c.household_id for c in sample}) == len(sample)


def test_error_rates_roll_up_by_level():
    verdicts = [Verdict(V1, "correct")] * 3 + [Verdict(V1, "wrongly_exited")] + [Verdict(V3, "correct")] * 2
    villages = error_rates(verdicts, {V3: 1}, 12)
    assert [(r.area_code, r.checked, r.wrongly_exited, r.wrongly_left_out) for r in villages] == [
        (V1, 4, 1, 0),
        (V3, 2, 0, 1),
    ]
    assert villages[0].wrongly_exited_rate == Fraction(1, 4)
    assert villages[1].wrongly_left_out_rate == Fraction(1, 2)
    townships = error_rates(verdicts, {V3: 1}, 9)
    assert [(r.area_code, r.checked) for r in townships] == [("620521101000", 4), ("620521102000", 2)]
    (county,) = error_rates(verdicts, {V3: 1}, 6)
    assert (county.checked, county.wrongly_exited, county.wrongly_left_out) == (6, 1, 1)
    assert rate_text(county.wrongly_exited_rate) == "0.1667"


def test_rate_text_of_no_checks_is_zero():
    (row,) = error_rates([], {V1: 2}, 12)
    assert row.checked == 0
    assert rate_text(row.wrongly_left_out_rate) == "0.0000"
