"""Each pairing kind's rule, allowed and refused, with the seeds' numbers."""

from __future__ import annotations

from datetime import date

import pytest

from services.pairing.errors import HouseholdNotPairable, PairingRuleViolated
from services.pairing.helpers.rules import Helper
from services.pairing.pairings.rules import ActivePairing, Target, check_open
from services.pairing.policies.presets import NATIONAL, PRESETS, resolve_policy
from services.pairing.vocabulary import HelperKind, PairingKind

TODAY = date(2026, 11, 22)
KAIPING = PRESETS["440783"]
JINZHOU = PRESETS["2107"]
VILLAGE = "440783101203"
HOUSEHOLD = Target(id="h1", area_code=VILLAGE, level="household", status="registered")
POOR_VILLAGE = Target(id=VILLAGE, area_code=VILLAGE, level="village", poor_village=True)
OLD_AREA_VILLAGE = Target(id=VILLAGE, area_code=VILLAGE, level="village", old_area_village=True)
KEY_OLD_AREA_VILLAGE = Target(
    id=VILLAGE, area_code=VILLAGE, level="village", old_area_village=True, key_village=True
)
PLAIN_VILLAGE = Target(id=VILLAGE, area_code=VILLAGE, level="village")


def helper(kind: HelperKind, hid: str = "x", **kw: object) -> Helper:
    return Helper(id=hid, kind=kind, area_code=kw.pop("area_code", VILLAGE), **kw)  # type: ignore[arg-type]


def active(
    kind: PairingKind, helper_id: str = "other", target_id: str = "t", n: int = 1
) -> list[ActivePairing]:
    return [
        ActivePairing(f"p{i}", kind, helper_id, f"{target_id}{i}" if n > 1 else target_id) for i in range(n)
    ]


def opens(kind, h, target, *, hp=(), tp=(), policy=NATIONAL):  # type: ignore[no-untyped-def]
    check_open(
        kind, h, target, helper_pairings=list(hp), target_pairings=list(tp), policy=policy, today=TODAY
    )


def refused_rule(kind, h, target, **kw) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(PairingRuleViolated) as err:
        opens(kind, h, target, **kw)
    assert err.value.status == 409
    return str(err.value.extensions["rule"])


# cadre ↔ household: exactly one in-system cadre, and a cap per cadre
def test_cadre_pairs_with_an_unpaired_registered_household() -> None:
    opens(PairingKind.CADRE_HOUSEHOLD, helper(HelperKind.CADRE), HOUSEHOLD)


def test_second_cadre_for_the_same_household_is_refused() -> None:
    taken = active(PairingKind.CADRE_HOUSEHOLD, "c0", "h1")
    assert (
        refused_rule(PairingKind.CADRE_HOUSEHOLD, helper(HelperKind.CADRE), HOUSEHOLD, tp=taken)
        == "one_per_target"
    )


def test_cadre_cap_is_five_by_default_and_the_fifth_household_is_allowed() -> None:
    assert NATIONAL.cadre_household_cap == 5
    opens(
        PairingKind.CADRE_HOUSEHOLD,
        helper(HelperKind.CADRE, "c"),
        HOUSEHOLD,
        hp=active(PairingKind.CADRE_HOUSEHOLD, "c", n=4),
    )
    rule = refused_rule(
        PairingKind.CADRE_HOUSEHOLD,
        helper(HelperKind.CADRE, "c"),
        HOUSEHOLD,
        hp=active(PairingKind.CADRE_HOUSEHOLD, "c", n=5),
    )
    assert rule == "cadre_cap"


def test_volunteer_cannot_be_the_households_in_system_cadre() -> None:
    assert refused_rule(PairingKind.CADRE_HOUSEHOLD, helper(HelperKind.VOLUNTEER), HOUSEHOLD) == "helper_kind"


def test_first_secretary_and_leader_count_as_in_system_cadres() -> None:
    opens(PairingKind.CADRE_HOUSEHOLD, helper(HelperKind.FIRST_SECRETARY), HOUSEHOLD)
    opens(PairingKind.CADRE_HOUSEHOLD, helper(HelperKind.LEADER, level="township"), HOUSEHOLD)


def test_cadre_who_left_takes_no_new_household() -> None:
    assert refused_rule(PairingKind.CADRE_HOUSEHOLD, helper(HelperKind.CADRE, active=False), HOUSEHOLD) == (
        "helper_active"
    )


