"""Area-code arithmetic the inspection rules need (12-digit statistical division codes).

A subtree is a code prefix: province 2 digits, city 4, county 6, township 9, village 12.
Kept here, pure, so rules stay free of I/O; ``shared.areas`` offers the same for routers.
"""

from __future__ import annotations

from typing import Literal

__all__ = ["LEVELS", "PREFIX_LENGTH", "Level", "ancestor", "is_within", "level_of", "prefix_of"]

Level = Literal["province", "city", "county", "township", "village"]
LEVELS: tuple[Level, ...] = ("province", "city", "county", "township", "village")
PREFIX_LENGTH: dict[Level, int] = {"province": 2, "city": 4, "county": 6, "township": 9, "village": 12}


def _check(code: str) -> None:
    if len(code) != 12 or not code.isdigit():
        raise ValueError(f"area code must be 12 digits, got {code!r}")


def level_of(code: str) -> Level:
    """The level a code names: trailing zero groups tell it (440783101000 is a township)."""
    _check(code)
    for level in reversed(LEVELS):
        length = PREFIX_LENGTH[level]
        parent_length = PREFIX_LENGTH[LEVELS[LEVELS.index(level) - 1]] if level != "province" else 0
        if set(code[length:]) <= {"0"} and set(code[parent_length:length]) != {"0"}:
            return level
    return "province"


def prefix_of(code: str) -> str:
    return code[: PREFIX_LENGTH[level_of(code)]]


def ancestor(code: str, level: Level) -> str:
    """The 12-digit code of ``code``'s ancestor (or itself) at ``level``."""
    _check(code)
    length = PREFIX_LENGTH[level]
    return code[:length] + "0" * (12 - length)


def is_within(code: str, prefix: str) -> bool:
    """Is ``code`` inside the subtree ``prefix`` (a code prefix, "" = the whole country)?"""
    return code.startswith(prefix)
