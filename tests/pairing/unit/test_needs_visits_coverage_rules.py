"""Needs from registry events, suggestions, hand-over, visits, batches, coverage and workload."""

from __future__ import annotations

from datetime import date

import pytest

from services.pairing.coverage.rules import (
    CountyPair,
    CoverageSnapshot,
    HouseholdCoverage,
    VillageCoverage,
    detect_gaps,
    reconcile,
    signal_key,
    summarize,
)
from services.pairing.errors import HandOverImpossible
from services.pairing.helpers.rules import PostingPeriod, counts_as_grassroots_service
from services.pairing.needs.rules import (
    CadreLoad,
    ExitedHousehold,
    decide_on_household_event,
    expired_exits,
    plan_hand_over,
    suggest_cadres,
)
from services.pairing.policies.presets import NATIONAL, PRESETS
from services.pairing.visits.rules import PairingSpan, classify_record, fingerprint, is_overdue, visit_refusal
from services.pairing.vocabulary import BatchOutcome, GapKind
from services.pairing.workload.rules import visits_per_month

TODAY = date(2026, 11, 22)
V1, V2 = "440783101203", "440783101204"  # two villages of one township
OTHER_TOWNSHIP = "440783102001"


# registry events → needs
def test_registered_household_opens_a_need_unless_a_cadre_is_already_there() -> None:
    assert decide_on_household_event("registered", data_status=None, has_active_cadre=False).open_need
    assert not decide_on_household_event("registered", data_status=None, has_active_cadre=True).open_need


def test_exited_household_keeps_its_pairings_and_removed_closes_them() -> None:
    exited = decide_on_household_event("exited", data_status=None, has_active_cadre=True)
    assert (exited.status, exited.close_pairings_reason, exited.open_need) == ("exited", None, False)
    removed = decide_on_household_event("removed", data_status=None, has_active_cadre=True)
    assert (removed.status, removed.close_pairings_reason, removed.close_need) == (
        "removed",
        "household_removed",
        True,
    )


def test_relapsed_household_is_back_on_the_roll_and_needs_a_cadre() -> None:
    d = decide_on_household_event("relapsed", data_status=None, has_active_cadre=False)
    assert (d.status, d.open_need) == ("registered", True)


def test_pairings_of_exited_households_end_after_the_last_policy_day() -> None:
    households = [
        ExitedHousehold("ends-today", TODAY),
        ExitedHousehold("ended-yesterday", date(2026, 11, 21)),
        ExitedHousehold("open-ended", None),
    ]
    assert expired_exits(households, today=TODAY) == ["ended-yesterday"]


# suggestions: same area first, least loaded, under the cap
def test_suggestions_prefer_the_same_village_then_the_least_loaded_and_skip_full_cadres() -> None:
    cadres = [
        CadreLoad("far-idle", OTHER_TOWNSHIP, 0),
        CadreLoad("near-busy", V2, 3),
        CadreLoad("near-idle", V2, 1),
        CadreLoad("same-village", V1, 4),
        CadreLoad("full", V1, 5),
    ]
    ranked = [c.helper_id for c in suggest_cadres(V1, cadres, cap=5)]
    assert ranked == ["same-village", "near-idle", "near-busy", "far-idle"]


# hand-over: all or nothing, never over the cap
def test_hand_over_spreads_households_nearest_first_without_passing_the_cap() -> None:
    households = [("h1", V1), ("h2", V1), ("h3", V1)]
    receivers = [CadreLoad("a", V1, 4), CadreLoad("b", V2, 2)]
    plan = plan_hand_over(households, receivers, cap=5)
    assert plan == {"h1": "a", "h2": "b", "h3": "b"}


def test_hand_over_refuses_when_a_household_would_be_left_unpaired() -> None:
    with pytest.raises(HandOverImpossible) as err:
        plan_hand_over([("h1", V1), ("h2", V1)], [CadreLoad("a", V1, 4)], cap=5)
    assert err.value.status == 409
    assert err.value.extensions == {"households": 2, "room": 1}