@pytest.mark.parametrize("status", ["candidate", "removed", "rejected", "in_notice"])
def test_household_not_on_the_roll_cannot_be_paired(status: str) -> None:
    target = Target(id="h1", area_code=VILLAGE, level="household", status=status)
    with pytest.raises(HouseholdNotPairable):
        opens(PairingKind.CADRE_HOUSEHOLD, helper(HelperKind.CADRE), target)


def test_exited_household_is_pairable_through_its_last_policy_day_only() -> None:
    inside = Target(id="h1", area_code=VILLAGE, level="household", status="exited", policies_kept_until=TODAY)
    opens(PairingKind.CADRE_HOUSEHOLD, helper(HelperKind.CADRE), inside)
    over = Target(
        id="h1", area_code=VILLAGE, level="household", status="exited", policies_kept_until=date(2026, 11, 21)
    )
    with pytest.raises(HouseholdNotPairable):
        opens(PairingKind.CADRE_HOUSEHOLD, helper(HelperKind.CADRE), over)


# work team and first secretary ↔ poor village
def test_work_team_pairs_with_a_poor_village_only() -> None:
    opens(PairingKind.WORK_TEAM_VILLAGE, helper(HelperKind.WORK_TEAM), POOR_VILLAGE)
    assert refused_rule(PairingKind.WORK_TEAM_VILLAGE, helper(HelperKind.WORK_TEAM), PLAIN_VILLAGE) == (
        "poor_village_only"
    )


def test_one_work_team_per_village_and_one_village_per_team() -> None:
    team = helper(HelperKind.WORK_TEAM, "w")
    assert (
        refused_rule(
            PairingKind.WORK_TEAM_VILLAGE,
            team,
            POOR_VILLAGE,
            tp=active(PairingKind.WORK_TEAM_VILLAGE, "w2", VILLAGE),
        )
        == "one_per_target"
    )
    assert (
        refused_rule(
            PairingKind.WORK_TEAM_VILLAGE,
            team,
            POOR_VILLAGE,
            hp=active(PairingKind.WORK_TEAM_VILLAGE, "w", "440783101204"),
        )
        == "one_per_helper"
    )


def test_first_secretary_is_resident_in_one_poor_village() -> None:
    fs = helper(HelperKind.FIRST_SECRETARY, "f")
    opens(PairingKind.FIRST_SECRETARY_VILLAGE, fs, POOR_VILLAGE)
    assert (
        refused_rule(
            PairingKind.FIRST_SECRETARY_VILLAGE,
            fs,
            POOR_VILLAGE,
            tp=active(PairingKind.FIRST_SECRETARY_VILLAGE, "f2", VILLAGE),
        )
        == "one_per_target"
    )
    assert (
        refused_rule(
            PairingKind.FIRST_SECRETARY_VILLAGE,
            fs,
            POOR_VILLAGE,
            hp=active(PairingKind.FIRST_SECRETARY_VILLAGE, "f", "x"),
        )
        == "one_per_helper"
    )
    assert refused_rule(PairingKind.FIRST_SECRETARY_VILLAGE, helper(HelperKind.CADRE), POOR_VILLAGE) == (
        "helper_kind"
    )


# leaders link upward by level, inside their own area
def test_guangyuan_city_leader_links_counties_and_villages_but_not_households() -> None:
    guangyuan = resolve_policy("510802000000")
    assert guangyuan.name == "guangyuan"
    leader = helper(HelperKind.LEADER, area_code="510800000000", level="city")
    county = Target(id="510802000000", area_code="510802000000", level="county")
    village = Target(id="510802101001", area_code="510802101001", level="village")
    opens(PairingKind.LEADER_AREA, leader, county, policy=guangyuan)
    opens(PairingKind.LEADER_AREA, leader, village, policy=guangyuan)
    household = Target(id="h9", area_code="510802101001", level="household", status="registered")
    assert refused_rule(PairingKind.LEADER_AREA, leader, household, policy=guangyuan) == "leader_link_level"


def test_township_leader_links_villages_and_households_in_guangyuan() -> None:
    leader = helper(HelperKind.LEADER, area_code="440783101000", level="township")
    opens(PairingKind.LEADER_AREA, leader, HOUSEHOLD)
    township = Target(id="440783101000", area_code="440783101000", level="township")
    assert refused_rule(PairingKind.LEADER_AREA, leader, township) == "leader_link_level"


def test_jinzhou_county_leader_links_households_only() -> None:
    assert resolve_policy("210702000000") is JINZHOU
    leader = helper(HelperKind.LEADER, area_code="210702000000", level="county")
    household = Target(id="h2", area_code="210702101001", level="household", status="registered")
    opens(PairingKind.LEADER_AREA, leader, household, policy=JINZHOU)
    township = Target(id="210702101000", area_code="210702101000", level="township")
    assert refused_rule(PairingKind.LEADER_AREA, leader, township, policy=JINZHOU) == "leader_link_level"


