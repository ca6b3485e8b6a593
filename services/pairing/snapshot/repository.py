"""The snapshot's reads: pairings and visits of an area subtree, in key order.

A visit's free-text ``notes`` stay out (they may name people); kinds, dates, measures and the
household's confirmation are in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from services.pairing.models import Pairing, Visit
from shared.snapshot import subtree

if TYPE_CHECKING:
    from shared.snapshot import AnySelect


# Each section's columns, in line order.
_PAIRING = "id kind helper_id target_type target_id area_code started_on ended_on end_reason"
_VISIT = (
    "id household_id helper_id area_code visited_on kind measures household_confirmed satisfaction"
    " recorded_at"
)


def pairings(prefix: str) -> AnySelect:
    return subtree(Pairing, prefix, _PAIRING, kind_as="pairing_kind")


def visits(prefix: str) -> AnySelect:
    return subtree(Visit, prefix, _VISIT, kind_as="visit_kind")
