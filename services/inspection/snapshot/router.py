"""GET /inspection/v1/snapshot: sign-off dossiers and findings under an area, one NDJSON stream."""

from __future__ import annotations

from services.inspection.snapshot import repository
from shared.snapshot import Section, snapshot_router

SECTIONS = (Section("dossier", repository.dossiers), Section("finding", repository.findings))
router = snapshot_router("inspection", SECTIONS, what="dossier…, finding…")
