"""The one piece of area arithmetic the sign-off needs beyond ``shared.areas``."""

from __future__ import annotations

from shared.areas import LEVEL_PREFIX_LENGTH, AreaCode, AreaLevel

__all__ = ["ancestor"]


def ancestor(code: str, level: str) -> str:
    """The 12-digit code of ``code``'s ancestor (or itself) at ``level``: 620521101203, county
    -> 620521000000."""
    return AreaCode.parse(code).code[: LEVEL_PREFIX_LENGTH[AreaLevel(level)]].ljust(12, "0")
