"""The snapshot's reads: sign-off dossiers and findings of an area subtree, in key order.

Free text that may name people stays out (a finding's description and responsible person, a
dossier's refusal reason and frozen scheme); kinds, dates, statuses and the masked head name are in.
"""

from __future__ import annotations

from services.inspection.models import Finding, SignoffDossier
from shared.snapshot import area_rows

DOSSIER_COLUMNS = (
    "id",
    "exit_request_id",
    "kind",
    "household_id",
    "area_code",
    "area_name",
    "year",
    "member_count",
    "head_name_masked",
    "scheme_code",
    "status",
    "created_at",
    "closed_at",
)
FINDING_COLUMNS = (
    "id",
    "inspection_id",
    "area_code",
    "category",
    "severity",
    "title",
    "responsible_unit",
    "raised_on",
    "deadline",
    "status",
    "submitted_on",
    "verified_on",
)

dossiers = area_rows(SignoffDossier, DOSSIER_COLUMNS, renamed={"kind": "dossier_kind"})
findings = area_rows(Finding, FINDING_COLUMNS)
