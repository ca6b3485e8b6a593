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


def counts_in_population(status: str) -> bool:
    """Per-capita plans count registered households; an exited one keeps what was planned for it
    while its policies last (脱贫不脱政策), which the plan keeps by not dropping exited households."""
    return status in PAYABLE_HOUSEHOLD_STATUSES or status == "exited"


def is_payable(status: str | None, *, policies_kept_until: date | None, on: date) -> bool:
    """Registered households may be paid; exited ones only while they keep their policies."""
    if status in PAYABLE_HOUSEHOLD_STATUSES:
        return True
    if status == "exited":
        return policies_kept_until is not None and on <= policies_kept_until
    return False
