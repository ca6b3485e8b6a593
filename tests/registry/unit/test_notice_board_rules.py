from datetime import date, timedelta

from services.registry.notices.rules import (
    RECENT_DAYS,
    NoticeKind,
    how_to_object,
    identification_last_day,
    shown,
)


def test_a_seven_day_notice_from_the_first_runs_to_the_seventh():
    assert identification_last_day(date(2017, 3, 1), 7) == date(2017, 3, 7)


def test_current_is_the_window_both_ends_counted_and_recent_is_after_it():
    first, last = date(2017, 3, 1), date(2017, 3, 7)
    assert not shown(first, last, date(2017, 2, 28), current=True)
    assert shown(first, last, date(2017, 3, 1), current=True)
    assert shown(first, last, date(2017, 3, 7), current=True)
    assert not shown(first, last, date(2017, 3, 8), current=True)
    assert not shown(first, last, date(2017, 3, 7), current=False)
    assert shown(first, last, date(2017, 3, 8), current=False)
    assert shown(first, last, last + timedelta(days=RECENT_DAYS), current=False)
    assert not shown(first, last, last + timedelta(days=RECENT_DAYS + 1), current=False)


def test_the_objection_sentence_names_the_committee_the_township_and_the_last_day():
    text = how_to_object("步栏村", "赤水镇", date(2017, 3, 7))
    assert "步栏村村民委员会" in text
    assert "赤水镇人民政府" in text
    assert "2017年3月7日" in text
    assert "村民委员会或" not in how_to_object("步栏村", None, date(2017, 3, 7))


def test_an_exit_notice_tells_the_public_how_to_object_too_and_both_name_the_12317_line():
    ident = how_to_object("步栏村", "赤水镇", date(2018, 12, 6))
    text = how_to_object("步栏村", "赤水镇", date(2018, 12, 6), NoticeKind.EXIT)
    assert text.startswith(
        "对本户脱贫退出有异议的，请于2018年12月6日前（含当日）向步栏村村民委员会或赤水镇人民政府"
    )
    assert "不予确认" not in text  # the exit is verified already; the committee looks into it
    assert all("扶贫监督举报电话12317" in t for t in (ident, text))
