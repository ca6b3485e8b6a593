"""12-digit statistical division codes: 2 province + 2 city + 2 county + 3 township + 3 village.

A subtree is a code prefix, so "everything under this county" is a prefix match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["LEVEL_PREFIX_LENGTH", "LEVEL_ZH", "AreaCode", "AreaLevel", "InvalidAreaCode"]


class InvalidAreaCode(ValueError):
    """``zh``: the same in Chinese, as a clerk reads it."""

    def __init__(self, message: str, zh: str | None = None) -> None:
        super().__init__(message)
        self.zh = zh or message


class AreaLevel(StrEnum):
    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"
    TOWNSHIP = "township"
    VILLAGE = "village"


# Each level as a clerk names it (省/市/县/乡镇/村), keyed by its code.
LEVEL_ZH: dict[str, str] = {
    "province": "省", "city": "市", "county": "县", "township": "乡镇", "village": "村"
}

LEVEL_PREFIX_LENGTH: dict[AreaLevel, int] = {
    AreaLevel.PROVINCE: 2,
    AreaLevel.CITY: 4,
    AreaLevel.COUNTY: 6,
    AreaLevel.TOWNSHIP: 9,
    AreaLevel.VILLAGE: 12,
}
_ORDER = list(LEVEL_PREFIX_LENGTH)
_CODE = re.compile(r"^[0-9]{12}$")


@dataclass(frozen=True, slots=True)
class AreaCode:
    code: str

    @classmethod
    def parse(cls, code: str) -> AreaCode:
        code = (code or "").strip()
        if len(code) in (2, 4, 6, 9) and code.isascii() and code.isdigit():
            code = code.ljust(12, "0")  # a bare prefix names the area it is the prefix of
        if not _CODE.match(code):
            raise InvalidAreaCode(
                f"'{code}' is not a 12-digit administrative division code",
                f"“{code}”不是12位的行政区划代码",
            )
        if code[:2] == "00":
            raise InvalidAreaCode(f"'{code}' has no province part", f"“{code}”缺少省级部分（前两位不能为00）")
        return cls(code)

    @property
    def level(self) -> AreaLevel:
        c = self.code
        if c[2:] == "0" * 10:
            return AreaLevel.PROVINCE
        if c[4:] == "0" * 8:
            return AreaLevel.CITY
        if c[6:] == "0" * 6:
            return AreaLevel.COUNTY
        if c[9:] == "000":
            return AreaLevel.TOWNSHIP
        return AreaLevel.VILLAGE

    @property
    def prefix(self) -> str:
        """The subtree prefix: every code under this area starts with it."""
        return self.code[: LEVEL_PREFIX_LENGTH[self.level]]

    @property
    def parent(self) -> AreaCode | None:
        idx = _ORDER.index(self.level)
        if idx == 0:
            return None
        keep = LEVEL_PREFIX_LENGTH[_ORDER[idx - 1]]
        return AreaCode(self.code[:keep].ljust(12, "0"))

    def ancestors(self) -> list[AreaCode]:
        """From the province down to (and including) this area."""
        chain: list[AreaCode] = []
        node: AreaCode | None = self
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))

    def is_within(self, prefix: str) -> bool:
        return self.code.startswith(prefix)

    def __str__(self) -> str:
        return self.code
