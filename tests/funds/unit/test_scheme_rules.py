"""The seeds' allocation numbers, reproduced to the fen, and the largest-remainder property."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.funds.errors import InvalidScheme
from services.funds.policies.presets import (
    KAIPING_PER_CAPITA,
    KAIPING_SPECIAL_FUNDS,
    QUANZHOU_SPECIAL_FUNDS,
    QUANZHOU_VILLAGE_GRANTS,
)
from services.funds.schemes.rules import (
    BASIS_POINTS,
    HouseholdRef,
    PerCapitaScheme,
    Population,
    Share,
    SubShare,
    VillageGrantScheme,
    VillageRef,
    apply_scheme,
    years_of,
)
from shared.money import yuan

CHISHUI = "440783105000"
CHISHUI_PAYS = {CHISHUI: "chishui-town-finance"}  # the town's own account (named in the preset too)


KEY = frozenset({"production_employment"})


def chishui_population() -> Population:
    """71 key households, 251 people (seed 004 §三(一)): 38 households of 4 and 33 of 3; plus the
    town's other allowance households (254 / 664 people), who are not counted by the scheme."""
    sizes = [4] * 38 + [3] * 33
    assert (len(sizes), sum(sizes)) == (71, 251)
    key = [HouseholdRef(f"hh-{i:03d}", n, KEY, f"440783105{i % 7 + 201:03d}") for i, n in enumerate(sizes)]
    floor = [
        HouseholdRef(f"floor-{i:03d}", 3 if i < 156 else 2, frozenset({"dibao_floor"}), "440783105201")
        for i in range(254)
    ]
    return Population(CHISHUI, tuple(key + floor), payers=CHISHUI_PAYS)


def test_kaiping_251_people_total_and_level_shares() -> None:
    plan = apply_scheme(KAIPING_PER_CAPITA, chishui_population())

    assert (plan.people, plan.total_fen) == (251, yuan(5_020_000))
    assert plan.total_by(payer="jiangmen-poverty-fund") == yuan(4_016_000)
    kaiping_side = plan.total_by(payer="kaiping-finance") + plan.total_by(payer="chishui-town-finance")
    assert kaiping_side == yuan(1_004_000)
    assert {line.payee for line in plan.lines} == {"kaiping-special-account"}


def test_kaiping_side_by_year() -> None:
    plan = apply_scheme(KAIPING_PER_CAPITA, chishui_population())

    def kaiping_side(year: int) -> int:
        return plan.total_by(payer="kaiping-finance", year=year) + plan.total_by(
            payer="chishui-town-finance", year=year
        )

    assert [kaiping_side(y) for y in (2016, 2017, 2018)] == [yuan(376_500), yuan(376_500), yuan(251_000)]


def test_town_raises_30_percent_by_year() -> None:
    plan = apply_scheme(KAIPING_PER_CAPITA, chishui_population())

    assert plan.total_by(payer="chishui-town-finance") == yuan(301_200)
    by_year = [plan.total_by(payer="chishui-town-finance", year=y) for y in (2016, 2017, 2018)]
    assert by_year == [yuan(112_950), yuan(112_950), yuan(75_300)]
    # Kaiping city and its departments raise the other 70%: 702,800.
    assert plan.total_by(payer="kaiping-finance") == yuan(702_800)


def test_jiangmen_part_is_due_over_the_period_not_by_year() -> None:
    plan = apply_scheme(KAIPING_PER_CAPITA, chishui_population())

    jiangmen_years = {line.year for line in plan.lines if line.payer == "jiangmen-poverty-fund"}
    assert jiangmen_years == {None}


def test_each_household_is_entitled_to_20000_per_member() -> None:
    plan = apply_scheme(KAIPING_PER_CAPITA, chishui_population())

    assert plan.entitlement("household", "hh-000") == yuan(80_000)  # 4 people
    assert plan.entitlement("household", "hh-070") == yuan(60_000)  # 3 people
    # 450 yuan per person in 2016 from the town, for a household of 4
    town_2016 = [
        line.amount_fen
        for line in plan.lines
        if line.beneficiary_id == "hh-000" and line.payer == "chishui-town-finance" and line.year == 2016
    ]
    assert town_2016 == [yuan(1_800)]


