"""Area-code helpers beyond ``shared.areas``: ancestors for the sign-off, 422s for bad input."""

from __future__ import annotations

from services.inspection.errors import UnknownAreaCode
from shared.areas import LEVEL_PREFIX_LENGTH, AreaCode, AreaLevel, InvalidAreaCode

__all__ = ["ancestor", "parse_area"]


def ancestor(code: str, level: str) -> str:
    """The 12-digit code of ``code``'s ancestor (or itself) at ``level``: 620521101203, county
    -> 620521000000."""
    return AreaCode.parse(code).code[: LEVEL_PREFIX_LENGTH[AreaLevel(level)]].ljust(12, "0")


def parse_area(code: str) -> AreaCode:
    """A caller-supplied area code, or the 422 that says why it is not one."""
    try:
        return AreaCode.parse(code)
    except InvalidAreaCode as exc:
        raise UnknownAreaCode(str(exc), detail_zh=exc.zh, area_code=code) from None
