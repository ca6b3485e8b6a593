"""Yearly assessment: each indicator against fixture numbers, the rating, admonishments."""

from fractions import Fraction

from services.inspection.assessments.rules import AreaFacts, admonished_positions, assess
from services.inspection.policies import presets

POLICY = presets.ASSESSMENT


def facts(**kw) -> AreaFacts:
    base = dict(
        area_code="620521000000",
        level="county",
        year=2026,
        target_people=400,
        exited_people=300,
        poor_population=600,
        rural_population=20_000,
        planned_fen=1_000_000_00,
        disbursed_fen=800_000_00,
        registered_households=200,
        paired_households=190,
        visited_households=150,
        findings_due=10,
        findings_on_time=7,
        qualitative_score=80,
        third_party_checked=40,
        third_party_errors=2,
    )
    base.update(kw)
    return AreaFacts(**base)


def test_weights_sum_to_100_and_bands():
    assert sum(POLICY.weights.values()) == 100
    assert POLICY.bands == (("excellent", 90), ("good", 80), ("fair", 60), ("poor", 0))
    assert POLICY.incidence_ceiling == Fraction(3, 100)


def test_indicators_and_score_for_a_county_that_missed_its_target():
    a = assess(facts(), POLICY)
    ratios = {i.name: i.ratio for i in a.indicators}
    assert ratios == {
        "reduction": Fraction(3, 4),
        "incidence": Fraction(1),  # 600 / 20000 = 3% exactly: met (以下 includes 3%)
        "disbursement": Fraction(4, 5),
        "pairing_coverage": Fraction(19, 20),
        "visit_rate": Fraction(3, 4),
        "rectification_on_time": Fraction(7, 10),
        "qualitative": Fraction(4, 5),
        "third_party": Fraction(19, 20),
    }
    assert a.incidence_rate == Fraction(3, 100)
    # 18.75 + 10 + 12 + 9.5 + 7.5 + 7 + 8 + 9.5
    assert a.score == Fraction(8225, 100)
    assert a.score_text == "82.25"
    assert a.rating == "good"
    assert a.missed_target is True
    assert a.missing == ()


def test_incidence_just_above_3_percent_scores_nothing():
    a = assess(facts(poor_population=601), POLICY)
    incidence = next(i for i in a.indicators if i.name == "incidence")
    assert incidence.points == 0
    assert a.score == Fraction(7225, 100)
    assert a.rating == "fair"


def test_target_met_exactly_is_not_missed_and_overshoot_is_capped():
    assert assess(facts(exited_people=400), POLICY).missed_target is False
    a = assess(facts(exited_people=500), POLICY)
    assert next(i for i in a.indicators if i.name == "reduction").ratio == 1


def test_missing_inputs_score_zero_and_are_named():
    a = assess(
        facts(target_people=None, qualitative_score=None, third_party_checked=0, third_party_errors=0), POLICY
    )
    assert a.missing == ("reduction_target", "qualitative", "third_party")
    assert a.missed_target is False
    # 10 + 12 + 9.5 + 7.5 + 7
    assert a.score == Fraction(46)
    assert a.rating == "poor"


def test_empty_work_counts_as_done():
    a = assess(facts(findings_due=0, findings_on_time=0, planned_fen=0, disbursed_fen=0), POLICY)
    ratios = {i.name: i.ratio for i in a.indicators}
    assert ratios["rectification_on_time"] == 1
    assert ratios["disbursement"] == 1


def test_who_is_admonished():
    table = presets.ADMONISH_ON_MISSED_TARGET
    assert admonished_positions("county", True, table) == ("county_party_secretary", "county_head")
    assert admonished_positions("village", True, table) == ("pairing_cadre",)
    assert admonished_positions("township", True, table) == ()
    assert admonished_positions("county", False, table) == ()
