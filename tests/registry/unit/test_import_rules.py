"""The row rules of a spreadsheet import, without a database."""

from __future__ import annotations

from datetime import date

from services.registry.imports.rules import HEADERS, decode_csv, eta_seconds, header_map, parse_row
from shared.resident_id import make

TODAY = date(2026, 12, 3)


def test_csv_encoding_is_told_by_bom_then_utf8_then_gb18030():
    text = "户编号,姓名\r\n"
    assert decode_csv(text.encode("utf-8-sig")) == (text, "utf-8-sig")
    assert decode_csv(text.encode("utf-8")) == (text, "utf-8")
    assert decode_csv(text.encode("gbk")) == (text, "gb18030")


def test_headers_are_found_by_their_chinese_names_and_aliases_in_any_order():
    columns, missing = header_map(["\ufeff姓名", "村代码", "户编号", "身份证号码"])
    assert columns == {"name": 0, "area_code": 1, "household_key": 2, "resident_id": 3}
    assert missing == ["与户主关系", "劳动能力", "识别年度", "登记日期"]
    assert header_map(list(HEADERS))[1] == []


def test_a_head_row_is_read_with_labels_and_every_fault_is_named_in_chinese():
    columns, _ = header_map(list(HEADERS))
    rid = make("440783", date(1968, 3, 9), 21)
    row = parse_row(
        [
            "H1",
            "440783101201",
            "王一",
            rid,
            "户主",
            "普通劳动力",
            "因病、缺技术",
            "扶持生产和就业发展一批",
            "2026",
            "2026/12/01",
        ],
        columns,
        today=TODAY,
    )
    assert row.reasons == []
    assert (row.relation, row.labour_capacity, row.poverty_causes, row.batches) == (
        "head",
        "full",
        ["illness", "lack_of_skills"],
        ["production_employment"],
    )
    assert (row.year, row.registered_on, row.birth_date, row.sex) == (
        2026,
        date(2026, 12, 1),
        date(1968, 3, 9),
        "male",
    )
    bad = parse_row(
        ["H1", "4407", "王一", rid[:17] + "X", "户主", "壮劳力", "", "", "2026", "2026-12-04"],
        columns,
        today=TODAY,
    )
    assert bad.reasons == [
        f"尾号为{rid[14:17]}X的身份证号校验位不对，请核对",
        "劳动能力“壮劳力”不在可选值中（普通劳动力、弱劳动力或半劳动力、无劳动力、未到劳动年龄）",
        "行政区划代码“4407”应为12位数字",
        "登记日期2026-12-04晚于今天（2026-12-03），不能登记未来的日期",
    ]


def test_an_identification_year_is_this_year_or_next_years_plan_as_for_registration():
    """The spreadsheet follows registration's rule (households.rules.check_plan_year) in its words:
    next year's plan is read, a later year is the row's reason; before, any year after this one was."""
    columns, _ = header_map(list(HEADERS))
    rid = make("440783", date(1968, 3, 9), 21)

    def head_row(year: str) -> list[str | None]:
        return ["H1", "440783101201", "王一", rid, "户主", "普通劳动力", "因病", "", year, "2026-12-01"]

    assert parse_row(head_row("2027"), columns, today=TODAY).year == 2027
    assert parse_row(head_row("2027"), columns, today=TODAY).reasons == []
    later = parse_row(head_row("2028"), columns, today=TODAY)
    assert later.year is None
    assert later.reasons == ["识别年度2028年太远：只能登记今年或下一年度（最晚2027年）的计划，请核对年度"]
    assert parse_row(head_row("2012"), columns, today=TODAY).reasons == [
        "识别年度“2012”应为2013年以来的四位年份"
    ]


def test_eta_follows_the_rate_so_far():
    assert eta_seconds(1000, 4000, 10.0) == 30.0
    assert eta_seconds(0, 4000, 10.0) is None
    assert eta_seconds(100, None, 1.0) is None


def test_yes_no_household_columns_are_read_from_the_head_row_only():
    """低保户 / 五保户 / 劳动意愿: 是/否 (有/无 too); empty is not 低保 and unknown willingness; a member
    row's cells are not the household's."""
    columns, missing = header_map(list(HEADERS))
    assert missing == []
    assert (
        header_map(
            ["户编号", "姓名", "身份证号", "与户主关系", "劳动能力", "村代码", "识别年度", "登记日期"]
        )[1]
        == []
    )
    rid = make("440783", date(1968, 3, 9), 21)
    base = ["H1", "440783101201", "王一", rid, "户主", "普通劳动力", "因病", "", "2026", "2026-12-01"]
    row = parse_row([*base, "是", "否", "有"], columns, today=TODAY)
    assert (row.reasons, row.attributes()) == (
        [],
        {"dibao": True, "five_guarantee": False, "labour_willing": True},
    )
    row = parse_row(base, columns, today=TODAY)
    assert row.attributes() == {"dibao": False, "five_guarantee": False, "labour_willing": None}
    bad = parse_row([*base, "低保", "", "不详"], columns, today=TODAY)
    assert bad.reasons == [
        "低保户“低保”应填写“是”或“否”（也可写有/无）",
        "劳动意愿“不详”应填写“是”或“否”（也可写有/无）",
    ]
    spouse = make("440783", date(1970, 1, 2), 22, sex="female")
    member_row = parse_row(
        ["H1", "", "李一", spouse, "配偶", "普通劳动力", "", "", "", "", "是"], columns, today=TODAY
    )
    assert (member_row.reasons, member_row.attributes()) == ([], None)


def test_a_date_serial_typed_as_text_is_a_date_in_2000_to_2099_and_other_numbers_stay_refused():
    columns, _ = header_map(list(HEADERS))

    def registered(text: str) -> tuple[date | None, list[str]]:
        rid = make("440783", date(1968, 3, 9), 21)
        row = parse_row(["H1", "440783101201", "王一", rid, "户主", "丧失劳动力", "", "", "2026", text],
                        columns, today=TODAY)  # fmt: skip
        assert row.labour_capacity == "none"
        return row.registered_on, row.reasons

    assert registered("42434") == (date(2016, 3, 5), [])
    assert registered("36526") == (date(2000, 1, 1), [])
    assert registered("36525") == (None, ["登记日期“36525”不是有效日期，应写作2026-12-03"])  # 1999-12-31
    assert registered("4243") == (None, ["登记日期“4243”不是有效日期，应写作2026-12-03"])
    assert registered("46360")[1] == ["登记日期2026-12-04晚于今天（2026-12-03），不能登记未来的日期"]
