from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import JSONResponse

from services.registry.conflicts.router import recorded_refusal
from services.registry.deps import Approver, CipherDep, Registrar, RegistrarStep, RegistrarWrite, TodayDep
from services.registry.errors import PersonActiveElsewhere
from services.registry.households import bulk, changes, schemas, service
from services.registry.households.bulk_request import ParsedBodyRoute
from services.registry.models import Household, Member
from services.registry.vocabulary import HouseholdStatus, PovertyCause
from shared.auth import CurrentUser, Principal, require_roles
from shared.bodyguard import LARGE_BODY
from shared.db import SessionDep
from shared.fields import AreaCodeText
from shared.http import etag
from shared.idempotency import IdempotencyDep
from shared.pagination import Cursor, Limit, Page
from shared.ratelimit import RATE_LIMITED_RESPONSES, SEARCH_RATE_LIMIT
from shared.read_route import add_read_route

router = APIRouter(prefix="/households", tags=["households"])


_CARD_PARTS = frozenset({"members", "incomes", "debts"})


async def card(session: SessionDep, h: Household, response: Response | None = None) -> schemas.HouseholdOut:
    members, incomes, debts = await service.read_parts(session, h)
    return _card_of(h, members, incomes, debts, response)


def _card_of(
    h: Household,
    members: Sequence[Member],
    incomes: Sequence[Any],
    debts: Sequence[Any],
    response: Response | None = None,
) -> schemas.HouseholdOut:
    if response is not None:
        response.headers["ETag"] = etag(h.version)
    return schemas.HouseholdOut(
        **{k: getattr(h, k) for k in schemas.HouseholdOut.model_fields if k not in _CARD_PARTS},
        members=[schemas.MemberOut.model_validate(m, from_attributes=True) for m in members],
        incomes=[schemas.IncomeOut.model_validate(i, from_attributes=True) for i in incomes],
        debts=[schemas.DebtOut.model_validate(d, from_attributes=True) for d in debts],
    )


# The hot reads answer a Response of their JSON built from their rows, without models (the route's
# response_model stays the document's): returned as a model, FastAPI validated it again before
# serialising it (schemas.card_json, schemas.list_page_json).


@router.post("", status_code=201, response_model=schemas.HouseholdOut)
async def create_candidate(
    body: schemas.HouseholdIn,
    step: RegistrarStep,
    cipher: CipherDep,
    idem: IdempotencyDep,
    response: Response,
    request: Request,
) -> schemas.HouseholdOut | JSONResponse:
    """A candidate household (建档立卡's first step), its members and their IDs.

    422 also for what the schema cannot say: an identification year after next year (China time),
    a member's ID whose birth date or sex does not match the form."""
    try:
        new = await service.create_candidate(**step.args, data=body, cipher=cipher)
    except PersonActiveElsewhere as refusal:
        return recorded_refusal(refusal, request)  # the conflict is kept, the household is not
    # a new household has no income or debt yet: the card from what was written, not read back
    out = _card_of(new.household, new.members, [], [], response)
    await idem.save(201, out)
    return out


async def import_registered(
    body: schemas.ImportIn,
    session: SessionDep,
    cipher: CipherDep,
    today: TodayDep,
    idem: IdempotencyDep,
    user: Approver,
    request: Request,
) -> schemas.ImportOut | JSONResponse:
    """Households already registered (a provincial roll), up to 5,000 a call: all of them or none.

    422 also for what the schema cannot say, naming the row (``index``): an identification year
    after next year (China time), as registering one household refuses it; a member's ID whose
    birth date or sex does not match the form."""
    try:
        imported, persons = await bulk.import_registered(
            session=session,
            actor=user,
            rows=body.households,  # handed over: emptied once built (bulk.import_registered)
            cipher=cipher,
            today=today,
            source_roll=body.source_roll,
            reason=body.reason,
        )
    except PersonActiveElsewhere as refusal:
        return recorded_refusal(refusal, request)
    out = schemas.ImportOut(imported=imported, persons=persons)
    await idem.save(200, out)
    return out


# the roll's body parsed by pydantic from the bytes, once (households.bulk_request)
router.add_api_route(
    "/imports",
    import_registered,
    methods=["POST"],
    response_model=schemas.ImportOut,
    openapi_extra=LARGE_BODY,
    route_class_override=ParsedBodyRoute.for_model(schemas.ImportIn),
)


async def search_households(
    request: Request,
    user: CurrentUser,
    cipher: CipherDep,
    limit: Limit = 50,
    cursor: Cursor = None,
    area_code: AreaCodeText | None = None,
    status: HouseholdStatus | None = None,
    cause: PovertyCause | None = None,
    batch: str | None = Query(
        default=None,
        max_length=100,
        description="a batch (一批) by its code or Chinese label; an area policy's own batch by its code",
    ),
    name: str | None = Query(default=None, max_length=50),
    resident_id: str | None = Query(default=None, min_length=18, max_length=18),
) -> Response:
    async with request.app.state.db.reading() as session:  # ReadSessionDep's, opened here: see db.reading
        found = await service.search(
            session=session,
            actor=user,
            area_code=area_code,
            status=status,
            cause=cause,
            batch=batch,
            name=name,
            resident_id=resident_id,
            cipher=cipher,
            cursor=cursor,
            limit=limit,
        )
    body = schemas.list_page_json(found.items, found.next_cursor, full_name=service.shows_full_names(user))
    return Response(body, media_type="application/json")


# a county's list page, the clerks' other hot read: its caller, rate limit and query values taken
# without FastAPI's per-request dependency solving (a value FastAPI would refuse: FastAPI's 422)
add_read_route(
    router,
    "",
    search_households,
    response_model=Page[schemas.HouseholdListItem],
    dependencies=[SEARCH_RATE_LIMIT],
    responses=RATE_LIMITED_RESPONSES,
)


