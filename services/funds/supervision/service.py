"""Feed the pure detectors from the database; record and publish each new problem once."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.funds import events as fund_events
from services.funds.asset_income import rules as asset_income_rules
from services.funds.models import Anomaly
from services.funds.policies import service as policies
from services.funds.policies.presets import SupervisionPolicy
from services.funds.schemes import service as scheme_service
from services.funds.supervision import rules
from services.funds.supervision.repository import SupervisionRepository
from shared import audit
from shared.auth import Principal
from shared.clock import clock
from shared.db import Database
from shared.events.contracts import emit
from shared.repository import Slice

__all__ = ["detect", "page", "run_job"]

ACTOR = "funds:supervision"


BATCH = 2000  # beneficiaries whose payments one round reads (every detector groups by beneficiary)


async def _find(
    session: AsyncSession, area_prefix: str, beneficiaries: list[tuple[str, str]]
) -> list[rules.Anomaly]:
    """The payment detectors over these beneficiaries' live payments in the area."""
    repo = SupervisionRepository(session)
    payments = [
        rules.PaymentFact(
            str(d.id),
            d.beneficiary_kind,
            d.beneficiary_id,
            d.area_code,
            d.amount_fen,
            d.component,
            d.year,
            d.paid_on,
            d.created_at,
        )
        for d in await repo.live_payments(area_prefix, beneficiaries)
    ]
    households = [i for k, i in beneficiaries if k == "household"]
    statuses = {
        b.ref_id: rules.StatusFact(b.status, b.policies_kept_until) for b in await repo.households(households)
    }
    paid: dict[tuple[str, str], int] = defaultdict(int)
    areas: dict[tuple[str, str], str] = {}
    for p in payments:
        # projects are held to their budget, asset-income dividends to their agreement's split, at
        # payment time; only plan payments are held to a plan entitlement afterwards
        if p.beneficiary_kind != "project" and not asset_income_rules.is_dividend_component(p.component):
            paid[(p.beneficiary_kind, p.beneficiary_id)] += p.amount_fen
            areas[(p.beneficiary_kind, p.beneficiary_id)] = p.area_code
    return [
        *rules.detect_unpayable_beneficiaries(payments, statuses),
        *rules.detect_duplicate_payments(payments),
        *rules.detect_over_entitlement(paid, await repo.entitlements(list(paid)), areas),
    ]


async def _idle(
    session: AsyncSession, area_prefix: str, today: date, policy: SupervisionPolicy
) -> list[rules.Anomaly]:
    accounts = [
        rules.AccountFact(a.code, a.area_code, a.kind, a.balance_fen, a.last_outflow_on, a.opened_on)
        for a in await SupervisionRepository(session).holding_accounts(area_prefix)
    ]
    return rules.detect_idle_funds(accounts, today=today, idle_days=policy.idle_funds_days)


async def detect(
    session: AsyncSession,
    *,
    actor: Principal | str,
    area_prefix: str,
    today: date,
    policy: SupervisionPolicy | None = None,
) -> list[Anomaly]:
    """Run every detector over the area; each problem is recorded and published once (by signal_key)."""
    new, after = await detect_batch(session, actor=actor, area_prefix=area_prefix, today=today, policy=policy)
    while after is not None:
        more, after = await detect_batch(
            session, actor=actor, area_prefix=area_prefix, today=today, policy=policy, after=after
        )
        new += more
    return new


async def detect_batch(
    session: AsyncSession,
    *,
    actor: Principal | str,
    area_prefix: str,
    today: date,
    policy: SupervisionPolicy | None = None,
    after: tuple[str, str] | None = None,
    limit: int = BATCH,
) -> tuple[list[Anomaly], tuple[str, str] | None]:
    """One bounded round of ``detect``: the first (``after`` None) refreshes the area's plans and
    checks its holding accounts; each checks the payments of up to ``limit`` beneficiaries after
    ``after``. (what it recorded, the last beneficiary it read or None when there are no more)."""
    policy = policy or policies.supervision_policy(area_prefix)
    found: list[rules.Anomaly] = []
    if after is None:
        await scheme_service.refresh_within(session, area_prefix=area_prefix, actor=actor)
        found += await _idle(session, area_prefix, today, policy)
    beneficiaries = await SupervisionRepository(session).paid(area_prefix, after=after, limit=limit)
    found += await _find(session, area_prefix, beneficiaries)
    new = await _record(session, actor, found)
    return new, (beneficiaries[-1] if len(beneficiaries) == limit else None)


async def _record(
    session: AsyncSession, actor: Principal | str, anomalies: list[rules.Anomaly]
) -> list[Anomaly]:
    repo = SupervisionRepository(session)
    new: list[Anomaly] = []
    for found in anomalies:
        values = {
            "signal_key": found.signal_key,
            "kind": found.kind,
            "area_code": found.area_code,
            "amount_fen": found.amount_fen,
            "detail": dict(found.detail),
        }
        anomaly = await repo.record(values)
        if anomaly is None:
            continue  # known problem: inspection already has it
        await audit.record(session, actor, "anomaly.detected", ("anomaly", anomaly.id), after=values)
        await emit(
            session,
            fund_events.AnomalyDetected.model_validate({"anomaly_id": str(anomaly.id), **values}),
            subject=str(anomaly.id),
        )
        new.append(anomaly)
    return new


async def page(session: AsyncSession, *, area_prefix: str, cursor: str | None, limit: int) -> Slice[Anomaly]:
    """Newest first."""
    return await SupervisionRepository(session).page(area_prefix=area_prefix, cursor=cursor, limit=limit)


async def run_job(db: Database, now: datetime) -> int:
    """The periodic sweep over every area (also run by `jingzhun worker funds`); ``now`` is an instant,
    the office date (China) is what money has been idle against. A transaction per round of
    ``BATCH`` beneficiaries, so rows, memory and audit locks held stay bounded in a province."""
    today, after, total = clock.date_of(now), None, 0
    while True:
        async with db.transaction() as session:
            new, after = await detect_batch(session, actor=ACTOR, area_prefix="", today=today, after=after)
        total += len(new)
        if after is None:
            return total
