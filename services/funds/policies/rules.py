"""Which versioned policy record answers for an area and a year (pure; no I/O).

A record covers the areas under its ``area_prefix`` for the years ``from_year`` .. ``to_year``
(inclusive; None: until replaced). Where several cover, the most specific area wins, and within one
area the newest version: an older version still answers for the years before the newer one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

__all__ = ["VersionedRecord", "covers", "most_specific"]


@dataclass(frozen=True, kw_only=True)
class VersionedRecord:
    """What every policy record carries besides its numbers: which record (``code``, ``version``),
    for which areas (``area_prefix``: the subtree, "62" Gansu, "440783" Kaiping) and years, and the
    clause it comes from (``source``). Subclasses add the numbers."""

    code: str
    version: int
    area_prefix: str
    from_year: int
    to_year: int | None  # inclusive; None: until replaced
    source: str = ""


R = TypeVar("R", bound=VersionedRecord)


def covers(record: VersionedRecord, *, area_code: str, year: int) -> bool:
    """The record applies to this area (its subtree) in this year."""
    if not area_code.startswith(record.area_prefix) or year < record.from_year:
        return False
    return record.to_year is None or year <= record.to_year


def most_specific(records: Iterable[R], *, area_code: str, year: int) -> R | None:
    """The most specific area's newest version covering the year; None where no record does."""
    best: R | None = None
    for r in records:
        if not covers(r, area_code=area_code, year=year):
            continue
        if best is None or (len(r.area_prefix), r.version) > (len(best.area_prefix), best.version):
            best = r
    return best
