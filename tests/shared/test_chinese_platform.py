"""The platform pieces of "Chinese first": language choice, field labels, the fallback for an error
without Chinese words, and the spreadsheet writers (BOM, 元, frozen header, streaming)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from shared.errors import Conflict, NotFound
from shared.labels import COMMON, FieldLabels, describe_errors, field_label
from shared.problems import ProblemType, catalogue, negotiate_language, render_markdown
from shared.spreadsheets import Column, Sheet, csv_rows, xlsx_file
from shared.vocabulary import Labelled


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "zh"),
        ("", "zh"),
        ("en", "en"),
        ("en-US,en;q=0.9", "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("zh;q=0.5,en;q=0.9", "en"),
        ("fr, de", "zh"),
        ("*", "zh"),
        ("en;q=0", "zh"),
    ],
)
def test_chinese_unless_english_is_preferred(header: str | None, language: str) -> None:
    assert negotiate_language(header) == language


def test_field_labels_count_from_one_and_name_fields_as_the_form_does() -> None:
    labels = COMMON | FieldLabels(
        fields={"members": "成员", "poverty_causes": "致贫原因"}, items={"members": "人"}
    )
    assert field_label(("body", "members", 0, "resident_id"), labels) == "成员第1人的身份证号"
    assert field_label(("body", "members", 2, "name"), labels) == "成员第3人的姓名"
    assert field_label(("body", "poverty_causes", 1), labels) == "致贫原因第2项"
    assert field_label(("query", "year"), labels) == "查询参数年度"
    assert field_label(("body", "unknown_field"), labels) == "unknown_field"  # never dropped
    assert field_label(("body", "by_year", "³", "name"), labels) == "by_year的³的姓名"  # a dict key, as sent
    # a query parameter named as a body field but asking for something else has its own label
    debts = labels | FieldLabels(fields={"cause": "负债原因", "query.cause": "致贫原因"})
    assert field_label(("query", "cause"), debts) == "查询参数致贫原因"
    assert field_label(("body", "debts", 0, "cause"), debts) == "debts第1项的负债原因"


def test_validation_messages_say_what_to_do() -> None:
    labels = COMMON | FieldLabels(fields={"members": "成员"}, items={"members": "人"})
    errors = [
        {"type": "missing", "loc": ("body", "area_code"), "msg": "Field required"},
        {
            "type": "string_too_short",
            "loc": ("body", "members", 0, "resident_id"),
            "msg": "x",
            "ctx": {"min_length": 18},
        },
        {"type": "greater_than_equal", "loc": ("body", "year"), "msg": "x", "ctx": {"ge": 2014}},
        {"type": "json_invalid", "loc": ("body", 28), "msg": "JSON decode error", "ctx": {"error": "x"}},
    ]
    zh = [e["message"] for e in describe_errors(errors, labels, "zh")]
    assert zh == [
        "地区代码必须填写",
        "成员第1人的身份证号应为18位，最后一位可为X",
        "年度应不小于2014",
        "请求内容不是有效的JSON",
    ]
    en = describe_errors(errors, labels, "en")
    assert [e["message"] for e in en][0] == "Field required"
    assert [e["field"] for e in en] == ["body.area_code", "body.members.0.resident_id", "body.year", "body"]


class _EnglishOnly(Conflict):
    """What another helper's new error looks like before anyone translates it."""

    type_slug = "english-only-for-test"
    title = "Something refused"


class _Translated(NotFound):
    type_slug = "translated-for-test"
    title = "Thing not found"
    title_zh = "未找到该物"
    hint_zh = "检查编号"


def test_an_error_without_chinese_words_still_renders() -> None:
    err = _EnglishOnly("the thing 42 is frozen")
    assert err.told_in("zh") == ("与当前状态冲突", "the thing 42 is frozen")  # parent's title, English detail
    assert err.told_in("en") == ("Something refused", "the thing 42 is frozen")
    row = ProblemType("english-only-for-test", 409, "Something refused", None)
    assert "| 409 | （待译） | Something refused |" in render_markdown([row], "https://x/")
    assert "english-only-for-test" not in {p.slug for p in catalogue()}  # tests' classes stay out
    assert _Translated("thing 7 is not here").told_in("zh") == ("未找到该物", "未找到该物。检查编号")
    assert _Translated("x", detail_zh="没有物 7").told_in("zh") == ("未找到该物", "没有物 7")


class _Cause(Labelled):
    ILLNESS = "illness", "因病"


def test_a_labelled_code_list_takes_either() -> None:
    assert _Cause("因病") is _Cause.ILLNESS
    assert _Cause("illness") is _Cause.ILLNESS
    assert _Cause.ILLNESS == "illness"
    assert _Cause.ILLNESS.label == "因病"
    with pytest.raises(ValueError, match="因穷"):
        _Cause("因穷")


COLUMNS = [Column("name", "姓名"), Column("amount", "金额（元）", "money"), Column("on", "日期", "date")]


def test_csv_has_a_bom_chinese_headers_yuan_and_iso_dates_and_streams() -> None:
    rows = (("张三", 123456 + i, date(2026, 12, 3)) for i in range(20_000))
    chunks = list(csv_rows(COLUMNS, rows))
    assert len(chunks) > 5  # written as it goes, not one string at the end
    data = b"".join(chunks)
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0] == "姓名,金额（元）,日期"
    assert lines[1] == "张三,1234.56,2026-12-03"
    assert len(lines) == 20_001
    assert b"".join(csv_rows(COLUMNS, [], headers="codes")).decode("utf-8-sig").strip() == "name,amount,on"


def test_xlsx_has_a_frozen_header_widths_and_number_formats() -> None:
    with xlsx_file([Sheet("名单", COLUMNS, [("张三", 123456, date(2026, 12, 3))])]) as f:
        book = load_workbook(io.BytesIO(f.read()))
    ws = book["名单"]
    assert ws.freeze_panes == "A2"
    assert [c.value for c in ws[1]] == ["姓名", "金额（元）", "日期"]
    assert ws.column_dimensions["B"].width >= 14
    assert ws["B2"].value == 1234.56
    assert ws["B2"].number_format == "#,##0.00"
    assert ws["C2"].number_format == "yyyy-mm-dd"
