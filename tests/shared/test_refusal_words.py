"""A model validator's refusal reads in the caller's language (shared.labels.refusal)."""

from __future__ import annotations

from typing import Self

import pytest
from pydantic import BaseModel, ValidationError, model_validator

from shared.labels import COMMON, describe_errors, refusal


class Move(BaseModel):
    reason: str
    note: str | None = None

    @model_validator(mode="after")
    def _other_needs_a_note(self) -> Self:
        if self.reason == "other" and not self.note:
            raise refusal("a move for another reason needs a note {saying} what it is", "须写明原因")
        return self


def _refused() -> list[dict[str, object]]:
    with pytest.raises(ValidationError) as refused:
        Move(reason="other")
    return list(refused.value.errors())  # type: ignore[arg-type]


def test_the_clerk_reads_chinese_and_english_callers_english() -> None:
    [zh] = describe_errors(_refused(), COMMON, "zh")  # type: ignore[arg-type]
    [en] = describe_errors(_refused(), COMMON, "en")  # type: ignore[arg-type]

    assert zh["message"].endswith("取值不对：须写明原因")
    assert "move" not in zh["message"]
    assert en["message"] == "a move for another reason needs a note {saying} what it is"  # braces kept
