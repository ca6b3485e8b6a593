"""A Choice of a code list: a code of the list passes; anything else is refused (422) in both
languages, with the list's codes in ``allowed`` so a form can offer them."""

from __future__ import annotations

import pytest

from services.inspection.findings import rules as finding_rules
from services.inspection.sampling import rules as sampling_rules
from shared.errors import InvalidInput
from shared.vocabulary import Choice, CodeList

SEVERITIES = CodeList("severity", "问题严重程度", {"high": "严重", "medium": "较重", "low": "一般"})
SEVERITY = Choice(SEVERITIES, "severity", "严重程度“{value}”不对，应为严重、较重或一般")


def test_a_code_of_the_list_passes() -> None:
    for code in SEVERITIES:
        SEVERITY.check(code)


def test_a_value_off_the_list_is_refused_with_the_codes_to_choose_from() -> None:
    with pytest.raises(InvalidInput) as refused:
        SEVERITY.check("urgent")
    assert refused.value.status == 422
    assert refused.value.detail == "Unknown severity 'urgent'."
    assert refused.value.detail_zh == "严重程度“urgent”不对，应为严重、较重或一般"
    assert refused.value.extensions == {"allowed": ["high", "medium", "low"]}


def test_the_services_choices_check_their_vocabulary_lists() -> None:
    with pytest.raises(InvalidInput) as refused:
        sampling_rules.VERDICT.check("wrong")
    assert refused.value.extensions == {"allowed": ["correct", "wrongly_exited"]}
    assert refused.value.detail_zh == "评估结论“wrong”不对，应为退出准确或错退"
    assert len(finding_rules.CATEGORY.allowed) == 9
