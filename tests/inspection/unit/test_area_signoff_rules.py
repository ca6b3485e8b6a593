"""Signer sets of village and county exits (seed 003 七) as pure rules."""

from __future__ import annotations

import pytest

from services.inspection.policies import presets
from services.inspection.signoffs import rules
from services.inspection.signoffs.rules import Signature, SignoffLevel, SignoffScheme
from shared.auth import Principal

VILLAGE = "620521101203"
COUNTY = "620521000000"


def test_gansu_presets_village_3_4_2_and_county_2() -> None:
    village = presets.signoff_scheme_for(VILLAGE, presets.SIGNOFF_SCHEMES_BY_KIND["village"])
    county = presets.signoff_scheme_for(COUNTY, presets.SIGNOFF_SCHEMES_BY_KIND["county"])
    assert [(lv.level, len(lv.positions)) for lv in village.levels] == [
        ("township", 3),
        ("county", 4),
        ("city", 2),
    ]
    assert [(lv.level, lv.positions) for lv in county.levels] == [("city", ("city_party_secretary", "mayor"))]
    assert village.household_position is None
    assert county.household_position is None
    rules.check_scheme(village, "village")
    rules.check_scheme(county, "county")
    # the household's set is unchanged: 4-3-4-2
    household = presets.signoff_scheme_for(VILLAGE)
    assert [len(lv.positions) for lv in household.levels] == [4, 3, 4, 2]


def test_a_county_exit_is_not_signed_below_the_county_and_areas_have_no_household_signer() -> None:
    township = SignoffScheme("x", (SignoffLevel("township", ("township_head",)),))
    with pytest.raises(rules.InvalidScheme):
        rules.check_scheme(township, "county")
    rules.check_scheme(township, "village")
    with pytest.raises(rules.InvalidScheme):
        rules.check_scheme(presets.GANSU_4342, "village")  # it has the household signer
    with pytest.raises(rules.InvalidScheme):
        rules.check_scheme(township, "province")


def test_the_city_signs_a_county_exit_for_its_own_city_only() -> None:
    county = presets.GANSU_COUNTY_EXIT
    mayor = Principal(sub="m", roles=frozenset({"mayor"}), area_code="620500000000")
    step = rules.check_signature(
        county,
        status="open",
        household_area=COUNTY,
        household_id="",
        signatures=[],
        signer=mayor,
        position="mayor",
    )
    assert step == Signature("city", "mayor")
    with pytest.raises(rules.SignerAreaMismatch):
        rules.check_signature(
            county,
            status="open",
            household_area=COUNTY,
            household_id="",
            signatures=[],
            signer=Principal(sub="m2", roles=frozenset({"mayor"}), area_code="620600000000"),
            position="mayor",
        )


def test_a_village_exit_waits_for_the_whole_township() -> None:
    village = presets.GANSU_VILLAGE_EXIT
    county_head = Principal(sub="c", roles=frozenset({"county_head"}), area_code=COUNTY)
    signed = [Signature("township", "township_head"), Signature("township", "township_party_secretary")]
    with pytest.raises(rules.LevelNotReached):
        rules.check_signature(
            village,
            status="open",
            household_area=VILLAGE,
            household_id="",
            signatures=signed,
            signer=county_head,
            position="county_head",
        )
    signed.append(Signature("township", "township_poverty_station_chief"))
    assert rules.current_level(village, signed) == village.levels[1]
