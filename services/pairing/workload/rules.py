"""A cadre's workload and record. Pure functions."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date

__all__ = ["month_keys", "visits_per_month"]


def month_keys(today: date, months: int) -> list[str]:
    """The last ``months`` calendar months ending with today's, oldest first ("2026-09")."""
    keys = []
    year, month = today.year, today.month
    for _ in range(months):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return keys[::-1]


def visits_per_month(visit_dates: Iterable[date], *, today: date, months: int = 6) -> dict[str, int]:
    """Visits counted per month, with zero for months without any (a gap must show)."""
    counts = Counter(f"{d.year:04d}-{d.month:02d}" for d in visit_dates)
    return {key: counts.get(key, 0) for key in month_keys(today, months)}
