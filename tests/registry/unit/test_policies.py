from datetime import date

import pytest

from services.registry.policies.presets import BATCH_SETS, PRESETS
from services.registry.policies.rules import NoPolicy, PolicyRecord, resolve_policy

KAIPING_VILLAGE = "440783101201"
GANSU_VILLAGE = "620521101201"
QUANZHOU_VILLAGE = "350524101201"


def policy(area: str, year: int):
    return resolve_policy(list(PRESETS), area_code=area, year=year)


def test_kaiping_uses_three_batches_seven_day_notice_and_four_step_chain():
    p = policy(KAIPING_VILLAGE, 2017)
    assert p.batch_set == "kaiping_three"
    assert p.batches == ("production_employment", "education", "dibao_floor")
    assert p.notice_min_days == 7
    assert [(s.code, s.role, s.level) for s in p.relapse_chain] == [
        ("town_recognition", "registrar", "township"),
        ("town_application", "approver", "township"),
        ("city_review", "approver", "county"),
        ("higher_approval", "approver", "city"),
    ]
    assert p.exit_line_fen == 400_000


def test_gansu_seven_batches_debt_limit_fifty_thousand_yuan_and_three_percent():
    p = policy(GANSU_VILLAGE, 2018)
    assert p.batch_set == "gansu_seven"
    assert len(p.batches) == 7
    assert "transfer_employment" in p.batches
    assert p.large_debt_limit_fen == 5_000_000
    assert p.exit_incidence_threshold_bp == 300


def test_other_places_get_the_national_five_batches():
    p = policy(QUANZHOU_VILLAGE, 2018)
    assert p.batches == BATCH_SETS["national_five"]
    assert len(p.batches) == 5
    assert p.policies_kept_until == date(2020, 12, 31)


def test_the_year_selects_the_latest_line_not_after_it():
    assert policy(GANSU_VILLAGE, 2016).exit_line_fen == 314_600
    assert policy(GANSU_VILLAGE, 2019).exit_line_fen == 374_700
    assert policy(GANSU_VILLAGE, 2025).exit_line_fen == 400_000  # latest known line carries on


def test_more_specific_area_wins_over_a_more_recent_general_record():
    records = [
        PolicyRecord(
            "",
            2016,
            "base",
            exit_line_fen=1,
            notice_min_days=5,
            large_debt_limit_fen=2,
            batch_set="x",
            batches=("a",),
            exit_incidence_threshold_bp=300,
            policies_kept_until=date(2020, 1, 1),
            relapse_chain=(),
        ),
        PolicyRecord("", 2019, "newer national line", exit_line_fen=10),
        PolicyRecord("4407", 2017, "city", exit_line_fen=7),
    ]
    p = resolve_policy(records, area_code="440783000000", year=2019)
    assert p.exit_line_fen == 7
    assert p.notice_min_days == 5
    assert resolve_policy(records, area_code="350000000000", year=2019).exit_line_fen == 10


def test_a_year_before_every_record_has_no_policy():
    with pytest.raises(NoPolicy):
        policy(KAIPING_VILLAGE, 2015)
