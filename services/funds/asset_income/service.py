"""Asset-income agreements (four parties, 保底+分红) and their yearly dividend distributions.

A distribution is one transaction: the enterprise's payment enters through the ledger (a receipt
from its source account into the holding account), is split to the households by their shares to
the fen, and each part is booked as a disbursement (holding -> payout), audited and published.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.funds import events as fund_events
from services.funds.asset_income import rules
from services.funds.asset_income.repository import AssetIncomeRepository, DistributionRepository
from services.funds.asset_income.schemas import AgreementIn, AgreementOut, DistributionIn
from services.funds.beneficiaries.repository import BeneficiaryRepository
from services.funds.beneficiaries.rules import is_payable
from services.funds.disbursements import service as disbursement_service
from services.funds.errors import (
    AgreementNotFound,
    BeneficiaryNotFound,
    BeneficiaryNotPayable,
    HouseholdOutsideAgreementArea,
    WrongAccountKind,
    outside_your_area,
)
from services.funds.ledger import service as ledger_service
from services.funds.ledger.schemas import TransferIn
from services.funds.models import (
    AssetIncomeAgreement,
    AssetIncomeDistribution,
    Beneficiary,
    Disbursement,
    LedgerTransaction,
)
from services.funds.policies import service as policies
from services.funds.sources import service as sources
from services.funds.vocabulary import ACCOUNT_KINDS
from shared import audit
from shared.areas import AreaCode, InvalidAreaCode
from shared.auth import Principal
from shared.backdating import check_not_future
from shared.errors import InvalidInput
from shared.events.contracts import emit
from shared.repository import Slice

__all__ = [
    "DividendYear",
    "distribute",
    "distributions",
    "dividends_by_year",
    "get_visible",
    "page",
    "sign",
    "to_out",
]


def due_per_year(agreement: AssetIncomeAgreement) -> int:
    return rules.due_for_year(
        principal_fen=agreement.principal_fen,
        dividend_rate_bp=agreement.dividend_rate_bp,
        guaranteed_return_fen=agreement.guaranteed_return_fen,
    )


def to_out(agreement: AssetIncomeAgreement) -> AgreementOut:
    return AgreementOut.model_validate(
        {
            **{c: getattr(agreement, c) for c in AgreementOut.model_fields if c != "due_per_year_fen"},
            "due_per_year_fen": due_per_year(agreement),
        }
    )


async def _payable_households(
    session: AsyncSession, *, actor: Principal, ids: list[str], area_code: str, on: date
) -> dict[str, Beneficiary]:
    """Lock the households (in id order) and refuse the lot if any cannot be paid, naming them all:
    unknown or no longer registered -> 409 like a disbursement; another area's -> 404."""
    repo = BeneficiaryRepository(session)
    rows: dict[str, Beneficiary] = {}
    refused: list[dict[str, Any]] = []
    for ref_id in sorted(ids):
        row = await repo.get(("household", ref_id), lock=True)
        if row is not None and not actor.covers(row.area_code):
            raise BeneficiaryNotFound(f"No household {ref_id} in your area", beneficiary_id=ref_id)
        if row is None or not is_payable(row.status, policies_kept_until=row.policies_kept_until, on=on):
            refused.append({"household_id": ref_id, "status": row.status if row else None})
        else:
            rows[ref_id] = row
    if refused:
        first = refused[0]
        raise BeneficiaryNotPayable(
            f"{len(refused)} household(s) cannot be paid, e.g. {first['household_id']} "
            f"(status: {first['status'] or 'unknown'})",
            detail_zh=f"有{len(refused)}户不能发放，例如{first['household_id']}"
            f"（状态：{first['status'] or '未知'}）",
            beneficiary_kind="household",
            beneficiary_id=first["household_id"],
            beneficiary_status=first["status"],
            not_payable=refused,
        )
    outside = [r for r in rows.values() if not r.area_code.startswith(_prefix(area_code))]
    if outside:
        raise HouseholdOutsideAgreementArea(
            f"Household {outside[0].ref_id} is in {outside[0].area_code}, outside {area_code}",
            detail_zh=f"{outside[0].ref_id}户在{outside[0].area_code}，不在协议所在地区{area_code}内",
            household_id=outside[0].ref_id,
            area_code=outside[0].area_code,
        )
    return rows


def _prefix(area_code: str) -> str:
    try:
        return AreaCode.parse(area_code).prefix
    except InvalidAreaCode as exc:
        raise InvalidInput(str(exc), detail_zh=exc.zh, area_code=area_code) from exc