# postings: Gansu counts one year and more (一年以上) as grassroots service; both ends are days in
# post, so 1 March 2025 - 28 February 2026 is exactly one year (as a one-year contract reads)
def test_exactly_one_year_in_a_poor_village_counts_and_a_day_less_does_not() -> None:
    gansu = PRESETS["62"]
    exact = PostingPeriod(V1, date(2025, 3, 1), date(2026, 2, 28), in_poor_area=True, role="first_secretary")
    longer = PostingPeriod(V1, date(2025, 3, 1), date(2026, 3, 1), in_poor_area=True, role="first_secretary")
    short = PostingPeriod(V1, date(2025, 3, 1), date(2026, 2, 27), in_poor_area=True, role="first_secretary")
    assert counts_as_grassroots_service(exact, gansu, today=TODAY)
    assert counts_as_grassroots_service(longer, gansu, today=TODAY)
    assert not counts_as_grassroots_service(short, gansu, today=TODAY)
    # a year over a 29 February has 366 days: 1 March 2023 - 28 February 2024 is a day short
    assert not counts_as_grassroots_service(
        PostingPeriod(V1, date(2023, 3, 1), date(2024, 2, 28), in_poor_area=True, role="first_secretary"),
        gansu,
        today=TODAY,
    )
    assert counts_as_grassroots_service(
        PostingPeriod(V1, date(2023, 3, 1), date(2024, 2, 29), in_poor_area=True, role="first_secretary"),
        gansu,
        today=TODAY,
    )
    not_poor = PostingPeriod(V1, date(2020, 1, 1), None, in_poor_area=False, role="first_secretary")
    assert not counts_as_grassroots_service(not_poor, gansu, today=TODAY)
    running = PostingPeriod(V1, date(2025, 11, 22), None, in_poor_area=True, role="first_secretary")
    assert counts_as_grassroots_service(running, gansu, today=TODAY)


def test_a_posting_planned_to_end_after_today_counts_only_the_days_served_so_far() -> None:
    """A two-year posting begun a month ago (its planned last day 2028) has not served a year yet:
    the year is counted when it has come, not from the planned end."""
    gansu = PRESETS["62"]
    planned = PostingPeriod(
        V1, date(2026, 10, 22), date(2028, 10, 21), in_poor_area=True, role="first_secretary"
    )
    assert not counts_as_grassroots_service(planned, gansu, today=TODAY)
    assert counts_as_grassroots_service(planned, gansu, today=date(2027, 10, 21))
    assert not counts_as_grassroots_service(planned, gansu, today=date(2027, 10, 20))


# Gansu 逢提必下: 村党组织第一书记、驻村工作队队员和支教支医干部 — the four roles count (by code or by
# their Chinese names); a leader's or a volunteer's years in a poor village do not
@pytest.mark.parametrize(
    ("role", "counts"),
    [
        ("first_secretary", True),
        ("work_team_member", True),
        ("teaching_support", True),
        ("medical_support", True),
        ("驻村工作队队员", True),
        ("支医干部", True),
        ("leader", False),
        ("volunteer", False),
        ("enterprise", False),
    ],
)
def test_only_first_secretaries_work_teams_and_teaching_or_medical_support_count(
    role: str, counts: bool
) -> None:
    years = PostingPeriod(V1, date(2020, 1, 1), date(2022, 12, 31), in_poor_area=True, role=role)
    assert counts_as_grassroots_service(years, PRESETS["62"], today=TODAY) is counts


def test_a_posting_from_29_february_counts_on_28_february_next_year() -> None:
    leap = PostingPeriod(V1, date(2024, 2, 29), date(2025, 2, 28), in_poor_area=True, role="first_secretary")
    assert counts_as_grassroots_service(leap, NATIONAL, today=TODAY)
    day_short = PostingPeriod(
        V1, date(2024, 2, 29), date(2025, 2, 27), in_poor_area=True, role="first_secretary"
    )
    assert not counts_as_grassroots_service(day_short, NATIONAL, today=TODAY)


