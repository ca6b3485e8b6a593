"""A value that must be one of a closed list (a category, a severity, a verdict): 422 otherwise,
with the list in ``allowed`` so a form can offer it."""

from __future__ import annotations

from collections.abc import Collection

from shared.errors import InvalidInput

__all__ = ["check_choice"]


def check_choice(value: str, allowed: Collection[str], *, what: str, detail_zh: str) -> None:
    """Refuse ``value`` unless it is in ``allowed``: "Unknown <what> '<value>'." and ``detail_zh``
    (the Chinese sentence naming the value and the right choices)."""
    if value not in allowed:
        raise InvalidInput(f"Unknown {what} {value!r}.", detail_zh=detail_zh, allowed=list(allowed))
