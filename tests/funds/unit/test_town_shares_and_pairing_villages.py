"""Issue 10 items 3 and 8 in the arithmetic: each town billed its own share; no silent 0 grant."""

from __future__ import annotations

import pytest

from services.funds.errors import PairingVillageLevelUnknown, TownWithoutAccount
from services.funds.policies.presets import KAIPING_PER_CAPITA, QUANZHOU_VILLAGE_GRANTS
from services.funds.schemes.rules import HouseholdRef, Population, VillageRef, apply_scheme
from shared.money import yuan

KEY = frozenset({"production_employment"})
CHISHUI, CANGCHENG = "440783105000", "440783106000"  # synthetic township codes
PAYS = {CHISHUI: "chishui-town-finance", CANGCHENG: "cangcheng-town-finance"}


def two_towns() -> Population:
    """251 key people as in seed 004, 151 in Chishui and 100 in a second Kaiping town."""
    chishui = [HouseholdRef(f"c-{i:03d}", 4 if i < 25 else 3, KEY, "440783105201") for i in range(42)]
    other = [HouseholdRef(f"o-{i:03d}", 4, KEY, "440783106201") for i in range(25)]
    assert sum(h.member_count for h in chishui) == 151
    assert sum(h.member_count for h in other) == 100
    return Population("440783000000", tuple(chishui + other), payers=PAYS)


def test_each_town_raises_its_own_30_percent_into_its_own_account_and_the_totals_stay_exact() -> None:
    plan = apply_scheme(KAIPING_PER_CAPITA, two_towns())
    assert (plan.people, plan.total_fen) == (251, yuan(5_020_000))
    assert plan.total_by(payer="jiangmen-poverty-fund") == yuan(4_016_000)
    kaiping_side = sum(
        plan.total_by(payer=p) for p in ("kaiping-finance", "chishui-town-finance", "cangcheng-town-finance")
    )
    assert kaiping_side == yuan(1_004_000)
    # 1,200 per person: Chishui's 151 people → 181,200; the other town's 100 → 120,000
    assert plan.total_by(payer="chishui-town-finance") == yuan(181_200)
    assert plan.total_by(payer="cangcheng-town-finance") == yuan(120_000)
    assert [plan.total_by(payer="cangcheng-town-finance", year=y) for y in (2016, 2017, 2018)] == [
        yuan(45_000),
        yuan(45_000),
        yuan(30_000),
    ]
    # a town's lines are its own households' only
    assert {line.beneficiary_id[:2] for line in plan.lines if line.payer == "cangcheng-town-finance"} == {
        "o-"
    }


def test_a_town_without_an_account_is_refused_naming_it() -> None:
    population = two_towns()
    orphan = Population(population.area_code, population.households, payers={CHISHUI: "chishui-town-finance"})
    with pytest.raises(TownWithoutAccount) as err:
        apply_scheme(KAIPING_PER_CAPITA, orphan)
    assert err.value.extensions["towns"] == [CANGCHENG]
    assert err.value.status == 409


def test_a_pairing_village_without_its_level_refuses_the_grant_plan_instead_of_a_silent_zero() -> None:
    villages = (
        VillageRef("350524101201", "city", True, "甲村"),
        VillageRef("350524101202", None, True, "乙村"),  # 帮扶村, level not recorded
        VillageRef("350524101203", None, False, "丙村"),  # not a pairing village: no grant, rightly
    )
    with pytest.raises(PairingVillageLevelUnknown) as err:
        apply_scheme(QUANZHOU_VILLAGE_GRANTS, Population("350524000000", villages=villages))
    assert err.value.extensions["villages"] == [{"code": "350524101202", "name": "乙村"}]
    recorded = (villages[0], VillageRef("350524101202", "county", True, "乙村"), villages[2])
    plan = apply_scheme(QUANZHOU_VILLAGE_GRANTS, Population("350524000000", villages=recorded))
    assert plan.total_fen == yuan(500_000) + yuan(200_000)
