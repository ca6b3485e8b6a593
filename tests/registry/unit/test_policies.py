from datetime import date

import pytest

from services.registry.policies.presets import BATCH_SETS, PRESETS
from services.registry.policies.rules import (
    Comparison,
    NoPolicy,
    PolicyRecord,
    ThresholdRule,
    resolve_policy,
)
from shared.policy_documents import CHISHUI_PLAN

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
    # 脱贫不脱政策 is counted from each exit (3 years, OUTSIDE THE SEEDS), never a fixed past date
    assert p.policies_kept_years == 3
    assert p.kept_until(date(2026, 12, 3)) == date(2029, 12, 2)
    assert p.kept_until(date(2018, 6, 30)) == date(2021, 6, 29)


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
            policies_kept_years=3,
            relapse_chain=(),
            comparisons=PRESETS[0].comparisons,
            relapse_routes=PRESETS[0].relapse_routes,
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


def test_each_area_reads_its_exit_line_its_own_way_with_the_seeds_words_beside_it():
    gansu = policy(GANSU_VILLAGE, 2018).comparison("exit_line")
    kaiping = policy(KAIPING_VILLAGE, 2017).comparison("exit_line")
    assert gansu.comparison == Comparison.ABOVE
    assert "稳定超过" in gansu.wording
    assert kaiping.comparison == Comparison.AT_OR_ABOVE
    assert "达到或超过" in kaiping.wording
    # a Kaiping record that says nothing about debts inherits the national reading (5万元以上)
    assert policy(KAIPING_VILLAGE, 2017).comparison("large_debt_limit").comparison == Comparison.AT_OR_ABOVE
    assert policy(GANSU_VILLAGE, 2018).comparison("exit_incidence").comparison == Comparison.AT_OR_BELOW


@pytest.mark.parametrize(
    ("comparison", "at", "under", "over"),
    [
        (Comparison.AT_OR_ABOVE, True, False, True),
        (Comparison.ABOVE, False, False, True),
        (Comparison.AT_OR_BELOW, True, True, False),
        (Comparison.BELOW, False, True, False),
    ],
)
def test_the_four_comparisons_at_the_boundary(comparison, at, under, over):
    assert comparison.holds(400_000, 400_000) is at
    assert comparison.holds(399_999, 400_000) is under
    assert comparison.holds(400_001, 400_000) is over


def test_a_notice_read_as_more_than_seven_days_needs_eight():
    base = policy(KAIPING_VILLAGE, 2017)
    assert base.notice_days_required == 7  # 7天以上 includes 7
    stricter = resolve_policy(
        [
            *PRESETS,
            PolicyRecord(
                "440783",
                2018,
                "超过7天",
                comparisons={
                    "notice_min_days": ThresholdRule(Comparison.ABOVE, "公示期超过7天"),
                },
            ),
        ],
        area_code=KAIPING_VILLAGE,
        year=2018,
    )
    assert stricter.notice_days_required == 8


def test_kaiping_sends_only_major_natural_disasters_through_its_relapse_chain():
    kaiping = policy(KAIPING_VILLAGE, 2017)
    assert kaiping.relapse_route("major_natural_disaster").route == "chain"
    assert kaiping.relapse_route("illness").route == "identification"
    assert "因重大自然灾害返贫" in kaiping.relapse_route("major_natural_disaster").wording
    # elsewhere the generic chain takes every cause
    assert policy(GANSU_VILLAGE, 2018).relapse_route("illness").route == "chain"


def test_a_record_without_comparisons_for_every_threshold_is_incomplete():
    bare = PolicyRecord(
        "",
        2016,
        "base",
        exit_line_fen=1,
        notice_min_days=5,
        large_debt_limit_fen=2,
        batch_set="x",
        batches=("a",),
        exit_incidence_threshold_bp=300,
        policies_kept_years=3,
        relapse_chain=(),
        relapse_routes=PRESETS[0].relapse_routes,
    )
    with pytest.raises(NoPolicy, match="comparisons.exit_line"):
        resolve_policy([bare], area_code="440783000000", year=2017)


def test_a_clerk_reads_the_policys_words_without_the_projects_reference_to_its_source():
    from shared.policy_words import plain_words

    assert plain_words("对当年达到或超过脱贫标准的帮扶对象进行核实公示并退出帮扶 (seed 004 §七(五))") == (
        "对当年达到或超过脱贫标准的帮扶对象进行核实公示并退出帮扶"
    )
    assert (
        plain_words("无因病因学因房大额借贷(5万元以上) (seed 003 §六)") == "无因病因学因房大额借贷(5万元以上)"
    )
    assert plain_words("年人均纯收入稳定超过当年退出验收标准 (seed 003 wording as the default)") == (
        "年人均纯收入稳定超过当年退出验收标准"
    )
    assert (
        plain_words("本县自定的标准（2019年修订）") == "本县自定的标准（2019年修订）"
    )  # no reference: as written
    # the documents' titles the presets cite since stop 27, closing or leading the words
    assert plain_words(f"公示期要在7天以上（{CHISHUI_PLAN}五(一)）") == "公示期要在7天以上"
    assert plain_words(
        f"{CHISHUI_PLAN}三(一)、四(一)：2016-2018年按贫困人口人均3年不少于2万元的投入标准"
    ) == ("2016-2018年按贫困人口人均3年不少于2万元的投入标准")
    assert (
        plain_words("依照《本县扶贫条例》：户均2万元") == "依照《本县扶贫条例》：户均2万元"
    )  # not a preset's title
