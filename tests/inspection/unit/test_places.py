import pytest

from services.inspection.places import ancestor, is_within, level_of, prefix_of


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("440000000000", "province"),
        ("440700000000", "city"),
        ("440783000000", "county"),
        ("440783101000", "township"),
        ("440783101203", "village"),
    ],
)
def test_level_of(code, level):
    assert level_of(code) == level


def test_ancestor_and_prefix():
    assert ancestor("440783101203", "township") == "440783101000"
    assert ancestor("440783101203", "city") == "440700000000"
    assert prefix_of("440783000000") == "440783"
    assert is_within("440783101203", "440783")
    assert not is_within("440784101203", "440783")


def test_bad_code_is_refused():
    with pytest.raises(ValueError, match="12 digits"):
        level_of("4407")
