"""A value that must be one of a closed list (a category, a severity, a verdict): 422 otherwise,
with the list in ``allowed`` so a form can offer it. The list and its wording live together in the
sub-domain's rules:

    CATEGORY = Choice(CATEGORIES, "category", "问题类别“{value}”不对，请从问题类别中选择")
    rules.CATEGORY.check(data.category)
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from shared.errors import InvalidInput

__all__ = ["Choice", "check_choice"]


def check_choice(value: str, allowed: Collection[str], *, what: str, detail_zh: str) -> None:
    """Refuse ``value`` unless it is in ``allowed``: "Unknown <what> '<value>'." and ``detail_zh``
    (the Chinese sentence naming the value and the right choices)."""
    if value not in allowed:
        raise InvalidInput(f"Unknown {what} {value!r}.", detail_zh=detail_zh, allowed=list(allowed))


@dataclass(frozen=True)
class Choice:
    """A closed list with its wording: ``what`` names it in English, ``detail_zh`` is the Chinese
    sentence, ``{value}`` standing for the value given."""

    allowed: tuple[str, ...]
    what: str
    detail_zh: str

    def check(self, value: str) -> None:
        check_choice(value, self.allowed, what=self.what, detail_zh=self.detail_zh.format(value=value))