async def read_household(household_id: uuid.UUID, user: CurrentUser, request: Request) -> Response:
    async with request.app.state.db.reading() as session:  # ReadSessionDep's, opened here: see db.reading
        found = await service.read_card(session, user, household_id)
    h = found.household
    body = schemas.card_json(h, found.members, found.incomes, found.debts)
    return Response(body, media_type="application/json", headers={"ETag": etag(h["version"])})


# the hottest read: its caller and id taken without FastAPI's per-request dependency solving
add_read_route(router, "/{household_id}", read_household, response_model=schemas.HouseholdOut)


@router.patch("/{household_id}", response_model=schemas.HouseholdOut)
async def update_household(
    household_id: uuid.UUID,
    body: schemas.HouseholdAttributes,
    write: RegistrarWrite,
) -> schemas.HouseholdOut:
    h = await service.update_attributes(**write.args, household_id=household_id, data=body)
    return await card(write.session, h, write.response)


@router.put("/{household_id}/incomes", status_code=204)
async def record_income(
    household_id: uuid.UUID,
    body: schemas.IncomeIn,
    write: RegistrarWrite,
    today: TodayDep,
) -> None:
    """Record a year's per-capita income (no If-Match needed) or change the one recorded with the
    ETag of `GET …/incomes/{year}` in If-Match (428 without, 412 if changed meanwhile; nothing
    written). The new ETag comes back in the ETag header."""
    row = await service.record_income(**write.args, household_id=household_id, data=body, today=today)
    write.tag(row.version)


@router.get("/{household_id}/incomes/{year}", response_model=schemas.IncomeOut)
async def read_income(
    household_id: uuid.UUID,
    year: Annotated[int, Path(ge=2014, le=2100)],
    session: SessionDep,
    user: CurrentUser,
    response: Response,
) -> schemas.IncomeOut:
    """One year's income with its ETag (what a change of it sends in If-Match)."""
    row = await service.read_income(session=session, actor=user, household_id=household_id, year=year)
    response.headers["ETag"] = etag(row.version)
    return schemas.IncomeOut.model_validate(row, from_attributes=True)


@router.post("/{household_id}/debts", status_code=201, response_model=schemas.DebtOut)
async def add_debt(household_id: uuid.UUID, body: schemas.DebtIn, step: RegistrarStep) -> schemas.DebtOut:
    debt = await service.add_debt(**step.args, household_id=household_id, data=body)
    return schemas.DebtOut.model_validate(debt, from_attributes=True)


@router.post("/{household_id}/debts/{debt_id}/settlement", status_code=204)
async def settle_debt(
    household_id: uuid.UUID, debt_id: uuid.UUID, session: SessionDep, user: Registrar
) -> None:
    await service.settle_debt(session=session, actor=user, household_id=household_id, debt_id=debt_id)


@router.post("/{household_id}/members", status_code=201, response_model=schemas.MemberOut)
async def add_member(
    household_id: uuid.UUID, body: schemas.MemberAdd, step: RegistrarStep, cipher: CipherDep, request: Request
) -> schemas.MemberOut | JSONResponse:
    try:
        m = await changes.add_member(**step.args, household_id=household_id, data=body, cipher=cipher)
    except PersonActiveElsewhere as refusal:
        return recorded_refusal(refusal, request)
    return schemas.MemberOut.model_validate(m, from_attributes=True)


@router.post("/{household_id}/members/{member_id}/removal", status_code=204)
async def remove_member(
    household_id: uuid.UUID, member_id: uuid.UUID, body: schemas.MemberRemoval, step: RegistrarStep
) -> None:
    await changes.remove_member(**step.args, household_id=household_id, member_id=member_id, data=body)


@router.post("/{household_id}/head", status_code=204)
async def change_head(
    household_id: uuid.UUID, body: schemas.HeadChange, session: SessionDep, user: Registrar
) -> None:
    await changes.change_head(session=session, actor=user, household_id=household_id, data=body)


@router.get("/{household_id}/members/{member_id}/resident-id", response_model=schemas.ResidentIdOut)
async def reveal_resident_id(
    household_id: uuid.UUID,
    member_id: uuid.UUID,
    session: SessionDep,
    cipher: CipherDep,
    user: Annotated[Principal, Depends(require_roles("registrar", "auditor"))],
) -> schemas.ResidentIdOut:
    number = await service.reveal_resident_id(
        session=session, actor=user, household_id=household_id, member_id=member_id, cipher=cipher
    )
    return schemas.ResidentIdOut(member_id=member_id, resident_id=number)


@router.post("/{household_id}/split", status_code=201, response_model=schemas.HouseholdOut)
async def split_household(
    household_id: uuid.UUID, body: schemas.SplitIn, step: RegistrarStep
) -> schemas.HouseholdOut:
    new = await changes.split(**step.args, household_id=household_id, data=body)
    return await card(step.session, new)


@router.post("/{household_id}/merge", response_model=schemas.HouseholdOut)
async def merge_household(
    household_id: uuid.UUID, body: schemas.MergeIn, session: SessionDep, user: Registrar
) -> schemas.HouseholdOut:
    target = await changes.merge(session=session, actor=user, household_id=household_id, data=body)
    return await card(session, target)


@router.post("/{household_id}/move", response_model=schemas.HouseholdOut)
async def move_household(
    household_id: uuid.UUID, body: schemas.MoveIn, step: RegistrarStep, response: Response
) -> schemas.HouseholdOut:
    """The household moves to another village; the caller's area must hold both villages."""
    h = await changes.move(**step.args, household_id=household_id, data=body)
    return await card(step.session, h, response)
