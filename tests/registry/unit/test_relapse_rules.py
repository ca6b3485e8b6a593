import pytest

from services.registry.errors import RelapseStepNotYours, RelapseStepOutOfOrder
from services.registry.policies.presets import PRESETS
from services.registry.policies.rules import resolve_policy
from services.registry.relapses.rules import check_step, next_step, plan_year_after

CHAIN = resolve_policy(list(PRESETS), area_code="440783101201", year=2017).relapse_chain
REGISTRAR, APPROVER = frozenset({"registrar"}), frozenset({"approver"})


def test_the_kaiping_chain_in_order_by_the_right_signers():
    done: list[str] = []
    signers = [(REGISTRAR, "township"), (APPROVER, "township"), (APPROVER, "county"), (APPROVER, "city")]
    for roles, level in signers:
        step = next_step(CHAIN, done)
        assert step is not None
        assert check_step(CHAIN, done, step_code=step.code, roles=roles, signer_level=level) == step
        done.append(step.code)
    assert done == ["town_recognition", "town_application", "city_review", "higher_approval"]
    assert next_step(CHAIN, done) is None
    with pytest.raises(RelapseStepOutOfOrder):
        check_step(CHAIN, done, step_code="higher_approval", roles=APPROVER, signer_level="city")


def test_skipping_a_step_is_refused_with_409():
    with pytest.raises(RelapseStepOutOfOrder) as err:
        check_step(CHAIN, [], step_code="city_review", roles=APPROVER, signer_level="county")
    assert err.value.status == 409
    assert err.value.extensions["next_step"] == "town_recognition"


def test_wrong_role_is_refused_with_403():
    with pytest.raises(RelapseStepNotYours) as err:
        check_step(
            CHAIN,
            ["town_recognition"],
            step_code="town_application",
            roles=REGISTRAR,
            signer_level="township",
        )
    assert err.value.status == 403
    assert err.value.extensions["required_role"] == "approver"


def test_right_role_at_the_wrong_level_is_refused_with_403():
    with pytest.raises(RelapseStepNotYours) as err:
        check_step(
            CHAIN,
            ["town_recognition", "town_application"],
            step_code="city_review",
            roles=APPROVER,
            signer_level="township",
        )
    assert err.value.extensions["required_level"] == "county"


def test_the_household_enters_next_years_plan():
    assert plan_year_after(2017) == 2018
