from services.registry.areas.reference import CHISHUI_KEY_VILLAGES, QUANZHOU_VILLAGES, reference_areas
from services.registry.areas.rules import tree_problems


def test_a_tree_needs_every_parent():
    assert tree_problems(["440000000000", "440700000000"], set()) == []
    assert tree_problems(["440783000000"], {"440700000000"}) == []
    assert tree_problems(["440783000000"], set()) == [
        "440783000000: parent 440700000000 is neither known nor in this load"
    ]
    assert "12-digit" in tree_problems(["abc"], set())[0]


def test_the_reference_places_form_a_whole_tree_with_the_seeds_numbers():
    areas = reference_areas()
    assert tree_problems([a.code for a in areas], set()) == []
    assert list(CHISHUI_KEY_VILLAGES.values()) == [
        "步栏村",
        "林屋村",
        "三合村",
        "长塘村",
        "松南村",
        "高龙村",
        "高山村",
    ]
    levels = [level for _, level, _ in QUANZHOU_VILLAGES.values()]
    assert (levels.count("city"), levels.count("province"), levels.count("county")) == (28, 2, 2)
    codes = {a.code for a in areas}
    for county in (
        "350421",
        "350424",
        "350721",
        "350723",
        "350725",
        "350821",
        "350922",
    ):  # mountain-sea partners
        assert f"{county}000000" in codes
    assert all(a.synthetic_code for a in areas if a.code[6:] != "000000")


def test_quanzhou_city_dispatches_28_pairing_villages_and_a_29th_is_over_the_quota():
    # Seed 002 §十一: 对第五轮全省整村推进帮扶工作中的市派28个帮扶村每村给予50万元的资金扶持
    from services.registry.areas.rules import over_quota
    from services.registry.policies.presets import PAIRING_VILLAGE_QUOTAS

    (quota,) = PAIRING_VILLAGE_QUOTAS
    assert (quota.area_prefix, quota.dispatch_level, quota.max_villages) == ("3505", "city", 28)
    marked = {f"350524101{200 + n:03d}" for n in range(1, 29)}
    assert over_quota(quota, marked, {"350524101201": "city"}) == []  # the same 28 again
    assert over_quota(quota, marked, {"350524101300": "province"}) == []
    assert over_quota(quota, marked, {"440783105201": "city"}) == []  # Kaiping is not under it
    assert len(over_quota(quota, marked, {"350524101300": "city"})) == 29
    # one of the 28 changed to province-dispatched in the same load makes room for the new one
    assert over_quota(quota, marked, {"350524101201": "province", "350524101300": "city"}) == []
