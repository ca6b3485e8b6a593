"""Demo data for `make run`: the seeds' funding applied to the registry's demo population.

Runs after the registry's loader, once the beneficiary projection has caught up: the Kaiping
per-capita scheme on Chishui (251 key-target people -> 5,020,000 yuan), Kaiping's special funds,
Quanzhou's village grants, the 2016 money paid into the special accounts, some payments to
households and villages, a county project and a village notice. Everything goes through the same
service functions as the API (audited, published through the outbox). Idempotent: skipped when
the Kaiping special account exists.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy.ext.asyncio import AsyncSession

from services.funds.disbursements import service as disbursements
from services.funds.disbursements.schemas import DisbursementIn
from services.funds.disclosures import service as disclosures
from services.funds.disclosures.schemas import NoticeIn
from services.funds.errors import BeneficiaryNotPayable, EntitlementExceeded, InsufficientFunds
from services.funds.ledger import service as ledger
from services.funds.ledger.schemas import TransferIn
from services.funds.models import Plan
from services.funds.policies.presets import (
    ACCOUNTS,
    CHISHUI,
    KAIPING,
    KAIPING_PER_CAPITA,
    KAIPING_SPECIAL_FUNDS,
    QUANZHOU,
    QUANZHOU_VILLAGE_GRANTS,
)
from services.funds.projects import service as projects
from services.funds.projects.schemas import ProjectIn
from services.funds.schemes import service as schemes
from services.funds.schemes.repository import PlanLineRepository
from services.funds.schemes.rules import Scheme
from services.funds.schemes.schemas import SchemeIn, from_rule
from services.funds.sources import service as sources
from services.funds.sources.repository import AccountRepository
from services.funds.sources.schemas import AccountIn
from shared.auth import Principal
from shared.clock import clock
from shared.db import Database
from shared.http import etag
from shared.money import yuan

GUANGDONG = Principal("demo-loader", frozenset({"admin", "finance"}), "440000000000", "演示数据")
FUJIAN = Principal("demo-loader", frozenset({"admin", "finance"}), "350000000000", "演示数据")
KEY_VILLAGE = "440783105201"  # 步栏村, one of Chishui's 7 old-area key villages


# Projections here of the other services' demo entities (removed with the demo).
DEMO_PROJECTIONS = {
    "household": [
        ("beneficiary", "ref_id"),
        ("plan_line", "beneficiary_id"),
        ("project_household", "household_id"),
    ]
}
DEMO_OWN_KEYS = {"account": "code"}


async def load_demo(db: Database, *, households: set[str] | None = None) -> None:
    """``households``: the registry demo's households, the only ones paid here (``None``: any)."""
    async with db.transaction() as s:
        if await AccountRepository(s).get("kaiping-special-account") is not None:
            return
        await _accounts(s)
        chishui = await _plan(s, KAIPING_PER_CAPITA, KAIPING, CHISHUI, GUANGDONG)
        special = await _plan(s, KAIPING_SPECIAL_FUNDS, KAIPING, KAIPING, GUANGDONG)
        quanzhou = await _plan(s, QUANZHOU_VILLAGE_GRANTS, QUANZHOU, QUANZHOU, FUJIAN)
        await _budgets(s, [chishui, special, quanzhou])
        await _receive(s, chishui, year=2016, actor=GUANGDONG)
        await _receive(s, quanzhou, year=2018, actor=FUJIAN)
        await _pay(s, chishui, "household", "kaiping", 2016, GUANGDONG, count=20, only=households)
        await _pay(s, quanzhou, "village", QUANZHOU_VILLAGE_GRANTS.code, 2018, FUJIAN, count=10)
        await _project(s)
        await disclosures.publish(
            s,
            actor=GUANGDONG,
            data=NoticeIn(
                area_code=KEY_VILLAGE,
                title="步栏村2016年精准扶贫资金和项目公示",
                published_on=clock.today(),
                notice_days=7,
            ),
            today=clock.today(),
        )


