from datetime import date

import pytest

from services.inspection.errors import AreaOutsideScope, InspectionClosed
from services.inspection.inspections.rules import (
    InspectionPlan,
    check_plan,
    ensure_open,
    visible_to_inspected,
)
from shared.errors import InvalidInput

TEAM = ("leader", "npc_deputy")


def plan(**kw) -> InspectionPlan:
    base = dict(
        kind="unannounced",
        starts_on=date(2026, 3, 2),
        ends_on=date(2026, 3, 4),
        target_areas=("440783101203",),
        team_roles=TEAM,
    )
    base.update(kw)
    return InspectionPlan(**base)


def test_a_sound_plan_passes():
    check_plan(plan(), "440783")


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"kind": "surprise"}, "kind"),
        ({"ends_on": date(2026, 3, 1)}, "end before"),
        ({"target_areas": ()}, "target area"),
        ({"team_roles": ("npc_deputy",)}, "leader"),
        ({"team_roles": (*TEAM, "journalist")}, "team roles"),
    ],
)
def test_bad_plans_are_refused(change, needle):
    with pytest.raises(InvalidInput, match=needle):
        check_plan(plan(**change), "440783")


def test_a_target_area_outside_your_own_is_not_found():
    # outside the caller's area is 404 in every service (whether it exists there is not theirs to learn)
    with pytest.raises(AreaOutsideScope, match="inside your own area"):
        check_plan(plan(target_areas=("350502101001",)), "440783")


def test_one_day_inspection_is_allowed():
    check_plan(plan(ends_on=date(2026, 3, 2)), "440783")


def test_unannounced_hidden_from_inspected_until_concluded():
    assert not visible_to_inspected("unannounced", "planned")
    assert visible_to_inspected("unannounced", "concluded")
    assert visible_to_inspected("announced", "planned")


def test_concluded_inspection_is_frozen():
    ensure_open("planned")
    with pytest.raises(InspectionClosed):
        ensure_open("concluded")