def test_leader_cannot_link_outside_their_area() -> None:
    leader = helper(HelperKind.LEADER, area_code="440783000000", level="county")
    elsewhere = Target(id="440784101000", area_code="440784101000", level="township")
    assert refused_rule(PairingKind.LEADER_AREA, leader, elsewhere) == "leader_outside_area"


# professionals ↔ households
@pytest.mark.parametrize("kind", [HelperKind.DOCTOR, HelperKind.TEACHER, HelperKind.AGRI_TECHNICIAN])
def test_professionals_pair_with_households_and_not_twice(kind: HelperKind) -> None:
    pro = helper(kind, "pro")
    opens(
        PairingKind.PROFESSIONAL_HOUSEHOLD,
        pro,
        HOUSEHOLD,
        tp=active(PairingKind.PROFESSIONAL_HOUSEHOLD, "another-pro", "h1"),
    )
    assert (
        refused_rule(
            PairingKind.PROFESSIONAL_HOUSEHOLD,
            pro,
            HOUSEHOLD,
            tp=active(PairingKind.PROFESSIONAL_HOUSEHOLD, "pro", "h1"),
        )
        == "duplicate"
    )


# 百医牵百村: qualified doctor ↔ old-area village, one each way
def qualified_doctor(hid: str = "d", grade: str = "2A", title: str = "intermediate") -> Helper:
    return helper(HelperKind.DOCTOR, hid, hospital_grade=grade, professional_title=title)


def test_doctor_from_grade_2a_hospital_with_intermediate_title_qualifies_exactly_at_the_bound() -> None:
    opens(PairingKind.DOCTOR_VILLAGE, qualified_doctor(), OLD_AREA_VILLAGE, policy=KAIPING)
    opens(PairingKind.DOCTOR_VILLAGE, qualified_doctor(grade="3A", title="senior"), OLD_AREA_VILLAGE)


@pytest.mark.parametrize(("grade", "title"), [("2B", "intermediate"), ("2A", "junior"), (None, "senior")])
def test_doctor_below_2a_or_intermediate_is_refused(grade: str | None, title: str) -> None:
    doc = qualified_doctor(grade=grade, title=title)  # type: ignore[arg-type]
    assert refused_rule(PairingKind.DOCTOR_VILLAGE, doc, OLD_AREA_VILLAGE) == "doctor_qualification"


def test_doctor_village_is_one_each_way_and_old_area_only() -> None:
    doc = qualified_doctor()
    assert refused_rule(PairingKind.DOCTOR_VILLAGE, doc, PLAIN_VILLAGE) == "old_area_village_only"
    assert (
        refused_rule(
            PairingKind.DOCTOR_VILLAGE,
            doc,
            OLD_AREA_VILLAGE,
            tp=active(PairingKind.DOCTOR_VILLAGE, "d2", VILLAGE),
        )
        == "one_per_target"
    )
    assert (
        refused_rule(
            PairingKind.DOCTOR_VILLAGE,
            doc,
            OLD_AREA_VILLAGE,
            hp=active(PairingKind.DOCTOR_VILLAGE, "d", "440783101299"),
        )
        == "one_per_helper"
    )


# 百企扶百村 and the other social pairings: one per village
def test_one_enterprise_per_village_but_an_enterprise_may_help_several() -> None:
    ent = helper(HelperKind.ENTERPRISE, "e")
    opens(
        PairingKind.ENTERPRISE_VILLAGE,
        ent,
        PLAIN_VILLAGE,
        hp=active(PairingKind.ENTERPRISE_VILLAGE, "e", "v"),
    )
    assert (
        refused_rule(
            PairingKind.ENTERPRISE_VILLAGE,
            ent,
            PLAIN_VILLAGE,
            tp=active(PairingKind.ENTERPRISE_VILLAGE, "e2", VILLAGE),
        )
        == "one_per_target"
    )