def test_one_more_person_adds_exactly_20000() -> None:
    base = chishui_population()
    grown = Population(
        CHISHUI, (*base.households, HouseholdRef("hh-new", 1, KEY, "440783105201")), payers=CHISHUI_PAYS
    )

    before, after = apply_scheme(KAIPING_PER_CAPITA, base), apply_scheme(KAIPING_PER_CAPITA, grown)

    assert after.total_fen - before.total_fen == yuan(20_000)
    assert after.entitlement("household", "hh-new") == yuan(20_000)


def test_quanzhou_28_city_dispatched_villages() -> None:
    villages = tuple(VillageRef(f"3505{i:08d}", "city") for i in range(28))

    plan = apply_scheme(QUANZHOU_VILLAGE_GRANTS, Population("350500000000", villages=villages))

    assert plan.total_fen == yuan(14_000_000)
    assert {line.amount_fen for line in plan.lines} == {yuan(500_000)}
    assert len(plan.lines) == 28


def test_quanzhou_province_and_county_villages_get_200000_and_others_nothing() -> None:
    villages = (
        VillageRef("350524000001", "province"),
        VillageRef("350524000002", "county"),
        VillageRef("350524000003", None),
    )

    plan = apply_scheme(QUANZHOU_VILLAGE_GRANTS, Population("350500000000", villages=villages))

    assert [(line.beneficiary_id, line.amount_fen) for line in plan.lines] == [
        ("350524000001", yuan(200_000)),
        ("350524000002", yuan(200_000)),
    ]


def test_kaiping_special_funds_per_year() -> None:
    plan = apply_scheme(KAIPING_SPECIAL_FUNDS, Population("440783000000"))

    assert plan.total_by(component="old-area") == yuan(1_500_000)
    assert plan.total_by(component="industry") == yuan(900_000)
    assert plan.total_by(component="housing") == yuan(600_000)
    assert [plan.total_by(component="work-expenses", year=y) for y in (2016, 2017, 2018)] == [
        yuan(310_000),
        yuan(250_000),
        yuan(250_000),
    ]
    assert plan.total_by(component="work-expenses") == yuan(810_000)
    assert plan.total_fen == yuan(3_810_000)


def test_quanzhou_2018_city_special_funds() -> None:
    """Seed 002: 2,500万 collective-income projects, ≥3,000万 housing, 2,000万 infrastructure (2018)."""
    plan = apply_scheme(QUANZHOU_SPECIAL_FUNDS, Population("350500000000"))

    assert plan.total_by(component="collective-economy", year=2018) == yuan(25_000_000)
    assert plan.total_by(component="housing", year=2018) == yuan(30_000_000)
    assert plan.total_by(component="infrastructure", year=2018) == yuan(20_000_000)
    assert plan.total_fen == yuan(75_000_000) == 7_500_000_000
    assert {line.payer for line in plan.lines} == {"quanzhou-city-finance"}
    assert {line.payee for line in plan.lines} == {"quanzhou-special-account"}


def test_a_schemes_years_are_what_it_plans_money_for() -> None:
    # what a payment against a plan of it may name as its year
    assert years_of(KAIPING_PER_CAPITA) == years_of(KAIPING_SPECIAL_FUNDS) == (2016, 2017, 2018)
    assert years_of(QUANZHOU_VILLAGE_GRANTS) == years_of(QUANZHOU_SPECIAL_FUNDS) == (2018,)


def test_allowance_floor_households_are_not_counted() -> None:
    plan = apply_scheme(KAIPING_PER_CAPITA, chishui_population())

    assert not any(line.beneficiary_id.startswith("floor-") for line in plan.lines)


def test_empty_population_plans_nothing() -> None:
    plan = apply_scheme(KAIPING_PER_CAPITA, Population(CHISHUI))

    assert (plan.total_fen, plan.lines) == (0, ())