# visits
SPANS = [PairingSpan(date(2026, 1, 1), date(2026, 6, 30)), PairingSpan(date(2026, 9, 1), None)]


def test_visit_is_allowed_only_on_days_the_cadre_was_paired() -> None:
    assert visit_refusal(date(2026, 6, 30), spans=SPANS, household_status="registered", today=TODAY) is None
    assert visit_refusal(TODAY, spans=SPANS, household_status="registered", today=TODAY) is None
    assert "not paired" in str(
        visit_refusal(date(2026, 7, 1), spans=SPANS, household_status="registered", today=TODAY)
    )
    assert "future" in str(
        visit_refusal(date(2026, 11, 23), spans=SPANS, household_status="registered", today=TODAY)
    )


def test_a_resent_record_is_a_duplicate_and_a_reused_id_with_other_content_a_conflict() -> None:
    record = {"household_id": "h1", "visited_on": date(2026, 11, 1), "notes": "送医保政策"}
    same = fingerprint(dict(reversed(list(record.items()))))
    assert classify_record(stored_fingerprint=fingerprint(record), new_fingerprint=same, refusal=None) == (
        BatchOutcome.DUPLICATE
    )
    other = fingerprint({**record, "notes": "changed"})
    assert (
        classify_record(stored_fingerprint=same, new_fingerprint=other, refusal=None) == BatchOutcome.CONFLICT
    )
    assert (
        classify_record(stored_fingerprint=None, new_fingerprint=other, refusal=None) == BatchOutcome.STORED
    )
    assert (
        classify_record(stored_fingerprint=None, new_fingerprint=other, refusal="x") == BatchOutcome.REJECTED
    )


def test_a_visit_exactly_thirty_days_ago_is_in_time_and_thirty_one_is_overdue() -> None:
    assert NATIONAL.visit_interval_days == 30
    kw = {"paired_since": date(2026, 1, 1), "interval_days": 30, "today": TODAY}
    assert not is_overdue(last_visit_on=date(2026, 10, 23), **kw)  # type: ignore[arg-type]
    assert is_overdue(last_visit_on=date(2026, 10, 22), **kw)  # type: ignore[arg-type]
    # a cadre paired 30 days ago who has not visited yet is still in time
    assert not is_overdue(last_visit_on=None, paired_since=date(2026, 10, 23), interval_days=30, today=TODAY)


# coverage
def snapshot() -> CoverageSnapshot:
    households = [
        HouseholdCoverage(
            "paired", V1, "registered", cadre_paired_since=date(2026, 1, 1), last_visit_on=date(2026, 11, 1)
        ),
        HouseholdCoverage("unpaired", V1, "registered"),
        HouseholdCoverage(
            "stale", V2, "registered", cadre_paired_since=date(2026, 1, 1), last_visit_on=date(2026, 9, 1)
        ),
        HouseholdCoverage("exited-in-period", V2, "exited", policies_kept_until=date(2027, 12, 31)),
        HouseholdCoverage("exited-over", V2, "exited", policies_kept_until=date(2026, 1, 1)),
        HouseholdCoverage("removed", V2, "removed"),
    ]
    villages = [
        VillageCoverage(V1, True, True),
        VillageCoverage(V2, False, True),
        VillageCoverage("440783101205", False, False),
    ]
    loads = {"c1": (V1, 5), "c2": (V1, 6)}
    return CoverageSnapshot(households, villages, loads, cap=5, visit_interval_days=30, today=TODAY)


def test_coverage_finds_each_gap_once_and_counts_them() -> None:
    snap = snapshot()
    gaps = detect_gaps(snap)
    assert sorted((g.kind.value, g.subject_id) for g in gaps) == [
        ("cadre_over_cap", "c2"),
        ("household_without_cadre", "exited-in-period"),
        ("household_without_cadre", "unpaired"),
        ("village_without_first_secretary", "440783101205"),
        ("village_without_work_team", "440783101204"),
        ("village_without_work_team", "440783101205"),
        ("visit_overdue", "stale"),
    ]
    assert summarize(snap, gaps) == {
        "households_to_pair": 4,
        "households_paired": 2,
        "households_without_cadre": 2,
        "poor_villages": 3,
        "villages_without_work_team": 2,
        "villages_without_first_secretary": 1,
        "cadres": 2,
        "cadres_over_cap": 1,
        "visits_overdue": 1,
        "townships_without_staff": 0,
        "villages_without_coordinator": 0,
        "county_pairs_missing": 0,
    }


