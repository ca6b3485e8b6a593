"""The 结对帮扶名单 import's pure rules: one row's own checks, and the ledger that runs every row
through the one-by-one rule (check_open) over what the database knows plus the rows above."""

from __future__ import annotations

from datetime import date

from services.pairing.helpers.rules import Helper
from services.pairing.imports.rules import COLUMNS, Ledger, Row, parse_row
from services.pairing.pairings.rules import ActivePairing, Target
from services.pairing.policies.presets import PairingPolicy
from services.pairing.vocabulary import HelperKind, PairingKind
from shared.sheet_import import map_header

TODAY = date(2026, 11, 22)
V1 = "440783101201"
POLICY = PairingPolicy(name="开平", cadre_household_cap=2)


def row(row_no: int = 2, **cells: str) -> Row:
    values = {"name": "王建国", "household_number": "H1"} | cells
    return parse_row(row_no, values.get, today=TODAY)


def ledger(**known: Target) -> Ledger:
    book = Ledger(scope="440783", today=TODAY, policy=lambda _area: POLICY)
    for number, target in known.items():
        book.households[number] = target
    return book


def household(i: int, area: str = V1, status: str = "registered") -> Target:
    return Target(
        id=f"00000000-0000-0000-0000-00000000000{i}", area_code=area, level="household", status=status
    )


def test_header_by_chinese_title_or_alias_and_what_is_missing() -> None:
    found, missing = map_header(COLUMNS, ["\ufeff姓名", "户号", "工号"])
    assert found == {"name": 0, "household_number": 1, "user_sub": 2}
    assert missing == []
    assert map_header(COLUMNS, ["单位"])[1] == ["干部姓名", "户编号"]


def test_a_row_reads_labels_or_codes_and_says_every_fault_in_chinese() -> None:
    ok = row(
        helper_kind="驻村工作队队员", level="乡镇", pairing_kind="cadre_household", started_on="2026/10/09"
    )
    assert (ok.helper_kind, ok.level, ok.pairing_kind, ok.started_on) == (
        HelperKind.WORK_TEAM_MEMBER,
        "township",
        PairingKind.CADRE_HOUSEHOLD,
        date(2026, 10, 9),
    )
    assert ok.reasons == []
    assert row(name="", household_number="", area_code="4407", started_on="昨天", level="组").reasons == [
        "干部姓名不能为空",
        "单位层级“组”不在可选值中（省、市、县、乡镇、村）",
        "所在地区代码“4407”应为12位数字",
        "户编号不能为空",
        "开始日期“昨天”不是有效日期，应写作2026-12-03",
    ]
    assert row(helper_kind="企业").reasons == [
        "帮扶力量类别“企业”不在可选值中（干部、第一书记、驻村工作队队员、联系领导、医生、教师、农技人员）"
    ]


def test_blank_start_stays_blank_for_the_commit_to_date_and_a_row_round_trips_through_staging() -> None:
    parsed = row(user_sub="kp-1", unit="开平市财政局")
    assert (parsed.started_on, parsed.reasons) == (None, [])
    again = Row.from_data(2, parsed.data())
    assert again == parsed


def test_the_cap_holds_across_the_rows_of_the_file_and_the_database() -> None:
    book = ledger(H1=household(1), H2=household(2), H3=household(3))
    cadre = Helper(id="known-1", kind=HelperKind.CADRE, area_code=V1)
    book.helpers["kp-7"] = (cadre, "张德明")
    book.pairings["known-1"] = [ActivePairing("p0", PairingKind.CADRE_HOUSEHOLD, "known-1", "elsewhere")]
    assert book.check(row(2, name="张德明", user_sub="kp-7", household_number="H1")) is not None
    third = row(3, name="张德明", user_sub="kp-7", household_number="H2")
    assert book.check(third) is None
    assert third.reasons == ["干部 张德明 已结对2户，按开平政策每名干部最多结对2户"]


def test_one_cadre_per_household_and_duplicates_within_the_file() -> None:
    book = ledger(H1=household(1))
    first = book.check(row(2, user_sub="kp-1"))
    assert first is not None
    assert first.helper_id is None  # a helper the commit creates
    again = row(3, user_sub="kp-1")
    other = row(4, name="李秀英")
    assert book.check(again) is None
    assert book.check(other) is None
    assert again.reasons == ["与本文件第2行重复（同一帮扶责任人、同一户、同一帮扶类型）"]
    assert other.reasons == ["户H1 已有在帮的“干部结对帮扶户”结对"]


def test_area_scope_and_unknown_households_and_exited_ones() -> None:
    book = ledger(H1=household(1, area="350502101001"), H2=household(2, status="closed"))
    rows = [row(2, household_number="H1"), row(3, household_number="H9"), row(4, household_number="H2")]
    assert [book.check(r) for r in rows] == [None, None, None]
    assert [r.reasons for r in rows] == [
        ["户编号H1的户（350502101001）不在您的辖区内"],
        ["户编号H9在结对帮扶系统中没有，须先在建档立卡系统中登记该户"],
        ["该户（户H2）当前状态为“closed”，只有建档立卡户（或退出后仍享受政策的户）可以结对"],
    ]


def test_a_level_written_the_way_rolls_write_it_reads_as_that_level() -> None:
    words = {
        "省级": "province",
        "市级": "city",
        "县区": "county",
        "区": "county",
        "乡": "township",
        "镇": "township",
    }
    for word, level in words.items():
        read = row(level=word)
        assert (read.level, read.reasons) == (level, []), word