def test_sub_shares_over_100_percent_are_refused() -> None:
    scheme = PerCapitaScheme(
        "bad",
        "bad",
        (2016,),
        100,
        "pool",
        (Share("a", "pa", 1, sub_shares=(SubShare("b", "pb", 6_000), SubShare("c", "pc", 5_000))),),
    )

    with pytest.raises(InvalidScheme):
        apply_scheme(scheme, chishui_population())


def test_sub_share_due_faster_than_its_share_is_refused() -> None:
    # the share is due 50/50; a 100% sub-share due all in the first year would leave the share's
    # own payer owing a negative amount in that year
    scheme = PerCapitaScheme(
        "bad",
        "bad",
        (2016, 2017),
        100,
        "pool",
        (Share("a", "pa", 1, {2016: 1, 2017: 1}, (SubShare("b", "pb", BASIS_POINTS, {2016: 1, 2017: 0}),)),),
    )

    with pytest.raises(InvalidScheme):
        apply_scheme(scheme, chishui_population())


def test_negative_village_grant_is_refused() -> None:
    scheme = VillageGrantScheme("bad", "bad", 2018, "p", "q", {"city": -1})

    with pytest.raises(InvalidScheme):
        apply_scheme(scheme, Population("350500000000"))


# --- property: any valid scheme and population adds up to the total to the fen ------------------

YEARS = (2016, 2017, 2018)
schedules = st.one_of(
    st.none(),
    st.fixed_dictionaries({y: st.integers(0, 5_000) for y in YEARS}).filter(lambda s: sum(s.values()) > 0),
)


@st.composite
def per_capita_schemes(draw: st.DrawFn) -> PerCapitaScheme:
    shares = []
    for i in range(draw(st.integers(1, 4))):
        schedule = draw(schedules)
        subs = []
        budget = BASIS_POINTS
        for j in range(draw(st.integers(0, 3))):
            bp = draw(st.integers(0, budget))
            budget -= bp
            # a sub-share follows its share's schedule: then it always fits
            subs.append(SubShare(f"s{i}-{j}", f"payer-{i}-{j}", bp, None))
        shares.append(Share(f"s{i}", f"payer-{i}", draw(st.integers(1, 20)), schedule, tuple(subs)))
    return PerCapitaScheme("random", "random", YEARS, draw(st.integers(0, 10_000_000)), "pool", tuple(shares))


populations = st.lists(st.integers(1, 12), min_size=0, max_size=60).map(
    lambda sizes: Population(CHISHUI, tuple(HouseholdRef(f"h{i:03d}", n) for i, n in enumerate(sizes)))
)


@settings(max_examples=300, deadline=None)
@given(scheme=per_capita_schemes(), population=populations)
def test_random_schemes_add_up_to_the_fen(scheme: PerCapitaScheme, population: Population) -> None:
    plan = apply_scheme(scheme, population)

    expected = scheme.amount_per_person_fen * population.people
    assert plan.total_fen == expected
    assert sum(line.amount_fen for line in plan.lines) == expected
    assert all(line.amount_fen > 0 for line in plan.lines)
    # each household gets its people's exact share, less than a fen off per (component, year) split
    splits = len({(line.component, line.year) for line in plan.lines})
    for household in population.households:
        owed = plan.entitlement("household", household.id)
        assert abs(owed - scheme.amount_per_person_fen * household.member_count) <= max(splits, 1)


