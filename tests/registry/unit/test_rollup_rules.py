from services.registry.rollups.rules import (
    Snapshot,
    area_prefixes,
    counter_deltas,
    flow_deltas,
    incidence_bp,
    meets_incidence_threshold,
)
from services.registry.vocabulary import HouseholdStatus as S

VILLAGE = "440783101201"


def cells(deltas):
    return {(d.area_prefix, d.dimension, d.key): (d.households, d.persons) for d in deltas}


def test_prefixes_cover_every_level():
    assert area_prefixes(VILLAGE) == ["44", "4407", "440783", "440783101", VILLAGE]


def test_a_new_candidate_counts_only_in_status_at_every_level():
    got = cells(counter_deltas(None, Snapshot(VILLAGE, S.CANDIDATE, 3, ("illness",), ("education",))))
    assert got == {(p, "status", "candidate"): (1, 3) for p in area_prefixes(VILLAGE)}


def test_registration_moves_status_and_adds_causes_and_batches():
    before = Snapshot(VILLAGE, S.CONFIRMED, 4, ("illness", "schooling"), ("education",))
    after = Snapshot(VILLAGE, S.REGISTERED, 4, ("illness", "schooling"), ("education",))
    got = cells(counter_deltas(before, after))
    assert got[("440783", "status", "confirmed")] == (-1, -4)
    assert got[("440783", "status", "registered")] == (1, 4)
    assert got[("440783", "cause", "illness")] == (1, 4)
    assert got[("440783", "cause", "schooling")] == (1, 4)
    assert got[("440783", "batch", "education")] == (1, 4)
    assert len(got) == 5 * 5


def test_a_member_added_to_a_registered_household_changes_only_persons():
    before = Snapshot(VILLAGE, S.REGISTERED, 2, ("illness",))
    after = Snapshot(VILLAGE, S.REGISTERED, 3, ("illness",))
    got = cells(counter_deltas(before, after))
    assert got[(VILLAGE, "status", "registered")] == (0, 1)
    assert got[(VILLAGE, "cause", "illness")] == (0, 1)


def test_exit_takes_causes_out_and_nothing_unchanged_is_written():
    before = Snapshot(VILLAGE, S.EXIT_REQUESTED, 2, ("illness",))
    after = Snapshot(VILLAGE, S.EXITED, 2, ("illness",))
    got = cells(counter_deltas(before, after))
    assert got[("44", "cause", "illness")] == (-1, -2)
    assert got[("44", "status", "exited")] == (1, 2)
    assert counter_deltas(after, after) == []


def test_a_move_between_villages_leaves_the_common_township_unchanged():
    got = cells(counter_deltas(Snapshot(VILLAGE, S.REGISTERED, 2), Snapshot("440783101202", S.REGISTERED, 2)))
    assert ("440783101", "status", "registered") not in got
    assert got[(VILLAGE, "status", "registered")] == (-1, -2)
    assert got[("440783101202", "status", "registered")] == (1, 2)


def test_flows_count_once_per_level():
    assert cells(flow_deltas(VILLAGE, kind="exits", year=2018, persons=3))[("4407", "exits", "2018")] == (
        1,
        3,
    )


def test_incidence_in_basis_points_and_the_three_percent_boundary_is_met_exactly():
    assert incidence_bp(251, 10_000) == 251
    assert incidence_bp(1, 3) == 3333
    assert incidence_bp(5, None) is None
    assert meets_incidence_threshold(30, 1_000, 300)  # exactly 3%
    assert not meets_incidence_threshold(31, 1_000, 300)
    assert not meets_incidence_threshold(3001, 100_000, 300)  # 3.001% rounds to 300 bp but is over
