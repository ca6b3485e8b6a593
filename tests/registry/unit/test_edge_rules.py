from datetime import date
from uuid import uuid4

from services.registry.edge.rules import RegisteredMember, cross_check, parse_dibao_roll
from shared.resident_id import make

A = make("440783", date(1960, 1, 1), 1)
B = make("440783", date(1961, 1, 1), 3)
C = make("440783", date(1962, 1, 1), 5)
D = make("440783", date(1963, 1, 1), 7)


def test_parse_reports_bad_and_repeated_lines_by_number():
    text = f"\ufeffname,resident_id,note\n甲,{A},x\n乙,{A[:17]}0,\n丙,{A},\n丁,{B.lower()},\n"
    if A[17] == "0":
        text = text.replace(f"{A[:17]}0", f"{A[:17]}1")
    lines, problems = parse_dibao_roll(text)
    assert [(x.line, x.resident_id) for x in lines] == [(2, A), (5, B)]
    assert [p.line for p in problems] == [3, 4]
    assert "check character" in problems[0].problem
    assert "repeats" in problems[1].problem


def test_a_roll_without_the_columns_is_refused():
    lines, problems = parse_dibao_roll("id,who\n1,2\n")
    assert lines == []
    assert problems[0].line == 1


def test_cross_check_sorts_every_line_and_finds_flagged_households_missing_from_the_roll():
    flagged, unflagged, missing = uuid4(), uuid4(), uuid4()
    registered = {
        "hA": RegisteredMember(uuid4(), flagged, household_dibao=True),
        "hB": RegisteredMember(uuid4(), unflagged, household_dibao=False),
        "hD": RegisteredMember(uuid4(), missing, household_dibao=True),
    }
    lines, _ = parse_dibao_roll(f"resident_id,name\n{A},王小明\n{B},李四\n{C},赵五\n")
    result = cross_check(zip(["hA", "hB", "hC"], lines, strict=True), registered, [flagged, missing])
    assert [m["line"] for m in result.matched] == [2]
    assert [m["household_id"] for m in result.on_roll_not_flagged] == [str(unflagged)]
    assert result.flagged_not_on_roll == [str(missing)]
    assert result.not_registered == [
        {"line": 4, "resident_id_masked": C[:6] + "********" + C[-4:], "name_masked": "赵*"}
    ]
    everything = str(result)
    assert A not in everything
    assert B not in everything
    assert C not in everything
    assert D not in everything