@st.composite
def scheduled_sub_share_schemes(draw: st.DrawFn) -> PerCapitaScheme:
    """Sub-shares with their own schedules, kept within the share's schedule in exact fractions."""
    parent = {y: draw(st.integers(1, 5_000)) for y in YEARS}
    # the sub-share's weights are proportional to at most the parent's: then it always fits
    sub = {y: draw(st.integers(0, parent[y])) for y in YEARS}
    if sum(sub.values()) == 0:
        sub[YEARS[0]] = parent[YEARS[0]]
    sub_sum, parent_sum = sum(sub.values()), sum(parent.values())
    # largest basis points such that bp/10000 * sub[y]/sub_sum <= parent[y]/parent_sum for every year
    max_bp = min(
        BASIS_POINTS * parent[y] * sub_sum // (parent_sum * sub[y]) if sub[y] else BASIS_POINTS for y in YEARS
    )
    bp = draw(st.integers(0, min(max_bp, BASIS_POINTS)))
    share = Share("k", "payer-k", draw(st.integers(1, 9)), parent, (SubShare("t", "payer-t", bp, sub),))
    other = Share("j", "payer-j", draw(st.integers(0, 9)))
    return PerCapitaScheme("random", "random", YEARS, draw(st.integers(0, 5_000_000)), "pool", (other, share))


@settings(max_examples=300, deadline=None)
@given(scheme=scheduled_sub_share_schemes(), population=populations)
def test_scheduled_sub_shares_add_up_and_never_go_negative(
    scheme: PerCapitaScheme, population: Population
) -> None:
    plan = apply_scheme(scheme, population)

    share = scheme.shares[1]
    assert plan.total_fen == scheme.amount_per_person_fen * population.people
    assert all(line.amount_fen > 0 for line in plan.lines)
    # the share's per-year totals (its own payer + the sub-share) follow the share's schedule
    share_total = plan.total_by(payer="payer-k") + plan.total_by(payer="payer-t")
    for year in YEARS:
        in_year = plan.total_by(payer="payer-k", year=year) + plan.total_by(payer="payer-t", year=year)
        exact = share_total * share.schedule[year] / sum(share.schedule.values())  # type: ignore[index]
        assert abs(in_year - exact) < 1


@settings(max_examples=200, deadline=None)
@given(
    amounts=st.fixed_dictionaries({c: st.integers(0, 10**9) for c in ("city", "province", "county")}),
    categories=st.lists(st.sampled_from(["city", "province", "county", None]), max_size=80),
)
def test_random_village_grants_add_up(amounts: dict[str, int], categories: list[str | None]) -> None:
    scheme = VillageGrantScheme("g", "g", 2018, "payer", "pool", amounts)
    villages = tuple(VillageRef(f"35052410{i:04d}", c) for i, c in enumerate(categories))

    plan = apply_scheme(scheme, Population("350500000000", villages=villages))

    assert plan.total_fen == sum(amounts[c] for c in categories if c is not None)
    assert sum(line.amount_fen for line in plan.lines) == plan.total_fen


def test_one_person_town_share_is_1200_of_kaipings_4000_scheduled_450_450_300() -> None:
    """Seed 004 §四(一): 三年人均共负责筹集1200元(占人均三年总数4000元的30%),每年投入标准分别为:
    人均450元、450元、300元; Kaiping's 4,000 is 20,000 × 2/10, scheduled 1,500 / 1,500 / 1,000."""
    one = Population(CHISHUI, (HouseholdRef("hh-one", 1, KEY, "440783105201"),), payers=CHISHUI_PAYS)
    plan = apply_scheme(KAIPING_PER_CAPITA, one)

    def paid(payer: str, year: int | None) -> int:
        return sum(line.amount_fen for line in plan.lines if line.payer == payer and line.year == year)

    town = [paid("chishui-town-finance", y) for y in (2016, 2017, 2018)]
    city = [paid("kaiping-finance", y) for y in (2016, 2017, 2018)]
    assert town == [45_000, 45_000, 30_000]  # 450 + 450 + 300 yuan, in fen
    assert sum(town) == 120_000 == 400_000 * 3_000 // 10_000  # 1,200 yuan = 30% of 4,000 yuan
    assert [t + c for t, c in zip(town, city, strict=True)] == [150_000, 150_000, 100_000]
    assert sum(town) + sum(city) == 400_000 == 2_000_000 * 2 // 10  # Kaiping's 2 of 8:2
    assert paid("jiangmen-poverty-fund", None) == 1_600_000  # Jiangmen's 8: 16,000 yuan over the period
    assert plan.total_fen == 2_000_000  # 不少于2万元 per person over 3 years, planned at the minimum