async def sign(
    session: AsyncSession, *, actor: Principal, data: AgreementIn, on: date
) -> AssetIncomeAgreement:
    """Record a signed agreement. The dividend rate is held to the floor of the policy in force for
    the area in the first year (422 below it, with the reason); where no policy sets one, none applies."""
    _prefix(data.area_code)  # 422 for a code that is no division
    check_not_future(field="signed_on", on=data.signed_on, today=on, label_zh="协议签订日期")
    if not actor.covers(data.area_code):
        raise outside_your_area(data.area_code)
    policy = policies.asset_income_policy(data.area_code, data.start_year)
    rules.check_dividend_rate(policy, dividend_rate_bp=data.dividend_rate_bp)
    payer = await sources.get_visible(session, actor=actor, code=data.payer_account)
    holding = await sources.get_visible(session, actor=actor, code=data.holding_account)
    if payer.kind != "source" or holding.kind != "holding":
        raise WrongAccountKind(
            f"{payer.code} is a {payer.kind} account and {holding.code} a {holding.kind} account",
            detail_zh=f"账户“{payer.name}”是{ACCOUNT_KINDS.get(payer.kind, payer.kind)}类账户，"
            f"账户“{holding.name}”是{ACCOUNT_KINDS.get(holding.kind, holding.kind)}类账户；"
            "须从资金来源账户付入托管账户",
            payer_kind=payer.kind,
            holding_kind=holding.kind,
        )
    await _payable_households(
        session, actor=actor, ids=[h.household_id for h in data.households], area_code=data.area_code, on=on
    )
    agreement = AssetIncomeAgreement(
        id=uuid.uuid4(),
        **data.model_dump(exclude={"households"}),
        households=[h.model_dump() for h in data.households],
        policy_code=policy.code if policy else None,
        policy_version=policy.version if policy else None,
        minimum_dividend_bp=policy.minimum_dividend_bp if policy else None,
        created_by=actor.sub,
    )
    await AssetIncomeRepository(session).add(agreement, refresh=True)
    out = to_out(agreement)
    await audit.record(
        session,
        actor,
        "asset_income.agreement_signed",
        ("asset_income_agreement", agreement.id),
        after=out.model_dump(mode="json"),
    )
    await emit(
        session,
        fund_events.AssetIncomeAgreementSigned.model_validate(
            {
                "agreement_id": str(agreement.id),
                "area_code": agreement.area_code,
                "enterprise": agreement.enterprise,
                "year": agreement.start_year,
                "household_count": len(agreement.households),
                "principal_fen": agreement.principal_fen,
                "guaranteed_return_fen": agreement.guaranteed_return_fen,
                "dividend_due_fen": out.due_per_year_fen - agreement.guaranteed_return_fen,
            }
        ),
        subject=str(agreement.id),
    )
    return agreement


async def get_visible(
    session: AsyncSession, *, actor: Principal, agreement_id: uuid.UUID, lock: bool = False
) -> AssetIncomeAgreement:
    missing = AgreementNotFound(
        f"Agreement {agreement_id} does not exist in your area", agreement_id=str(agreement_id)
    )
    return await AssetIncomeRepository(session).get_in_area(agreement_id, actor, missing, lock=lock)


async def page(
    session: AsyncSession, *, area_prefix: str, cursor: str | None, limit: int
) -> Slice[AssetIncomeAgreement]:
    return await AssetIncomeRepository(session).page(area_prefix=area_prefix, cursor=cursor, limit=limit)


async def distributions(
    session: AsyncSession, *, actor: Principal, agreement_id: uuid.UUID
) -> list[AssetIncomeDistribution]:
    agreement = await get_visible(session, actor=actor, agreement_id=agreement_id)
    return await DistributionRepository(session).of_agreement(agreement.id)


@dataclass(frozen=True)
class _Payment:
    """One year's dividend under way: who pays it in for which agreement, what was due, how much
    was paid, and the day; the three steps of a distribution read it."""

    session: AsyncSession
    actor: Principal
    agreement: AssetIncomeAgreement
    year: int
    due_fen: int
    amount_fen: int
    on: date


async def distribute(
    session: AsyncSession, *, actor: Principal, agreement_id: uuid.UUID, data: DistributionIn, on: date
) -> AssetIncomeDistribution:
    """The enterprise pays the year's dividend in; it is split to the households and paid out."""
    agreement = await get_visible(session, actor=actor, agreement_id=agreement_id, lock=True)
    await _check_year(session, agreement, data.year)
    households = await _payable_households(
        session,
        actor=actor,
        ids=[h["household_id"] for h in agreement.households],
        area_code=agreement.area_code,
        on=on,
    )
    due = due_per_year(agreement)
    amount = data.amount_fen if data.amount_fen is not None else due
    payment = _Payment(session, actor, agreement, data.year, due, amount, on)
    receipt = await _pay_in(payment)
    lines = await _pay_out(payment, households)
    return await _record_distribution(payment, receipt, lines)


