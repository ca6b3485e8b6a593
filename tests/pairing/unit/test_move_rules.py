import pytest

from services.pairing.needs.rules import helper_covers

VILLAGE = "440783101201"


@pytest.mark.parametrize(
    ("helper_area", "level", "covers"),
    [
        (VILLAGE, None, True),  # the village's own cadre
        ("440783101202", None, False),  # a neighbouring village's cadre
        ("440783101000", None, True),  # a township cadre
        ("440783000000", None, True),  # a county cadre or doctor
        ("440784000000", None, False),  # another county
        ("440783101000", "county", True),  # a county leader read at the leader's level
        ("440783101202", "township", True),
        ("not-a-code", None, False),
    ],
)
def test_a_helper_holds_a_village_inside_their_area(helper_area, level, covers):
    assert helper_covers(helper_area, level, VILLAGE) is covers
