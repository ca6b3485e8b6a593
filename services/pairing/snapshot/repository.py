"""The snapshot's reads: pairings and visits of an area subtree, in key order.

A visit's free-text ``notes`` stay out (they may name people); kinds, dates, measures and the
household's confirmation are in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from services.pairing.models import Pairing, Visit

if TYPE_CHECKING:
    from shared.snapshot import AnySelect


def pairings(prefix: str) -> AnySelect:
    return (
        select(
            Pairing.id,
            Pairing.kind.label("pairing_kind"),  # "kind" names the line
            Pairing.helper_id,
            Pairing.target_type,
            Pairing.target_id,
            Pairing.area_code,
            Pairing.started_on,
            Pairing.ended_on,
            Pairing.end_reason,
        )
        .where(Pairing.area_code.startswith(prefix, autoescape=True))
        .order_by(Pairing.id)
    )


def visits(prefix: str) -> AnySelect:
    return (
        select(
            Visit.id,
            Visit.household_id,
            Visit.helper_id,
            Visit.area_code,
            Visit.visited_on,
            Visit.kind.label("visit_kind"),
            Visit.measures,
            Visit.household_confirmed,
            Visit.satisfaction,
            Visit.recorded_at,
        )
        .where(Visit.area_code.startswith(prefix, autoescape=True))
        .order_by(Visit.id)
    )
