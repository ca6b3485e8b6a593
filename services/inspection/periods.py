"""Parts of a reporting year (a bulletin's month, a progress report's quarter): checked the same way
and counted in whole months, so a twelfth and a quarter share one piece of arithmetic."""

from __future__ import annotations

from datetime import date

from shared.errors import InvalidInput

__all__ = ["year_part"]

FIRST_YEAR, LAST_YEAR = 2000, 2100


def year_part(
    year: int, part: int, *, per_year: int, name: str, name_zh: str, what: str
) -> tuple[date, date]:
    """First day of ``part`` (1..``per_year``) of ``year`` and first day of the next part (half-open).
    A year outside 2000-2100 or a part outside the year is refused as "A <what> is a year ... and a
    <name> 1-<per_year>." (``name`` also keys the part in the problem)."""
    if not 1 <= part <= per_year or not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidInput(
            f"A {what} is a year {FIRST_YEAR}-{LAST_YEAR} and a {name} 1-{per_year}.",
            detail_zh=f"年度应在{FIRST_YEAR}至{LAST_YEAR}之间，{name_zh}应为1至{per_year}",
            year=year,
            **{name: part},
        )
    months = 12 // per_year
    first_month = (part - 1) * months + 1
    next_month = first_month + months  # 13: January of the next year
    return date(year, first_month, 1), date(year + (next_month > 12), (next_month - 1) % 12 + 1, 1)
