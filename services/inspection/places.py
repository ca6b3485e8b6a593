"""Area-code helpers beyond ``shared.areas``: ancestors for the sign-off, 422s for bad input."""

from __future__ import annotations

from shared.areas import LEVEL_PREFIX_LENGTH, AreaCode, AreaLevel, InvalidAreaCode
from shared.errors import InvalidInput

__all__ = ["UnknownAreaCode", "ancestor", "parse_area"]


def ancestor(code: str, level: str) -> str:
    """The 12-digit code of ``code``'s ancestor (or itself) at ``level``: 620521101203, county
    -> 620521000000."""
    return AreaCode.parse(code).code[: LEVEL_PREFIX_LENGTH[AreaLevel(level)]].ljust(12, "0")


class UnknownAreaCode(InvalidInput):
    type_slug = "invalid-area-code"
    title = "Not an administrative division code"
    title_zh = "不是行政区划代码"
    hint_zh = "填写12位的行政区划代码"
    hint_en = "Give a 12-digit division code"


def parse_area(code: str) -> AreaCode:
    """A caller-supplied area code, or the 422 that says why it is not one."""
    try:
        return AreaCode.parse(code)
    except InvalidAreaCode as exc:
        raise UnknownAreaCode(str(exc), area_code=code) from None
