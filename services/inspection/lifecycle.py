"""The shape complaints and findings share: a status table walked by actions, and a deadline a
grade (urgency, severity) sets from the policy's days. Each keeps its own words: the messages are
data, formatted with ``{status}``/``{action}`` (a refused step; in Chinese their labels, as the
clerk's screen shows them); an unknown grade is told in the grade list's own words (its ``Choice``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta

from shared.errors import DomainError
from shared.vocabulary import Choice

__all__ = ["Lifecycle"]


@dataclass(frozen=True)
class Lifecycle:
    transitions: Mapping[tuple[str, str], str]  # (status, action) -> the status it leads to
    refused: type[DomainError]
    refused_en: str
    refused_zh: str
    grade: Choice  # urgency, severity: the list a deadline's days are set by
    status_zh: Mapping[str, str]  # the statuses' Chinese labels (the service's vocabulary)
    action_zh: Mapping[str, str]  # the actions as the screen's buttons say them

    def next_status(self, status: str, action: str) -> str:
        try:
            return self.transitions[(status, action)]
        except KeyError:
            raise self.refused(
                self.refused_en.format(status=status, action=action),
                detail_zh=self.refused_zh.format(
                    status=self.status_zh.get(status, status), action=self.action_zh.get(action, action)
                ),
                current_status=status,
                action=action,
            ) from None

    def deadline_for(self, start: date, grade: str, days_by_grade: Mapping[str, int]) -> date:
        # a grade the policy gives no days for is unknown here, whatever the list holds
        replace(self.grade, allowed=sorted(days_by_grade)).check(grade)
        return start + timedelta(days=days_by_grade[grade])
