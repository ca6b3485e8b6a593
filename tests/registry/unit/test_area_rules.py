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
