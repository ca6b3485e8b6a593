"""Demo data for `make run`: a Kaiping inspection with findings, an exit dossier half-way through
the 4-3-4-2 sign-off, and a 12317 complaint. Synthetic people only.

Goes through the same service functions as the API (so everything is audited and published).
Idempotent: each part is skipped when its marker row exists.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.inspection.complaints import service as complaint_service
from services.inspection.complaints.schemas import ComplainantIn, ComplaintIn
from services.inspection.findings.schemas import FindingIn
from services.inspection.inspections import service as inspection_service
from services.inspection.inspections.schemas import InspectionIn, TeamMemberIn
from services.inspection.models import Complaint, Inspection, SignoffDossier
from services.inspection.places import ancestor
from services.inspection.policies import presets
from services.inspection.settings import InspectionSettings
from services.inspection.signoffs import service as signoff_service
from services.inspection.signoffs.rules import POSITION_ZH
from services.registry import events as registry
from shared.auth import Principal
from shared.clock import clock
from shared.db import Database
from shared.pii import PiiCipher

KAIPING = "440783000000"
BULAN = "440783105201"  # 步栏村, Chishui town (seed 004's key old-area villages)
LINWU = "440783105202"  # 林屋村
TITLE = "示例：赤水镇重点村月度暗访"
INSPECTOR = Principal(
    sub="demo-inspector", roles=frozenset({"inspector"}), area_code=KAIPING, name="督查员 示例"
)


async def _inspection(session: AsyncSession) -> None:
    if await session.scalar(select(Inspection.id).where(Inspection.title == TITLE)):
        return
    today = clock.today()
    out = await inspection_service.plan(
        session=session,
        actor=INSPECTOR,
        data=InspectionIn(
            kind="unannounced",
            title=TITLE,
            starts_on=today - timedelta(days=2),
            ends_on=today,
            target_areas=[BULAN, LINWU],
            team=[
                TeamMemberIn(name="督查组长 示例", role="leader"),
                TeamMemberIn(name="人大代表 示例", role="npc_deputy"),
                TeamMemberIn(name="政风行风监督员 示例", role="conduct_supervisor"),
            ],
        ),
    )
    for area, category, severity, title, unit in (
        (
            BULAN,
            "policy_not_delivered",
            "high",
            "2户危房改造补助未发放",
            "赤水镇扶贫办",
        ),
        (
            LINWU,
            "data_quality",
            "low",
            "贫困户扶贫手册缺2026年走访记录",
            "林屋村驻村工作队",
        ),
    ):
        await inspection_service.add_finding(
            session=session,
            actor=INSPECTOR,
            inspection_id=out.id,
            today=today,
            data=FindingIn(
                area_code=area, category=category, severity=severity, title=title, responsible_unit=unit
            ),
        )
    await inspection_service.conclude(session=session, actor=INSPECTOR, inspection_id=out.id, today=today)


async def _dossier(session: AsyncSession, households: set[str] | None) -> None:
    """Half-way through: the village level has signed; the township is next (a demo household's)."""
    query = select(SignoffDossier).where(SignoffDossier.status == "open")
    if households is not None:
        query = query.where(SignoffDossier.household_id.in_(households))
    open_ = await session.scalar(query.order_by(SignoffDossier.household_id).limit(1))
    if open_ is None:
        if await session.scalar(select(SignoffDossier.id).limit(1)):
            return  # dossiers exist but none is open: loaded before and moved on
        open_ = await signoff_service.open_dossier(
            session=session,
            data=registry.HouseholdExitRequested(
                household_id=f"demo-{uuid.uuid4()}",
                area_code=BULAN,
                exit_request_id=f"demo-{uuid.uuid4()}",
                year=clock.today().year,
                member_count=3,
                head_name_masked="梁*",
            ),
        )
    signed = await signoff_service.get(
        session=session, actor=_province_reader(open_.area_code), dossier_id=open_.id
    )
    if signed.signatures:  # someone signed or refused already: the demo leaves it as it is
        return
    for position in presets.signoff_scheme_for(open_.area_code).levels[0].positions:
        signer = Principal(
            sub=(open_.household_id or "") if position == presets.EXIT_HOUSEHOLD else f"demo-{position}",
            roles=frozenset({position}),
            area_code=ancestor(open_.area_code, "village"),
            name=f"示例 {POSITION_ZH.get(position, position)}",
        )
        await signoff_service.sign(session=session, actor=signer, dossier_id=open_.id, position=position)


def _province_reader(area_code: str) -> Principal:
    return Principal(
        sub="demo-inspector", roles=frozenset({"inspector"}), area_code=area_code[:2].ljust(12, "0")
    )


async def _complaint(session: AsyncSession, cipher: PiiCipher) -> None:
    if await session.scalar(select(Complaint.id).limit(1)):
        return
    handler = Principal(sub="demo-12317", roles=frozenset({"complaint_handler"}), area_code=KAIPING)
    await complaint_service.intake(
        session=session,
        actor=handler,
        cipher=cipher,
        today=clock.today(),
        data=ComplaintIn(
            area_code=BULAN,
            category="funds",
            summary="产业补助发放迟缓且只发了一部分",
            details="来电人称1000元补助只到账600元。",
            anonymous=False,
            complainant=ComplainantIn(name="示例来电人", phone="13800000000"),
        ),
    )


# Projections here of the other services' demo entities (removed with the demo).
DEMO_PROJECTIONS = {
    "household": [
        ("household_ref", "household_id"),
        ("visit_ref", "household_id"),
        ("roll_movement_ref", "household_id"),
        ("signoff_dossier", "household_id"),
    ],
    "pairing": [("pairing_ref", "pairing_id")],
    "visit": [("visit_ref", "visit_id")],
    "disbursement": [("disbursement_ref", "disbursement_id")],
    "plan": [("fund_plan_ref", "plan_id")],
}


async def load_demo(db: Database, *, households: set[str] | None = None) -> None:
    """``households``: the registry demo's households, the only ones whose sign-off it moves on."""
    cipher = InspectionSettings().pii_cipher()
    async with db.transaction() as session:
        await _inspection(session)
    async with db.transaction() as session:
        await _dossier(session, households)
    async with db.transaction() as session:
        await _complaint(session, cipher)
