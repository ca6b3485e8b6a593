from services.inspection.places import ancestor


def test_ancestor_at_every_level():
    village = "440783101203"
    assert ancestor(village, "village") == village
    assert ancestor(village, "township") == "440783101000"
    assert ancestor(village, "county") == "440783000000"
    assert ancestor(village, "city") == "440700000000"
    assert ancestor(village, "province") == "440000000000"
