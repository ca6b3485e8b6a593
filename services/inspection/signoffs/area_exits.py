"""Village and county exit dossiers (贫困村退出、贫困县摘帽): opened from registry's request.

The dossier is the household one made generic: the same signing, refusing, order and area
checks (``signoffs.service.sign``/``refuse``), a signer plan taken from the policy data for its
kind (``signoff-schemes/{prefix}?kind=village|county``, presets: Gansu's township 3 + county 4 +
city 2 for a village, city 2 for a county), and its own outcome events
(``inspection.area_exit.verified|rejected.v1``) that registry turns into the exit or the return.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.inspection.models import SignoffDossier
from services.inspection.policies import service as policy_service
from services.inspection.signoffs import service as signoffs
from services.inspection.signoffs.repository import AreaExitRefRepository, DossierRepository
from services.registry import events as registry
from shared import audit
from shared.areas import AreaCode, AreaLevel
from shared.clock import clock
from shared.events import CloudEvent

KINDS = {"village": AreaLevel.VILLAGE, "county": AreaLevel.COUNTY}


async def open_area_dossier(*, session: AsyncSession, data: registry.AreaExitRequested) -> SignoffDossier:
    """Registry asked for a village's or county's exit: open its dossier once per request."""
    repo = DossierRepository(session)
    existing = await repo.by_exit_request(data.exit_request_id)
    if existing is not None:
        return existing
    kind = data.kind
    area = AreaCode.parse(data.area_code)  # a bad code is refused (ValueError), not stored
    if kind not in KINDS or area.level != KINDS[kind]:
        raise ValueError(f"a {kind} exit for {area.code} ({area.level}) is not a village or county exit")
    scheme, prefix, source = await policy_service.effective_scheme(session, area.code, kind)
    dossier = await repo.add(
        SignoffDossier(
            exit_request_id=data.exit_request_id,
            kind=kind,
            household_id=None,
            area_code=area.code,
            area_name=data.area_name,
            criteria=[c.model_dump(mode="json", exclude_unset=True) for c in data.criteria],
            year=data.year,
            member_count=data.poor_persons or 0,
            head_name_masked=None,
            scheme_code=scheme.code,
            scheme=signoffs.scheme_json(scheme),
            status="open",
            created_at=clock.now(),
        )
    )
    await audit.record(
        session,
        signoffs.SYSTEM,
        "dossier.opened",
        ("signoff_dossier", dossier.id),
        after={
            "exit_request_id": dossier.exit_request_id,
            "kind": kind,
            "area_code": area.code,
            "scheme": scheme.code,
            "scheme_from": f"{source} {prefix or 'default'}",
        },
    )
    return dossier


async def on_area_exit_requested(session: AsyncSession, event: CloudEvent) -> None:
    await open_area_dossier(session=session, data=registry.AreaExitRequested.of(event))


async def on_area_exited(session: AsyncSession, event: CloudEvent) -> None:
    """Registry marked the village or county exited: keep it for third-party sampling."""
    data = registry.AreaExited.of(event)
    await AreaExitRefRepository(session).upsert(
        {
            "area_code": AreaCode.parse(data.area_code).code,
            "kind": data.kind,
            "year": data.year,
            "exited_on": data.exited_on,
            "exit_request_id": data.exit_request_id,
        }
    )


async def on_area_exit_returned(session: AsyncSession, event: CloudEvent) -> None:
    """Registry took the request back: a dossier still open stops collecting signatures."""
    data = registry.AreaExitReturned.of(event)
    await signoffs.withdraw(session=session, exit_request_id=data.exit_request_id, reason=data.reason or "")
