"""Pure checks for a bulk load of the area tree."""

from __future__ import annotations

from collections.abc import Iterable

from shared.areas import AreaCode, InvalidAreaCode

__all__ = ["tree_problems"]


def tree_problems(codes: Iterable[str], known: set[str], *, chinese: bool = False) -> list[str]:
    """Each area's parent must already exist or come in the same load (a province has none)."""
    batch = list(codes)
    present = known | set(batch)
    problems: list[str] = []
    for code in batch:
        try:
            parent = AreaCode.parse(code).parent
        except InvalidAreaCode as exc:
            problems.append(f"{code} 不是有效的行政区划代码" if chinese else str(exc))
            continue
        if parent is not None and parent.code not in present:
            problems.append(
                f"{code} 的上级 {parent.code} 既未导入也不在本次导入中"
                if chinese
                else f"{code}: parent {parent.code} is neither known nor in this load"
            )
    return problems