async def _accounts(s: AsyncSession) -> None:
    for preset in ACCOUNTS:
        actor = GUANGDONG if preset.area_code.startswith("44") else FUJIAN
        await sources.open_account(
            s,
            actor=actor,
            data=AccountIn(code=preset.code, name=preset.name, area_code=preset.area_code, kind=preset.kind),
        )
    await sources.open_account(
        s,
        actor=GUANGDONG,
        data=AccountIn(
            code="kaiping-integrated-pool", name="开平市统筹整合涉农资金", area_code=KAIPING, kind="holding"
        ),
    )


async def _plan(s: AsyncSession, scheme: Scheme, scheme_area: str, plan_area: str, actor: Principal) -> Plan:
    created = await schemes.create_scheme(
        s,
        actor=actor,
        data=SchemeIn.model_validate(
            {"code": scheme.code, "name": scheme.name, "area_code": scheme_area, "params": from_rule(scheme)}
        ),
    )
    return (await schemes.create_plan(s, actor=actor, scheme_id=created.id, area_code=plan_area)).plan


async def _budgets(s: AsyncSession, plans: list[Plan]) -> None:
    """Each source's yearly budget: what every plan says it owes that year."""
    owed: dict[tuple[str, int], int] = defaultdict(int)
    for plan in plans:
        for payer, year, amount in await PlanLineRepository(s).totals(plan.id):
            if year is not None:
                owed[(payer, year)] += amount
    for (payer, year), amount in sorted(owed.items()):
        actor = GUANGDONG if payer != "quanzhou-city-finance" else FUJIAN
        await sources.set_budget(s, actor=actor, code=payer, year=year, amount_fen=amount, if_match=None)


async def _receive(s: AsyncSession, plan: Plan, *, year: int, actor: Principal) -> None:
    """Each payer pays in what it owes for ``year`` (and what it owes over the whole period)."""
    for payer, due_year, amount in await PlanLineRepository(s).totals(plan.id):
        if due_year in (year, None) and amount:
            payee = next(
                line.payee for line in await PlanLineRepository(s).of_plan(plan.id) if line.payer == payer
            )
            await ledger.transfer(
                s,
                actor=actor,
                on=clock.today(),
                data=TransferIn(
                    kind="receipt",
                    from_account=payer,
                    to_account=payee,
                    amount_fen=amount,
                    plan_id=plan.id,
                    year=due_year,
                    memo=f"{year}年资金到位",
                ),
            )


async def _pay(
    s: AsyncSession,
    plan: Plan,
    kind: str,
    component: str,
    year: int,
    actor: Principal,
    *,
    count: int,
    only: set[str] | None = None,
) -> None:
    lines = [
        ln
        for ln in await PlanLineRepository(s).of_plan(plan.id)
        if ln.component == component and ln.year == year and (only is None or ln.beneficiary_id in only)
    ]
    for line in lines[:count]:
        try:
            async with s.begin_nested():  # one refused payment does not undo the others
                await disbursements.disburse(
                    s,
                    actor=actor,
                    on=clock.today(),
                    data=DisbursementIn(
                        beneficiary_kind=kind,
                        beneficiary_id=line.beneficiary_id,
                        amount_fen=line.amount_fen,
                        from_account=line.payee,
                        plan_id=plan.id,
                        component=component,
                        year=year,
                    ),
                )
        except (BeneficiaryNotPayable, EntitlementExceeded, InsufficientFunds):
            continue


async def _project(s: AsyncSession) -> None:
    await ledger.transfer(
        s,
        actor=GUANGDONG,
        on=clock.today(),
        data=TransferIn(
            kind="receipt",
            from_account="kaiping-finance",
            to_account="kaiping-integrated-pool",
            amount_fen=yuan(500_000),
            year=2016,
            memo="老区建设专项资金整合",
        ),
    )
    project = await projects.create(
        s,
        actor=GUANGDONG,
        data=ProjectIn(
            name="步栏村饮水安全工程",
            area_code=KEY_VILLAGE,
            category="infrastructure",
            budget_fen=yuan(300_000),
            funding_account="kaiping-integrated-pool",
        ),
    )
    await projects.transition(
        s, actor=GUANGDONG, project_id=project.id, target="approved", if_match=etag(project.version)
    )
