"""The 4-3-4-2 sign-off: who may sign, in which order, for which household."""

import pytest

from services.inspection.errors import (
    DossierClosed,
    LevelNotReached,
    PositionAlreadySigned,
    PositionNotInScheme,
    SignerAreaMismatch,
    SignerIsNotTheHousehold,
    SignerLacksPosition,
)
from services.inspection.places import ancestor
from services.inspection.policies import presets
from services.inspection.signoffs.rules import (
    Signature,
    SignoffLevel,
    SignoffScheme,
    check_refusal,
    check_signature,
    current_level,
    is_complete,
    outstanding,
)
from shared.auth import Principal
from shared.errors import Conflict, Forbidden, InvalidInput

HOUSEHOLD_AREA = "620521101203"  # a village in Gansu (synthetic)
HOUSEHOLD_ID = "hh-42"
SCHEME = presets.GANSU_4342


def signer(position: str, level: str, area: str = HOUSEHOLD_AREA) -> Principal:
    sub = HOUSEHOLD_ID if position == "exit_household" else f"{position}-official"
    return Principal(sub=sub, roles=frozenset({position}), area_code=ancestor(area, level))


def sign(signatures: list[Signature], position: str, level: str, **kw) -> Signature:
    return check_signature(
        SCHEME,
        status="open",
        household_area=HOUSEHOLD_AREA,
        household_id=HOUSEHOLD_ID,
        signatures=signatures,
        signer=kw.get("who") or signer(position, level),
        position=position,
    )


def test_gansu_scheme_is_4_3_4_2_with_the_seed_positions():
    assert [lv.level for lv in SCHEME.levels] == ["village", "township", "county", "city"]
    assert [len(lv.positions) for lv in SCHEME.levels] == [4, 3, 4, 2]
    assert SCHEME.levels[0].positions == (
        "village_party_secretary",
        "village_head",
        "work_team_leader",
        "exit_household",
    )
    assert SCHEME.levels[1].positions == (
        "township_party_secretary",
        "township_head",
        "township_poverty_station_chief",
    )
    assert SCHEME.levels[2].positions == (
        "county_party_secretary",
        "county_head",
        "county_poverty_office_director",
        "county_statistics_director",
    )
    assert SCHEME.levels[3].positions == ("city_party_secretary", "mayor")
    assert len(SCHEME.positions) == 13


def test_full_walk_signs_13_times_and_completes():
    signatures: list[Signature] = []
    for lv in SCHEME.levels:
        for position in reversed(lv.positions):  # any order inside a level
            signatures.append(sign(signatures, position, lv.level))
        assert current_level(SCHEME, signatures) != lv
    assert len(signatures) == 13
    assert is_complete(SCHEME, signatures)
    assert current_level(SCHEME, signatures) is None


def test_township_cannot_sign_before_the_household_has():
    village = SCHEME.levels[0]
    signatures = [Signature("village", p) for p in village.positions[:3]]
    with pytest.raises(LevelNotReached) as err:
        sign(signatures, "township_head", "township")
    assert err.value.extensions["waiting_for"] == ["exit_household"]
    assert isinstance(err.value, Conflict)
    # the clerk reads the levels and positions by their Chinese names (seed 003 七)
    assert err.value.detail_zh == "村级签完后，乡级才能签字；尚待“贫困户”签字"


def test_city_cannot_sign_first():
    with pytest.raises(LevelNotReached):
        sign([], "mayor", "city")


def test_signer_without_the_position_role_is_refused():
    who = Principal(sub="", roles=frozenset({"village_head", "inspector"}), area_code=HOUSEHOLD_AREA)
    with pytest.raises(SignerLacksPosition) as err:
        sign([], "village_party_secretary", "village", who=who)
    assert isinstance(err.value, Forbidden)
    assert err.value.detail_zh == "以“村党支部书记”身份签字，账号须具有该岗位角色（village_party_secretary）"


def test_signer_from_a_neighbouring_village_is_refused():
    who = Principal(sub="", roles=frozenset({"village_head"}), area_code="620521101204")
    with pytest.raises(SignerAreaMismatch) as err:
        sign([], "village_head", "village", who=who)
    assert err.value.extensions["expected_area"] == HOUSEHOLD_AREA
    assert err.value.detail_zh == (
        f"签字的“村主任”须在地区 {HOUSEHOLD_AREA} 任职，该账号的地区是 620521101204"
    )


