"""Pure platform helpers: resident IDs, area codes, money splits, personal-data protection."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared import resident_id
from shared.areas import AreaCode, AreaLevel, InvalidAreaCode
from shared.money import format_yuan, largest_remainder, parse_yuan, yuan, yuan_en, yuan_zh
from shared.pii import PiiCipher, mask_name, mask_resident_id


def test_check_digit_matches_gb11643_published_example() -> None:
    # The worked example of GB 11643-1999: 11010519491231002 -> check character X.
    assert resident_id.check_digit("11010519491231002") == "X"
    parsed = resident_id.validate("11010519491231002x")
    assert parsed.birth_date == date(1949, 12, 31)
    assert parsed.sex == "female"
    assert parsed.area6 == "110105"


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("11010519491231002", "18 characters"),
        ("110105194912310021", "check character"),
        ("110105194902300024", "not a real date"),
        ("11010519491231002Y", "18 characters"),
    ],
)
def test_invalid_ids_say_why(number: str, reason: str) -> None:
    if reason == "not a real date":
        number = number[:17] + resident_id.check_digit(number[:17])
    with pytest.raises(resident_id.InvalidResidentId, match=reason):
        resident_id.validate(number)


def test_future_birth_date_refused() -> None:
    n = resident_id.make("440783", date(2031, 1, 1), 11)
    with pytest.raises(resident_id.InvalidResidentId, match="out of range"):
        resident_id.validate(n, today=date(2026, 11, 22))


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31)), st.integers(0, 999),
       st.sampled_from(["male", "female"]))
def test_synthetic_ids_are_valid_and_carry_sex(born: date, seq: int, sex: str) -> None:
    parsed = resident_id.validate(resident_id.make("440783", born, seq, sex=sex))
    assert parsed.birth_date == born
    assert parsed.sex == sex


def test_area_levels_prefixes_and_parents() -> None:
    village = AreaCode.parse("440783101201")
    assert village.level is AreaLevel.VILLAGE
    assert village.prefix == "440783101201"
    assert [a.level for a in village.ancestors()] == list(AreaLevel)
    assert [a.code for a in village.ancestors()][:3] == ["440000000000", "440700000000", "440783000000"]
    town = village.parent
    assert town is not None
    assert town.code == "440783101000"
    assert town.prefix == "440783101"
    assert AreaCode.parse("440783").code == "440783000000"
    assert village.is_within("440783")
    assert not village.is_within("350521")
    for bad in ("44078310120", "4407831012ab", "000000000000"):
        with pytest.raises(InvalidAreaCode):
            AreaCode.parse(bad)


def test_kaiping_split_is_exact_to_the_fen() -> None:
    total = yuan(5_020_000)
    jiangmen, kaiping = largest_remainder(total, [8, 2])
    assert (jiangmen, kaiping) == (yuan(4_016_000), yuan(1_004_000))
    assert largest_remainder(100, [1, 1, 1]) == [34, 33, 33]
    assert format_yuan(yuan(4_016_000)) == "4,016,000.00"
    assert parse_yuan("1,004,000.50") == 100_400_050
    with pytest.raises(ValueError, match="whole number of fen"):
        yuan("0.001")


@given(st.integers(0, 10**12), st.lists(st.integers(0, 10**6), min_size=1, max_size=40).filter(any))
def test_largest_remainder_always_sums_to_total(total: int, weights: list[int]) -> None:
    parts = largest_remainder(total, weights)
    assert sum(parts) == total
    assert all(p >= 0 for p in parts)


def test_personal_data_is_encrypted_hashed_and_masked() -> None:
    cipher = PiiCipher("a-test-key-of-enough-length")
    number = resident_id.make("440783", date(1980, 5, 17), 123)
    token = cipher.encrypt(number)
    assert number not in token
    assert cipher.decrypt(token) == number
    assert cipher.keyed_hash(number) == cipher.keyed_hash(number.lower())
    assert cipher.keyed_hash(number) != PiiCipher("another-key-of-enough-length").keyed_hash(number)
    assert mask_resident_id(number) == number[:6] + "********" + number[-4:]
    assert mask_name("张小明") == "张**"


def test_if_match_guards_lost_updates() -> None:
    from shared.errors import PreconditionFailed, PreconditionRequired
    from shared.http import check_if_match, etag

    check_if_match(etag(3), 3)
    check_if_match('W/"3"', 3)
    with pytest.raises(PreconditionRequired):
        check_if_match(None, 3)
    with pytest.raises(PreconditionFailed) as stale:
        check_if_match(etag(2), 3)
    assert stale.value.extensions["current_etag"] == '"3"'


def test_integer_and_fraction_weights_split_alike() -> None:
    from fractions import Fraction

    weights = [3, 7, 7, 1, 0, 12]
    assert largest_remainder(1001, weights) == largest_remainder(1001, [Fraction(w) for w in weights])
    with pytest.raises(ValueError, match="all be zero"):
        largest_remainder(5, [0, 0])


def test_problem_extensions_cannot_overwrite_standard_members() -> None:
    import json

    from shared.errors import Conflict, problem_response

    err = Conflict("refused", status="frozen", title="x", reason="ledger closed")
    resp = problem_response(
        err.status, err.title, err.detail, type_slug=err.type_slug, extensions=err.extensions
    )
    body = json.loads(bytes(resp.body))
    assert body["status"] == 409
    assert body["title"] == "Conflict with the current state"
    assert body["ext_status"] == "frozen"
    assert body["ext_title"] == "x"
    assert body["reason"] == "ledger closed"


def test_amounts_in_texts_are_yuan_with_separators() -> None:
    assert yuan_zh(30_000_000) == "300,000.00元"
    assert yuan_en(30_000_000) == "300,000.00 yuan"
    assert (yuan_zh(5), yuan_zh(0), yuan_zh(-150)) == ("0.05元", "0.00元", "-1.50元")
