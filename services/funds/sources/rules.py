"""Budget floors of the seeds (Gansu, seed 003), as arithmetic over policy numbers.

以上 / 不低于 include the number, and a floor is met only by the whole fen at or above the exact
share, so floors round up.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.errors import InvalidInput

__all__ = ["BudgetFloorPolicy", "minimum_dividend", "minimum_poverty_budget"]

BASIS_POINTS = 10_000


@dataclass(frozen=True)
class BudgetFloorPolicy:
    share_of_revenue_increase_bp: dict[str, int]  # by level: county, city
    share_of_recovered_idle_funds_bp: int
    minimum_dividend_bp: int


def _ceil_share(amount_fen: int, basis_points: int) -> int:
    return -(-amount_fen * basis_points // BASIS_POINTS)


def minimum_poverty_budget(
    policy: BudgetFloorPolicy, *, level: str, local_revenue_increase_fen: int, recovered_idle_funds_fen: int
) -> int:
    """The least a level must add to its poverty budget this year: a share of the increase in its
    local revenue (none if revenue fell) plus a share of the idle money it recovered."""
    if level not in policy.share_of_revenue_increase_bp:
        raise InvalidInput(f"No budget floor is set for the {level} level", level=level)
    from_revenue = _ceil_share(max(local_revenue_increase_fen, 0), policy.share_of_revenue_increase_bp[level])
    return from_revenue + _ceil_share(
        max(recovered_idle_funds_fen, 0), policy.share_of_recovered_idle_funds_bp
    )


def minimum_dividend(policy: BudgetFloorPolicy, *, loan_fen: int) -> int:
    """Asset-income loans (four-party agreement): the household's yearly dividend floor."""
    return _ceil_share(loan_fen, policy.minimum_dividend_bp)