def test_a_persisting_gap_is_not_opened_again_and_a_returning_gap_gets_a_new_key() -> None:
    gaps = detect_gaps(snapshot())
    first = reconcile(gaps, open_gaps=[], episodes={})
    assert len(first.opened) == 7
    assert all(ep == 1 for _, ep in first.opened)
    open_now = [g.identity for g, _ in first.opened]
    second = reconcile(gaps, open_gaps=open_now, episodes={i: 1 for i in open_now})
    assert second.opened == []
    assert second.closed == []
    # c2 drops under the cap, then goes over it again: a new gap with episode 2
    without_c2 = [g for g in gaps if g.kind is not GapKind.CADRE_OVER_CAP]
    third = reconcile(without_c2, open_gaps=open_now, episodes={i: 1 for i in open_now})
    assert third.closed == [("cadre_over_cap", "c2")]
    again = reconcile(
        gaps, open_gaps=[i for i in open_now if i[1] != "c2"], episodes={i: 1 for i in open_now}
    )
    assert [(g.subject_id, ep) for g, ep in again.opened] == [("c2", 2)]
    assert signal_key("cadre_over_cap", "c2", 2) == "pairing:cadre_over_cap:c2:2"


# workload
def test_visits_per_month_shows_zero_months() -> None:
    visits = [date(2026, 11, 2), date(2026, 11, 20), date(2026, 9, 5), date(2025, 1, 1)]
    assert visits_per_month(visits, today=TODAY, months=3) == {"2026-09": 1, "2026-10": 0, "2026-11": 2}
    assert list(visits_per_month([], today=date(2026, 1, 15), months=2)) == ["2025-12", "2026-01"]


def test_an_update_to_removed_closes_and_an_update_to_registered_reopens_a_need() -> None:
    removed = decide_on_household_event("updated", data_status="removed", has_active_cadre=True)
    assert removed.close_pairings_reason == "household_removed"
    back = decide_on_household_event("updated", data_status="registered", has_active_cadre=False)
    assert back.open_need
    assert not decide_on_household_event("exit_returned", data_status=None, has_active_cadre=True).open_need
    with pytest.raises(ValueError, match="unknown household event"):
        decide_on_household_event("teleported", data_status=None, has_active_cadre=False)


def test_a_rejected_candidate_is_recorded_and_opens_nothing() -> None:
    rejected = decide_on_household_event("rejected", data_status=None, has_active_cadre=False)
    assert (rejected.status, rejected.open_need, rejected.close_pairings_reason) == ("rejected", False, None)


def test_a_named_mountain_sea_pair_not_formed_is_a_gap_of_the_helping_county() -> None:
    """Seed 002 十: 鲤城区 helps 明溪县; while no active county pairing joins them, the pair is a gap."""
    pairs = (
        CountyPair("350502000000", "350421000000", False),
        CountyPair("350503000000", "350721000000", True),
    )
    snap = CoverageSnapshot(
        (), (), {}, cap=5, visit_interval_days=30, today=date(2026, 12, 1), county_pairs=pairs
    )
    gaps = detect_gaps(snap)
    assert [(g.kind, g.subject_id, g.area_code, dict(g.detail)) for g in gaps] == [
        (GapKind.MOUNTAIN_SEA_PAIR_MISSING, "350421000000", "350502000000", {"helped_county": "350421000000"})
    ]
    assert summarize(snap, gaps)["county_pairs_missing"] == 1
    assert GapKind.MOUNTAIN_SEA_PAIR_MISSING.label == "山海协作县未结对"
