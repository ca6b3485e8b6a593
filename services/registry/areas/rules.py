"""Pure checks for a bulk load of the area tree."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from services.registry.policies.rules import PairingVillageQuota
from shared.areas import AreaCode, InvalidAreaCode

__all__ = ["DISPATCH_LEVEL_ZH", "over_quota", "tree_problems"]

DISPATCH_LEVEL_ZH = {"city": "市派", "province": "省派", "county": "县派"}


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


def over_quota(
    quota: PairingVillageQuota, marked: Iterable[str], load: Mapping[str, str | None]
) -> list[str]:
    """The villages marked at the quota's level under its prefix once ``load`` (code -> dispatch
    level) is stored over the ``marked`` ones, when there are more than the quota allows; else []."""
    kept = {c for c in marked if c not in load}
    loaded = {
        c for c, level in load.items() if level == quota.dispatch_level and c.startswith(quota.area_prefix)
    }
    after = kept | loaded
    return sorted(after) if len(after) > quota.max_villages else []
