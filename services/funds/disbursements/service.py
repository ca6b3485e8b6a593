"""Paying beneficiaries against the plan (households, villages) or the approved budget (projects)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.funds import events as fund_events
from services.funds.beneficiaries.repository import BeneficiaryRepository
from services.funds.disbursements import rules
from services.funds.disbursements.repository import DisbursementRepository
from services.funds.disbursements.schemas import DisbursementIn
from services.funds.errors import (
    AccountNotFound,
    BeneficiaryNotFound,
    DisbursementNotFound,
    NotAPayingAccount,
)
from services.funds.ledger import rules as ledger_rules
from services.funds.ledger import service as ledger_service
from services.funds.models import Disbursement
from services.funds.projects.repository import ProjectRepository
from services.funds.schemes import service as scheme_service
from services.funds.schemes.repository import PlanLineRepository, PlanRepository
from services.funds.sources.repository import AccountRepository
from services.funds.sources.service import payout_code
from services.funds.vocabulary import BENEFICIARY_KINDS
from shared import audit, cadres
from shared.auth import Principal
from shared.events.contracts import emit
from shared.fields import uuid_or_none
from shared.repository import Slice

__all__ = ["disburse", "entitlement", "get_visible", "page", "record", "reverse"]


@dataclass(frozen=True)
class _Target:
    payee: rules.Payee
    area_code: str
    entitlement_fen: int
    funding_account: str | None = None  # projects are paid from their county pool only
    in_plan: bool = True  # the plan named has a line for the payee
    plan_years: tuple[int, ...] = ()  # the years of the plan named


# What a payment takes as the clerk asked it (the area, the paying account and the plan are checked).
PAID_AS_ASKED = {"beneficiary_kind", "beneficiary_id", "amount_fen", "component", "year"}


async def _target(
    session: AsyncSession,
    *,
    actor: Principal,
    data_kind: str,
    ref_id: str,
    plan_id: uuid.UUID | None,
    lock: bool = True,
) -> _Target:
    """Lock the beneficiary (so two payments to it cannot both pass the entitlement check) and read
    what it is entitled to. Unknown households are refused (409), not hidden: the registry may
    simply not have told us yet, and the caller must see why."""
    if data_kind == "project":
        project_id = uuid_or_none(ref_id)
        project = await ProjectRepository(session).get(project_id, lock=lock) if project_id else None
        if project is None or not actor.covers(project.area_code):
            raise BeneficiaryNotFound(f"Project {ref_id} does not exist in your area", project_id=ref_id)
        return _Target(
            rules.Payee("project", ref_id, project.status),
            project.area_code,
            project.budget_fen,
            project.funding_account,
        )
    plan_years: tuple[int, ...] = ()
    if plan_id is not None:
        plan = await scheme_service.get_plan(session, actor=actor, plan_id=plan_id)
        plan_years = await scheme_service.plan_years(session, plan)
    row = await BeneficiaryRepository(session).get((data_kind, ref_id), lock=lock)
    if row is not None and not actor.covers(row.area_code):
        raise BeneficiaryNotFound(f"No {data_kind} {ref_id} in your area", beneficiary_id=ref_id)
    if row is not None and lock:  # paying: the entitlement must reflect the latest registry news
        await scheme_service.refresh_covering(session, area_code=row.area_code, actor=actor)
    if plan_id is not None:
        blocked = await PlanRepository(session).get(plan_id)
        if blocked is not None:
            scheme_service.check_not_blocked(blocked)
    lines = PlanLineRepository(session)
    entitled = await lines.entitlement(data_kind, ref_id, plan_id)
    in_plan = plan_id is None or await lines.lists(data_kind, ref_id, plan_id)
    payee = rules.Payee(
        data_kind, ref_id, row.status if row else None, row.policies_kept_until if row else None
    )
    area_code = row.area_code if row else actor.area_code
    return _Target(payee, area_code, entitled, in_plan=in_plan, plan_years=plan_years)


async def disburse(
    session: AsyncSession, *, actor: Principal, data: DisbursementIn, on: date
) -> Disbursement:
    target = await _target(
        session,
        actor=actor,
        data_kind=data.beneficiary_kind,
        ref_id=data.beneficiary_id,
        plan_id=data.plan_id,
    )
    account = await AccountRepository(session).get(data.from_account)
    if account is None or not actor.covers(account.area_code):
        raise AccountNotFound(
            f"Account {data.from_account} does not exist in your area", account=data.from_account
        )
    if account.kind != "holding" or (target.funding_account not in (None, account.code)):
        raise NotAPayingAccount(
            f"{data.from_account} cannot pay this beneficiary",
            detail_zh=f"账户“{account.name}”不能向该受益对象拨付",
            expected_account=target.funding_account,
        )
    plan_scope = data.plan_id if data.beneficiary_kind != "project" else None
    disbursed = await DisbursementRepository(session).disbursed(
        data.beneficiary_kind, data.beneficiary_id, plan_scope
    )
    rules.check_disbursement(
        payee=target.payee,
        amount_fen=data.amount_fen,
        entitlement_fen=target.entitlement_fen,
        disbursed_fen=disbursed,
        on=on,
        plan_id=plan_scope,
        in_plan=target.in_plan,
    )
    rules.check_plan_year(data.year, target.plan_years, plan_id=plan_scope)
    payment = Disbursement(
        **data.model_dump(include=PAID_AS_ASKED),
        area_code=target.area_code,
        from_account=account.code,
        plan_id=plan_scope,
    )
    return await record(session, actor=actor, row=payment, on=on)


async def record(session: AsyncSession, *, actor: Principal, row: Disbursement, on: date) -> Disbursement:
    """Book a payment (the unsaved ``row``: who, how much, from which account) whose checks the caller
    has made: holding -> its payout account in the ledger, the disbursement row, audit and event
    (asset-income dividends use it too)."""
    txn = await ledger_service.post(
        session,
        actor=actor,
        kind="disbursement",
        on=on,
        plan_id=row.plan_id,
        year=row.year,
        postings=ledger_rules.transfer(row.from_account, payout_code(row.from_account), row.amount_fen),
        memo=f"拨付{BENEFICIARY_KINDS.get(row.beneficiary_kind, row.beneficiary_kind)} {row.beneficiary_id}",
    )
    row.id, row.transaction_id, row.paid_on = uuid.uuid4(), txn.id, on
    await DisbursementRepository(session).add(row, refresh=True)
    event = {
        "disbursement_id": str(row.id),
        "area_code": row.area_code,
        "beneficiary_kind": row.beneficiary_kind,
        "beneficiary_id": row.beneficiary_id,
        "amount_fen": row.amount_fen,
        "year": row.year if row.year is not None else row.paid_on.year,
    }
    await audit.record(
        session,
        actor,
        "disbursement.recorded",
        ("disbursement", row.id),
        after={**event, "transaction_id": str(txn.id)},
    )
    await emit(session, fund_events.DisbursementRecorded.model_validate(event), subject=str(row.id))
    return row


async def get_visible(
    session: AsyncSession, *, actor: Principal, disbursement_id: uuid.UUID, lock: bool = False
) -> Disbursement:
    row = await DisbursementRepository(session).get(disbursement_id, lock=lock)
    own = await cadres.cadre_households(session, actor)
    if (
        row is None
        or not actor.covers(row.area_code)
        or (own is not None and (row.beneficiary_kind != "household" or row.beneficiary_id not in own))
    ):
        raise DisbursementNotFound(f"Disbursement {disbursement_id} does not exist in your area")
    return row


async def page(
    session: AsyncSession,
    *,
    actor: Principal,
    area_prefix: str,
    beneficiary_id: str | None,
    cursor: str | None,
    limit: int,
) -> Slice[Disbursement]:
    """Newest first; a cadre sees what was paid to their own households."""
    own = await cadres.cadre_households(session, actor)
    return await DisbursementRepository(session).page(
        area_prefix=area_prefix, beneficiary_id=beneficiary_id, cursor=cursor, limit=limit, households=own
    )


async def reverse(
    session: AsyncSession, *, actor: Principal, disbursement_id: uuid.UUID, reason: str, on: date
) -> Disbursement:
    """A wrong payment is corrected by an opposite ledger entry; the payment row stays, marked."""
    row = await get_visible(session, actor=actor, disbursement_id=disbursement_id, lock=True)
    txn = await ledger_service.reverse(
        session, actor=actor, txn_id=row.transaction_id, reason=reason, on=on, allow_disbursement=True
    )
    await audit.record_update(
        session,
        actor,
        "disbursement.reversed",
        ("disbursement", row.id),
        row,
        note={"reason": reason},
        reversed_by=txn.id,
    )
    await emit(
        session,
        fund_events.DisbursementReversed.model_validate(
            {
                "disbursement_id": str(row.id),
                "area_code": row.area_code,
                "amount_fen": row.amount_fen,
                "reason": reason,
            }
        ),
        subject=str(row.id),
    )
    return row


async def entitlement(
    session: AsyncSession, *, actor: Principal, kind: str, ref_id: str, plan_id: uuid.UUID | None
) -> tuple[int, int]:
    own = await cadres.cadre_households(session, actor)
    if own is not None and (kind != "household" or ref_id not in own):
        raise BeneficiaryNotFound(f"No {kind} {ref_id} in your area", beneficiary_id=ref_id)
    target = await _target(session, actor=actor, data_kind=kind, ref_id=ref_id, plan_id=plan_id, lock=False)
    if target.payee.status is None:
        raise BeneficiaryNotFound(f"No {kind} {ref_id} in your area", beneficiary_id=ref_id)
    disbursed = await DisbursementRepository(session).disbursed(
        kind, ref_id, plan_id if kind != "project" else None
    )
    return target.entitlement_fen, disbursed
