"""How registry events move a beneficiary in the funds projection.

Funds knows households only through registry events: ids, area, member ids and counts, status.
Never resident ID numbers. A household's status decides whether money may go to it.
"""

from __future__ import annotations

from datetime import date

__all__ = ["PAYABLE_HOUSEHOLD_STATUSES", "STATUS_AFTER_EVENT", "counts_in_population", "is_payable"]

# The status each registry event leaves a household in (updated.v1 carries its own status).
STATUS_AFTER_EVENT = {
    "registry.household.registered.v1": "registered",
    "registry.household.exited.v1": "exited",
    "registry.household.relapsed.v1": "registered",
    "registry.household.removed.v1": "removed",
}

# A household being verified for exit is still registered (and still planned for).
PAYABLE_HOUSEHOLD_STATUSES = frozenset({"registered", "exit_requested"})


def counts_in_population(
    status: str, *, policies_kept_until: date | None = None, first_year: int | None = None
) -> bool:
    """Per-capita plans count registered households; an exited one keeps what was planned for it
    while its policies last (脱贫不脱政策): a plan whose years start after the household's keep period
    ended (the date registry set from its exit, carried in the exited event) no longer counts it.
    Without a year (village and fixed schemes, projection bookkeeping) an exited household counts."""
    if status in PAYABLE_HOUSEHOLD_STATUSES:
        return True
    if status != "exited":
        return False
    if first_year is None:
        return True
    return policies_kept_until is not None and policies_kept_until >= date(first_year, 1, 1)


def is_payable(status: str | None, *, policies_kept_until: date | None, on: date) -> bool:
    """Registered households may be paid; exited ones only while they keep their policies."""
    if status in PAYABLE_HOUSEHOLD_STATUSES:
        return True
    if status == "exited":
        return policies_kept_until is not None and on <= policies_kept_until
    return False
