"""GET /pairing/v1/snapshot: pairings and visits under an area, one consistent NDJSON stream."""

from __future__ import annotations

from services.pairing.snapshot import repository
from shared.snapshot import Section, snapshot_router

SECTIONS = (Section("pairing", repository.pairings), Section("visit", repository.visits))
router = snapshot_router("pairing", SECTIONS, what="pairing…, visit…")