def test_county_signer_must_hold_office_for_the_household_county():
    signatures = [s for s in outstanding(SCHEME, []) if s.level in ("village", "township")]
    wrong_county = Principal(sub="", roles=frozenset({"county_head"}), area_code="620522000000")
    with pytest.raises(SignerAreaMismatch):
        sign(signatures, "county_head", "county", who=wrong_county)
    # the township official's own code is not the county's either
    township_code = Principal(sub="", roles=frozenset({"county_head"}), area_code="620521101000")
    with pytest.raises(SignerAreaMismatch):
        sign(signatures, "county_head", "county", who=township_code)
    assert sign(signatures, "county_head", "county") == Signature("county", "county_head")


def test_same_position_cannot_sign_twice():
    first = sign([], "village_head", "village")
    with pytest.raises(PositionAlreadySigned):
        sign([first], "village_head", "village")


def test_unknown_position_is_invalid_input():
    with pytest.raises(PositionNotInScheme) as err:
        sign([], "governor", "province")
    assert isinstance(err.value, InvalidInput)


@pytest.mark.parametrize(
    ("status", "said"), [("verified", "已核验通过"), ("rejected", "已退回"), ("withdrawn", "已撤回")]
)
def test_closed_dossier_takes_no_signature(status, said):
    with pytest.raises(DossierClosed) as closed:
        check_signature(
            SCHEME,
            status=status,
            household_area=HOUSEHOLD_AREA,
            household_id=HOUSEHOLD_ID,
            signatures=[],
            signer=signer("village_head", "village"),
            position="village_head",
        )
    assert closed.value.detail_zh == f"档案状态为“{said}”，不能再签字"


def test_refusal_needs_a_reason_and_a_qualified_signer():
    kw = dict(
        status="open",
        household_area=HOUSEHOLD_AREA,
        household_id=HOUSEHOLD_ID,
        signatures=[],
        position="village_head",
    )
    with pytest.raises(InvalidInput):
        check_refusal(SCHEME, signer=signer("village_head", "village"), reason="  ", **kw)
    with pytest.raises(SignerAreaMismatch):
        check_refusal(
            SCHEME,
            signer=Principal(sub="", roles=frozenset({"village_head"}), area_code="620521101299"),
            reason="income not verified",
            **kw,
        )
    step = check_refusal(SCHEME, signer=signer("village_head", "village"), reason="income not verified", **kw)
    assert step == Signature("village", "village_head")


def test_another_place_may_sign_differently():
    two_level = SignoffScheme(
        "sample-2", (SignoffLevel("village", ("village_head",)), SignoffLevel("county", ("county_head",)))
    )
    schemes = {"": presets.GANSU_4342, "4407": two_level}
    assert presets.signoff_scheme_for("440783101203", schemes) is two_level
    assert presets.signoff_scheme_for("620521101203", schemes) is presets.GANSU_4342
    assert presets.signoff_scheme_for("620521101203") is presets.GANSU_4342
    done = [Signature("village", "village_head")]
    assert is_complete(two_level, done) is False
    step = check_signature(
        two_level,
        status="open",
        household_area="440783101203",
        household_id=HOUSEHOLD_ID,
        signatures=done,
        signer=Principal(sub="", roles=frozenset({"county_head"}), area_code="440783000000"),
        position="county_head",
    )
    assert is_complete(two_level, [*done, step])


def test_only_the_household_itself_signs_as_the_household():
    assert SCHEME.household_position == "exit_household"
    cadre = Principal(sub="cadre-7", roles=frozenset({"exit_household"}), area_code=HOUSEHOLD_AREA)
    with pytest.raises(SignerIsNotTheHousehold):
        sign([], "exit_household", "village", who=cadre)
    assert sign([], "exit_household", "village") == Signature("village", "exit_household")


@pytest.mark.parametrize(
    ("levels", "household", "needle"),
    [
        ((), None, "Levels"),
        ((SignoffLevel("hamlet", ("x",)),), None, "Levels"),
        ((SignoffLevel("county", ("a",)), SignoffLevel("village", ("b",))), None, "bottom up"),
        ((SignoffLevel("village", ("a",)), SignoffLevel("village", ("b",))), None, "bottom up"),
        ((SignoffLevel("village", ()),), None, "positions"),
        ((SignoffLevel("village", ("a",)), SignoffLevel("county", ("a",))), None, "one level only"),
        ((SignoffLevel("village", ("a",)), SignoffLevel("county", ("h",))), "h", "village level"),
    ],
)
def test_unusable_schemes_are_refused(levels, household, needle):
    from services.inspection.signoffs.rules import InvalidScheme, check_scheme

    with pytest.raises(InvalidScheme, match=needle):
        check_scheme(SignoffScheme("x", levels, household_position=household))


def test_the_gansu_preset_is_a_usable_scheme():
    from services.inspection.signoffs.rules import check_scheme

    check_scheme(SCHEME)