async def _check_year(session: AsyncSession, agreement: AssetIncomeAgreement, year: int) -> None:
    """A year of the term, not distributed yet."""
    rules.check_year(
        year,
        start_year=agreement.start_year,
        term=agreement.term_years,
        distributed=[d.year for d in await DistributionRepository(session).of_agreement(agreement.id)],
    )


async def _pay_in(p: _Payment) -> LedgerTransaction:
    """The enterprise's payment enters the ledger: a receipt from its source into the holding account."""
    return await ledger_service.transfer(
        p.session,
        actor=p.actor,
        data=TransferIn(
            kind="receipt",
            from_account=p.agreement.payer_account,
            to_account=p.agreement.holding_account,
            amount_fen=p.amount_fen,
            year=p.year,
            memo=f"{p.year}年资产收益分红：{p.agreement.enterprise}",
        ),
        on=p.on,
    )


async def _pay_out(p: _Payment, households: dict[str, Beneficiary]) -> list[dict[str, Any]]:
    """Split the payment by shares to the fen and pay each household its part (a disbursement each);
    returns the distribution's lines."""
    component = rules.dividend_component(p.agreement.id)
    shares = p.agreement.households
    parts = rules.split(p.amount_fen, [int(h["shares"]) for h in shares])
    lines: list[dict[str, Any]] = []
    for share, part in zip(shares, parts, strict=True):
        household_id = share["household_id"]
        disbursement_id = None
        if part > 0:  # a share too small for a whole fen this year gets nothing, and no payment row
            payment = Disbursement(
                area_code=households[household_id].area_code,
                beneficiary_kind="household",
                beneficiary_id=household_id,
                amount_fen=part,
                from_account=p.agreement.holding_account,
                component=component,
                year=p.year,
            )
            row = await disbursement_service.record(p.session, actor=p.actor, row=payment, on=p.on)
            disbursement_id = str(row.id)
        lines.append(
            {
                "household_id": household_id,
                "shares": int(share["shares"]),
                "amount_fen": part,
                "disbursement_id": disbursement_id,
            }
        )
    return lines


async def _record_distribution(
    p: _Payment, receipt: LedgerTransaction, lines: list[dict[str, Any]]
) -> AssetIncomeDistribution:
    """The distribution row, its audit record and its event."""
    distribution = AssetIncomeDistribution(
        id=uuid.uuid4(),
        agreement_id=p.agreement.id,
        year=p.year,
        due_fen=p.due_fen,
        amount_fen=p.amount_fen,
        receipt_transaction_id=receipt.id,
        lines=lines,
        distributed_on=p.on,
        actor=p.actor.sub,
    )
    await DistributionRepository(p.session).add(distribution, refresh=True)
    event = {
        "agreement_id": str(p.agreement.id),
        "area_code": p.agreement.area_code,
        "year": p.year,
        "due_fen": p.due_fen,
        "paid_fen": p.amount_fen,
        "household_count": sum(1 for line in lines if line["amount_fen"] > 0),
        "transaction_id": str(receipt.id),
    }
    await audit.record(
        p.session,
        p.actor,
        "asset_income.dividend_distributed",
        ("asset_income_agreement", p.agreement.id),
        after={**event, "lines": lines},
    )
    await emit(
        p.session,
        fund_events.AssetIncomeDividendDistributed.model_validate(event),
        subject=str(p.agreement.id),
    )
    return distribution


@dataclass(frozen=True)
class DividendYear:
    """One year of an agreement's term: due (guaranteed + dividend), paid in, reached the households."""

    year: int
    due_fen: int
    paid_fen: int
    disbursed_fen: int
    distributed_on: date | None

    @property
    def outstanding_fen(self) -> int:
        return max(self.due_fen - self.paid_fen, 0)


async def dividends_by_year(
    session: AsyncSession, *, actor: Principal, agreement_id: uuid.UUID
) -> list[DividendYear]:
    """Per year of the term: due (guaranteed + dividend) vs paid in vs reached the households."""
    agreement = await get_visible(session, actor=actor, agreement_id=agreement_id)
    paid = {d.year: d for d in await DistributionRepository(session).of_agreement(agreement.id)}
    disbursed = await AssetIncomeRepository(session).disbursed_by_year(rules.dividend_component(agreement.id))
    due = due_per_year(agreement)
    return [
        DividendYear(
            year=year,
            due_fen=due,
            paid_fen=paid[year].amount_fen if year in paid else 0,
            disbursed_fen=disbursed.get(year, 0),
            distributed_on=paid[year].distributed_on if year in paid else None,
        )
        for year in rules.term_years(agreement.start_year, agreement.term_years)
    ]
