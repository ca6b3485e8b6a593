"""A cadre's workload: households, visits per month, overdue visits. Read only."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.pairing.errors import HelperNotFound
from services.pairing.helpers.repository import HelperRepository
from services.pairing.models import Helper
from services.pairing.needs.repository import HouseholdRepository
from services.pairing.pairings.repository import PairingRepository
from services.pairing.policies import service as policy_service
from services.pairing.visits import rules as visit_rules
from services.pairing.visits.repository import VisitRepository
from services.pairing.vocabulary import PairingKind
from services.pairing.workload import rules
from shared.auth import Principal

MONTHS = 6


@dataclass(frozen=True)
class HouseholdLoad:
    """One household of a cadre and where its visits stand."""

    household_id: uuid.UUID
    household_number: str | None  # whom to visit: the household's number and its head, masked
    head_name_masked: str | None  # as every pairing household answer shows them
    area_code: str
    status: str
    paired_since: date
    last_visit_on: date | None
    next_visit_due: date
    overdue: bool


@dataclass(frozen=True)
class Workload:
    helper_id: uuid.UUID
    name: str
    cap: int
    household_count: int
    overdue_visits: int
    visits_per_month: dict[str, int]
    households: Sequence[HouseholdLoad]


async def _workload(session: AsyncSession, helper: Helper, today: date) -> Workload:
    """The cap is the cadre's area's; each household's visit interval is its own village's, as in
    coverage (an office may set a shorter interval for one village or township)."""
    resolve = await policy_service.resolver(session, on=today)
    policy = resolve(helper.area_code)
    pairings = [
        p
        for p in await PairingRepository(session).active_for_helper(helper.id)
        if p.kind == PairingKind.CADRE_HOUSEHOLD
    ]
    ids = [uuid.UUID(p.target_id) for p in pairings]
    households = {h.id: h for h in await HouseholdRepository(session).in_area(prefix="", ids=ids)}
    visits = VisitRepository(session)
    last = await visits.last_visits(ids)
    rows: list[HouseholdLoad] = []
    for p in pairings:
        h = households[uuid.UUID(p.target_id)]
        last_on, interval = last.get(h.id), resolve(h.area_code).visit_interval_days
        rows.append(
            HouseholdLoad(
                household_id=h.id,
                household_number=h.household_number,
                head_name_masked=h.head_name_masked,
                last_visit_on=last_on,
                area_code=h.area_code,
                status=h.status,
                paired_since=p.started_on,
                next_visit_due=visit_rules.next_visit_due(
                    last_visit_on=last_on, paired_since=p.started_on, interval_days=interval
                ),
                overdue=visit_rules.is_overdue(
                    last_visit_on=last_on, paired_since=p.started_on, interval_days=interval, today=today
                ),
            )
        )
    first_month = rules.month_keys(today, MONTHS)[0]
    since = date(int(first_month[:4]), int(first_month[5:]), 1)
    dates = await visits.visit_dates_of_helper(helper.id, since=since)
    return Workload(
        helper_id=helper.id,
        name=helper.name,
        cap=policy.cadre_household_cap,
        household_count=len(rows),
        overdue_visits=sum(1 for r in rows if r.overdue),
        visits_per_month=rules.visits_per_month(dates, today=today, months=MONTHS),
        households=rows,
    )


async def mine(*, session: AsyncSession, actor: Principal, today: date) -> Workload:
    helper = await HelperRepository(session).by_user_sub(actor.sub)
    if helper is None:
        raise HelperNotFound(
            "Your login is not registered as a helper; ask your poverty office",
            detail_zh="您的账号还未登记为帮扶责任人，请扶贫办先登记",
        )
    return await _workload(session, helper, today)


async def of_helper(
    *, session: AsyncSession, actor: Principal, helper_id: uuid.UUID, today: date
) -> Workload:
    helper = await HelperRepository(session).get_in_area(helper_id, actor, HelperNotFound)
    return await _workload(session, helper, today)
