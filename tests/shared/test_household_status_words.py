"""A household reads the same in every service: the registry's answer (status_label), pairing's
household answers (status_label) and refusals, and the finding inspection writes from a signal all
say its status in the registry's words (建档立卡, 拟识别, 已脱贫退出 …)."""

from __future__ import annotations

import pytest

from services.inspection.signals.rules import describe
from services.pairing.vocabulary import HOUSEHOLD_STATUSES
from services.registry.vocabulary import HouseholdStatus


@pytest.mark.parametrize("status", list(HouseholdStatus))
def test_each_status_reads_as_the_registry_words_it_in_pairing_and_inspection(
    status: HouseholdStatus,
) -> None:
    assert HOUSEHOLD_STATUSES[status.value] == status.label
    assert describe({"status": status.value}) == f"户状态：{status.label}"


def test_the_words_inspection_and_pairing_used_to_say_otherwise() -> None:
    assert describe({"status": "registered"}) == "户状态：已建档立卡"  # was 已登记
    assert describe({"status": "candidate"}) == "户状态：拟识别"  # was 待识别
    assert describe({"status": "exited"}) == "户状态：已脱贫退出"  # was 已退出