def test_kaiping_enterprises_pair_with_key_old_area_villages_only() -> None:
    # seed 004 五(十)2: 以新时期精准扶贫重点帮扶老区村为帮扶对象
    assert KAIPING.enterprise_target_must_be_old_area is True
    ent = helper(HelperKind.ENTERPRISE)
    opens(PairingKind.ENTERPRISE_VILLAGE, ent, KEY_OLD_AREA_VILLAGE, policy=KAIPING)
    assert refused_rule(PairingKind.ENTERPRISE_VILLAGE, ent, OLD_AREA_VILLAGE, policy=KAIPING) == (
        "key_old_area_village_only"
    )
    assert refused_rule(PairingKind.ENTERPRISE_VILLAGE, ent, PLAIN_VILLAGE, policy=KAIPING) == (
        "old_area_village_only"
    )
    key_only = Target(id=VILLAGE, area_code=VILLAGE, level="village", key_village=True)
    assert (
        refused_rule(PairingKind.ENTERPRISE_VILLAGE, ent, key_only, policy=KAIPING) == "old_area_village_only"
    )


def test_chamber_and_overseas_association_pair_one_per_village() -> None:
    opens(
        PairingKind.CHAMBER_VILLAGE,
        helper(HelperKind.CHAMBER),
        PLAIN_VILLAGE,
        tp=active(PairingKind.ENTERPRISE_VILLAGE, "e", VILLAGE),
    )
    assert refused_rule(
        PairingKind.OVERSEAS_CHINESE_VILLAGE,
        helper(HelperKind.OVERSEAS_CHINESE_ASSOCIATION),
        PLAIN_VILLAGE,
        tp=active(PairingKind.OVERSEAS_CHINESE_VILLAGE, "o", VILLAGE),
    ) == ("one_per_target")


# 10+1: a team of at least 10 party-member volunteers ↔ one household
def test_volunteer_team_of_exactly_ten_party_members_pairs_and_nine_is_refused() -> None:
    assert KAIPING.volunteer_team_min_party_members == 10
    opens(
        PairingKind.VOLUNTEER_TEAM_HOUSEHOLD,
        helper(HelperKind.VOLUNTEER_TEAM, party_member_count=10),
        HOUSEHOLD,
        policy=KAIPING,
    )
    nine = helper(HelperKind.VOLUNTEER_TEAM, party_member_count=9)
    assert refused_rule(PairingKind.VOLUNTEER_TEAM_HOUSEHOLD, nine, HOUSEHOLD, policy=KAIPING) == (
        "volunteer_team_size"
    )


def test_volunteer_team_pairs_with_one_household_only() -> None:
    team = helper(HelperKind.VOLUNTEER_TEAM, "vt", party_member_count=12)
    assert (
        refused_rule(
            PairingKind.VOLUNTEER_TEAM_HOUSEHOLD,
            team,
            HOUSEHOLD,
            hp=active(PairingKind.VOLUNTEER_TEAM_HOUSEHOLD, "vt", "h0"),
        )
        == "one_per_helper"
    )


# 山海协作: county ↔ county, one each way
def test_quanzhou_presets_hold_the_seven_mountain_sea_pairs() -> None:
    quanzhou = resolve_policy("350502000000")
    assert quanzhou.name == "quanzhou"
    assert len(quanzhou.county_pairs) == 7
    assert ("350502000000", "350421000000") in quanzhou.county_pairs  # 鲤城 – 明溪
    assert ("350521000000", "350723000000") in quanzhou.county_pairs  # 惠安 – 光泽
    coastal = {a for a, _ in quanzhou.county_pairs}
    mountain = {b for _, b in quanzhou.county_pairs}
    assert len(coastal) == len(mountain) == 7


def test_county_pairs_one_each_way_and_never_with_itself() -> None:
    licheng = helper(HelperKind.COUNTY, "licheng", area_code="350502000000")
    mingxi = Target(id="350421000000", area_code="350421000000", level="county")
    opens(PairingKind.COUNTY_COUNTY, licheng, mingxi)
    assert (
        refused_rule(
            PairingKind.COUNTY_COUNTY,
            licheng,
            mingxi,
            tp=active(PairingKind.COUNTY_COUNTY, "fengze", "350421000000"),
        )
        == "one_per_target"
    )
    itself = Target(id="350502000000", area_code="350502000000", level="county")
    assert refused_rule(PairingKind.COUNTY_COUNTY, licheng, itself) == "distinct_counties"
    assert refused_rule(PairingKind.COUNTY_COUNTY, licheng, PLAIN_VILLAGE) == "target_type"


def test_the_most_specific_preset_wins_and_others_fall_back_to_national() -> None:
    assert resolve_policy("440783101203").name == "kaiping"
    assert resolve_policy("620102000000").name == "gansu"
    assert resolve_policy("110101000000") is NATIONAL


