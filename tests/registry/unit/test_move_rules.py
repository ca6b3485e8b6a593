from datetime import date

import pytest

from services.registry.errors import HouseholdChangeRefused
from services.registry.households.rules import MOVABLE_STATUSES, check_move
from services.registry.vocabulary import HouseholdStatus
from shared.errors import InvalidInput

TODAY = date(2026, 11, 26)
HERE, THERE = "440783101201", "440783102201"


def move(**over):  # type: ignore[no-untyped-def]
    args = {
        "status": HouseholdStatus.REGISTERED,
        "from_area": HERE,
        "to_area": THERE,
        "to_level": "village",
        "moved_on": TODAY,
        "today": TODAY,
    }
    check_move(**(args | over))


@pytest.mark.parametrize("status", sorted(MOVABLE_STATUSES))
def test_candidates_registered_and_exited_households_may_move(status):
    move(status=status)


@pytest.mark.parametrize("status", sorted(set(HouseholdStatus) - MOVABLE_STATUSES))
def test_other_statuses_are_refused_with_the_reason(status):
    with pytest.raises(HouseholdChangeRefused) as exc:
        move(status=status)
    assert exc.value.extensions["reason"] == "status_not_movable"
    assert exc.value.extensions["status"] == status.value


def test_only_a_village_is_a_place_to_live():
    with pytest.raises(InvalidInput):
        move(to_area="440783102000", to_level="township")


def test_a_move_dated_in_the_future_is_malformed_but_today_is_fine():
    with pytest.raises(InvalidInput):
        move(moved_on=date(2026, 11, 27))
    move(moved_on=TODAY)


def test_moving_to_the_same_village_or_with_an_open_relapse_case_is_refused():
    with pytest.raises(HouseholdChangeRefused) as same:
        move(to_area=HERE)
    assert same.value.extensions["reason"] == "same_village"
    with pytest.raises(HouseholdChangeRefused) as relapse:
        move(status=HouseholdStatus.EXITED, relapse_open=True)
    assert relapse.value.extensions["reason"] == "relapse_case_open"
