"""An administrator's versioned overrides on top of the seeds' presets."""

from __future__ import annotations

from datetime import date

from services.pairing.policies.rules import PolicyOverride, effective_policy

KAIPING_VILLAGE = "440783101203"


def test_without_overrides_the_preset_applies() -> None:
    policy = effective_policy(KAIPING_VILLAGE, [], on=date(2026, 11, 22))
    assert (policy.name, policy.cadre_household_cap, policy.visit_interval_days) == ("kaiping", 5, 30)
    assert policy.volunteer_team_min_party_members == 10


def test_the_most_specific_and_newest_override_wins_from_its_first_day() -> None:
    overrides = [
        PolicyOverride("44", date(2026, 1, 1), cadre_household_cap=8, visit_interval_days=60),
        PolicyOverride("440783", date(2026, 6, 1), cadre_household_cap=6),
        PolicyOverride("440783", date(2026, 12, 1), cadre_household_cap=4),
        PolicyOverride("350502", date(2020, 1, 1), cadre_household_cap=2),  # another place
    ]
    on_nov = effective_policy(KAIPING_VILLAGE, overrides, on=date(2026, 11, 30))
    assert (on_nov.cadre_household_cap, on_nov.visit_interval_days) == (6, 60)
    on_dec = effective_policy(KAIPING_VILLAGE, overrides, on=date(2026, 12, 1))
    assert on_dec.cadre_household_cap == 4
    before = effective_policy(KAIPING_VILLAGE, overrides, on=date(2025, 12, 31))
    assert before.cadre_household_cap == 5
    # fields the override leaves empty keep the preset's value
    assert on_dec.enterprise_target_must_be_old_area is True