def test_the_database_enforces_the_same_one_per_target_and_per_helper_kinds_as_the_rules() -> None:
    import importlib.util
    from pathlib import Path

    from services.pairing import models

    # The newest migration that (re)defines the indexes holds what the database enforces now.
    versions = sorted((Path(models.__file__).parent / "migrations" / "versions").glob("*.py"))
    path = [p for p in versions if "ONE_PER_TARGET_WHERE =" in p.read_text()][-1]
    spec = importlib.util.spec_from_file_location("pairing_index_migration", path)
    assert spec is not None
    assert spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    where = {
        index.name: str(index.dialect_options["postgresql"]["where"])
        for index in models.Pairing.__table__.indexes
        if index.name in ("uq_pairing_active_target", "uq_pairing_active_helper")
    }
    assert migration.ONE_PER_TARGET_WHERE == where["uq_pairing_active_target"]
    assert migration.ONE_PER_HELPER_WHERE == where["uq_pairing_active_helper"]
    assert "'cadre_household'" in where["uq_pairing_active_target"]
    assert "'volunteer_team_household'" in where["uq_pairing_active_helper"]


def test_a_first_secretary_leads_their_work_team_in_its_own_village() -> None:
    fs = helper(HelperKind.FIRST_SECRETARY, "f")
    check_open(
        PairingKind.FIRST_SECRETARY_VILLAGE,
        fs,
        POOR_VILLAGE,
        helper_pairings=[],
        target_pairings=[],
        policy=NATIONAL,
        today=TODAY,
        team_villages=[VILLAGE],
    )
    with pytest.raises(PairingRuleViolated) as err:
        check_open(
            PairingKind.FIRST_SECRETARY_VILLAGE,
            fs,
            POOR_VILLAGE,
            helper_pairings=[],
            target_pairings=[],
            policy=NATIONAL,
            today=TODAY,
            team_villages=["440783101299"],
        )
    assert err.value.extensions["rule"] == "team_village"


def test_team_membership_by_kind() -> None:
    from services.pairing.helpers.rules import team_refusal

    assert team_refusal(HelperKind.FIRST_SECRETARY, HelperKind.WORK_TEAM) is None
    assert team_refusal(HelperKind.VOLUNTEER, HelperKind.VOLUNTEER_TEAM) is None
    assert "belongs to a work_team" in str(team_refusal(HelperKind.WORK_TEAM_MEMBER, HelperKind.ENTERPRISE))
    assert "does not belong" in str(team_refusal(HelperKind.DOCTOR, HelperKind.WORK_TEAM))


def test_quanzhou_one_coordinator_per_village_and_full_time_staff_per_township() -> None:
    township = Target(id="350502101000", area_code="350502101000", level="township")
    staff = helper(HelperKind.TOWNSHIP_STAFF, "s1")
    opens(
        PairingKind.TOWNSHIP_STAFF, staff, township, tp=active(PairingKind.TOWNSHIP_STAFF, "s0", township.id)
    )
    coordinator = helper(HelperKind.VILLAGE_COORDINATOR, "k1")
    opens(PairingKind.VILLAGE_COORDINATOR, coordinator, PLAIN_VILLAGE)
    assert (
        refused_rule(
            PairingKind.VILLAGE_COORDINATOR,
            coordinator,
            PLAIN_VILLAGE,
            tp=active(PairingKind.VILLAGE_COORDINATOR, "k0", VILLAGE),
        )
        == "one_per_target"
    )
    assert refused_rule(PairingKind.TOWNSHIP_STAFF, staff, PLAIN_VILLAGE) == "target_type"


# enterprise ↔ household (Jinzhou 县级领导、企业包户): an enterprise takes as many households as it will
def test_an_enterprise_pairs_with_households_and_nobody_else_does_under_that_kind() -> None:
    enterprise = helper(HelperKind.ENTERPRISE)
    opens(PairingKind.ENTERPRISE_HOUSEHOLD, enterprise, HOUSEHOLD, policy=JINZHOU)
    busy = active(PairingKind.ENTERPRISE_HOUSEHOLD, helper_id="x", n=30)
    opens(PairingKind.ENTERPRISE_HOUSEHOLD, enterprise, HOUSEHOLD, hp=busy, policy=JINZHOU)
    # Kaiping's 一村一企业 binds villages only
    opens(PairingKind.ENTERPRISE_HOUSEHOLD, enterprise, HOUSEHOLD, hp=busy, policy=KAIPING)
    teacher = helper(HelperKind.TEACHER)
    assert refused_rule(PairingKind.ENTERPRISE_HOUSEHOLD, teacher, HOUSEHOLD) == "helper_kind"
    assert refused_rule(PairingKind.ENTERPRISE_HOUSEHOLD, enterprise, PLAIN_VILLAGE) == "target_type"
