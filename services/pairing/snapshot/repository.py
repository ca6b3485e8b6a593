"""The snapshot's reads: pairings and visits of an area subtree, in key order.

A visit's free-text ``notes`` stay out (they may name people); kinds, dates, measures and the
household's confirmation are in.
"""

from __future__ import annotations

from services.pairing.models import Pairing, Visit
from shared.snapshot import area_rows

# Each section's columns, in line order.
PAIRING_COLUMNS = "id kind helper_id target_type target_id area_code started_on ended_on end_reason".split()
VISIT_COLUMNS = (
    "id household_id helper_id area_code visited_on kind measures household_confirmed satisfaction"
    " recorded_at"
).split()

pairings = area_rows(Pairing, PAIRING_COLUMNS, renamed={"kind": "pairing_kind"})
visits = area_rows(Visit, VISIT_COLUMNS, renamed={"kind": "visit_kind"})
