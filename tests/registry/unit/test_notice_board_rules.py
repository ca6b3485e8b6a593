from datetime import date, timedelta

from services.registry.notices.rules import RECENT_DAYS, how_to_object, identification_last_day, shown


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
