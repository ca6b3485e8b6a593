"""The snapshot's reads: sign-off dossiers and findings of an area subtree, in key order.

Free text that may name people stays out (a finding's description and responsible person, a
dossier's refusal reason and frozen scheme); kinds, dates, statuses and the masked head name are in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from services.inspection.models import Finding, SignoffDossier

if TYPE_CHECKING:
    from shared.snapshot import AnySelect


def dossiers(prefix: str) -> AnySelect:
    return (
        select(
            SignoffDossier.id,
            SignoffDossier.exit_request_id,
            SignoffDossier.kind.label("dossier_kind"),  # "kind" names the line
            SignoffDossier.household_id,
            SignoffDossier.area_code,
            SignoffDossier.area_name,
            SignoffDossier.year,
            SignoffDossier.member_count,
            SignoffDossier.head_name_masked,
            SignoffDossier.scheme_code,
            SignoffDossier.status,
            SignoffDossier.created_at,
            SignoffDossier.closed_at,
        )
        .where(SignoffDossier.area_code.startswith(prefix, autoescape=True))
        .order_by(SignoffDossier.id)
    )


def findings(prefix: str) -> AnySelect:
    return (
        select(
            Finding.id,
            Finding.inspection_id,
            Finding.area_code,
            Finding.category,
            Finding.severity,
            Finding.title,
            Finding.responsible_unit,
            Finding.raised_on,
            Finding.deadline,
            Finding.status,
            Finding.submitted_on,
            Finding.verified_on,
        )
        .where(Finding.area_code.startswith(prefix, autoescape=True))
        .order_by(Finding.id)
    )
