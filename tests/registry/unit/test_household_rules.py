from datetime import date, timedelta
from uuid import uuid4

import pytest

from services.registry.errors import BatchNotInPolicy, HouseholdChangeRefused, InvalidMember
from services.registry.households.rules import (
    MemberFacts,
    age_on,
    born_between,
    check_batches,
    check_head_change,
    check_member_identity,
    check_removal,
    check_split,
    transfer_employment_fits,
)
from services.registry.policies.presets import BATCH_SETS
from services.registry.vocabulary import LabourCapacity, Relation
from shared.resident_id import make

TODAY = date(2017, 6, 1)
BORN = date(1980, 2, 29)
MALE_ID = make("440783", BORN, 11, sex="male")


def test_a_valid_id_with_matching_birth_date_and_sex_passes():
    parsed = check_member_identity(MALE_ID, birth_date=BORN, sex="male", today=TODAY)
    assert parsed.birth_date == BORN
    assert parsed.sex == "male"


def test_a_wrong_check_digit_is_refused():
    wrong = MALE_ID[:17] + ("0" if MALE_ID[17] != "0" else "1")
    with pytest.raises(InvalidMember) as err:
        check_member_identity(wrong, birth_date=None, sex=None, today=TODAY)
    assert err.value.status == 422
    assert err.value.extensions["field"] == "resident_id"


def test_an_x_check_character_is_accepted_in_either_case():
    # find a synthetic ID whose check character is X
    number = next(n for n in (make("350524", date(1975, 5, 5), s) for s in range(1000)) if n.endswith("X"))
    assert check_member_identity(number.lower(), birth_date=None, sex=None, today=TODAY).number == number


@pytest.mark.parametrize(
    "bad", ["", "12345", "44078319800229001", "4407831980022900AB", "440783198002300011"]
)
def test_malformed_ids_are_refused(bad):
    with pytest.raises(InvalidMember):
        check_member_identity(bad, birth_date=None, sex=None, today=TODAY)


def test_a_birth_date_in_the_future_is_refused():
    future = make("440783", date(2018, 1, 1), 11)
    with pytest.raises(InvalidMember):
        check_member_identity(future, birth_date=None, sex=None, today=TODAY)


def test_birth_date_disagreeing_with_the_id_is_refused():
    with pytest.raises(InvalidMember) as err:
        check_member_identity(MALE_ID, birth_date=date(1980, 3, 1), sex="male", today=TODAY)
    assert err.value.extensions["field"] == "birth_date"


def test_sex_disagreeing_with_the_id_is_refused():
    with pytest.raises(InvalidMember) as err:
        check_member_identity(MALE_ID, birth_date=BORN, sex="female", today=TODAY)
    assert err.value.extensions["field"] == "sex"


def test_batches_must_come_from_the_policy_set():
    kaiping = BATCH_SETS["kaiping_three"]
    assert check_batches(
        ["education", "education", "dibao_floor"], allowed=kaiping, batch_set="kaiping_three"
    ) == [
        "education",
        "dibao_floor",
    ]
    with pytest.raises(BatchNotInPolicy) as err:
        check_batches(["relocation"], allowed=kaiping, batch_set="kaiping_three")
    assert err.value.status == 422


def test_age_counts_birthdays_including_leap_days():
    assert age_on(BORN, date(2018, 2, 28)) == 37
    assert age_on(BORN, date(2018, 3, 1)) == 38


def member(relation=Relation.OTHER, born=date(1990, 1, 1), labour=LabourCapacity.FULL, **kw):
    return MemberFacts(id=uuid4(), relation=relation, birth_date=born, labour_capacity=labour, **kw)


@pytest.mark.parametrize(
    ("born", "labour", "in_school", "work", "fits"),
    [
        (date(1999, 6, 1), LabourCapacity.FULL, False, True, True),  # 18 today
        (date(1999, 6, 2), LabourCapacity.FULL, False, True, False),  # 18 tomorrow
        (date(1956, 6, 2), LabourCapacity.FULL, False, True, True),  # 60
        (date(1956, 6, 1), LabourCapacity.FULL, False, True, False),  # 61 today
        (date(1980, 1, 1), LabourCapacity.NONE, False, True, False),
        (date(1980, 1, 1), LabourCapacity.PARTIAL, True, True, False),
        (date(1980, 1, 1), LabourCapacity.PARTIAL, False, False, False),
    ],
)
def test_gansu_transfer_employment_batch(born, labour, in_school, work, fits):
    m = member(born=born, labour=labour, in_school=in_school, has_work_info=work)
    assert transfer_employment_fits(m, on=date(2017, 6, 1)) is fits


@pytest.mark.parametrize("on", [date(2018, 6, 1), date(2020, 2, 29), date(2019, 2, 28), date(2019, 3, 1)])
def test_the_birth_date_window_of_the_figure_is_the_age_rule_of_one_member(on):
    """The SQL filter (born after, born on or before) counts exactly whom transfer_employment_fits
    counts, 29 February included."""
    born_after, born_by = born_between(on)
    day = date(1955, 1, 1)
    while day <= date(2003, 12, 31):
        fits = transfer_employment_fits(member(born=day, has_work_info=True), on=on)
        assert (born_after < day <= born_by) is fits, day
        day += timedelta(days=1)


def test_the_head_cannot_leave_while_others_remain_and_the_last_member_cannot_leave():
    head, child = member(Relation.HEAD), member(Relation.CHILD)
    with pytest.raises(HouseholdChangeRefused, match="change the head first"):
        check_removal([head, child], head.id)
    check_removal([head, child], child.id)
    with pytest.raises(HouseholdChangeRefused, match="last member"):
        check_removal([head], head.id)
    with pytest.raises(HouseholdChangeRefused):
        check_removal([head, child], uuid4())


def test_head_change_needs_another_active_member():
    head, spouse = member(Relation.HEAD), member(Relation.SPOUSE)
    assert check_head_change([head, spouse], spouse.id) == head
    with pytest.raises(HouseholdChangeRefused):
        check_head_change([head, spouse], head.id)
    with pytest.raises(HouseholdChangeRefused):
        check_head_change([head, spouse], uuid4())


def test_split_rules():
    head, son, daughter_in_law = member(Relation.HEAD), member(Relation.CHILD), member(Relation.CHILD_IN_LAW)
    family = [head, son, daughter_in_law]
    check_split(family, [son.id, daughter_in_law.id], new_head_id=son.id, remaining_head_id=None)
    with pytest.raises(HouseholdChangeRefused, match="at least one member"):
        check_split(family, [m.id for m in family], new_head_id=son.id, remaining_head_id=None)
    with pytest.raises(HouseholdChangeRefused, match="one of the members who move"):
        check_split(family, [son.id], new_head_id=daughter_in_law.id, remaining_head_id=None)
    with pytest.raises(HouseholdChangeRefused, match="name a remaining member"):
        check_split(family, [head.id], new_head_id=head.id, remaining_head_id=None)
    check_split(family, [head.id], new_head_id=head.id, remaining_head_id=son.id)
