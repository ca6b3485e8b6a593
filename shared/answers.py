"""How a router shapes its answer, written once: a page of API models, a resource with its ETag.

    @router.get("", response_model=Page[AccountOut])
    async def list_accounts(session: SessionDep, q: AreaPage) -> Page[AccountOut]:
        return page_of(AccountOut, await service.page(session, **q.args))

    @router.get("/{code}", response_model=BudgetOut)
    async def get_budget(code: str, session: SessionDep, user: CurrentUser, response: Response) -> BudgetOut:
        return tagged(response, BudgetOut, await service.get_budget(session, actor=user, code=code))

A created resource that an ``Idempotency-Key`` may replay is answered by the idempotency
dependency itself (``await idem.created(AccountOut, row)``, shared/idempotency.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, is_dataclass
from datetime import date
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Path, Response
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import AreaScope, Principal, admin_only, current_user_dependency
from shared.clock import TodayDep
from shared.db import SessionDep
from shared.fields import AREA_PREFIX_PATTERN
from shared.http import IfMatch, etag
from shared.pagination import Cursor, Limit, Page
from shared.ratelimit import PUBLIC_RATE_LIMIT, RATE_LIMITED_RESPONSES
from shared.repository import Slice

__all__ = [
    "PUBLIC_READ",
    "AdminWrite",
    "AreaPage",
    "AreaPageQuery",
    "CallerRequest",
    "ConditionalWrite",
    "DatedStep",
    "ListRead",
    "PageQuery",
    "PageRead",
    "Paging",
    "PagingLimitFirst",
    "PrefixPath",
    "YearPath",
    "conditional_write",
    "dated_step",
    "page_of",
    "read_page",
    "tagged",
]

M = TypeVar("M", bound=BaseModel)
A = TypeVar("A")  # an answer: an API model, or a rules dataclass under the answer's name
T = TypeVar("T")


def page_of(shape: type[A] | Callable[[T], A], found: Slice[T]) -> Page[A]:
    """One page of the answer: each domain object shaped by ``shape`` (an API model is validated
    from the object's attributes; a rules dataclass under the answer's name is filled from them; a
    function is called), and the cursor to the next page."""
    if isinstance(shape, type) and issubclass(shape, BaseModel):
        model = shape
        return Page[model](**found.map(lambda row: model.model_validate(row, from_attributes=True)))  # type: ignore[valid-type]
    if isinstance(shape, type) and is_dataclass(shape):
        names = [f.name for f in fields(shape)]
        return Page(**found.map(lambda row: shape(**{name: getattr(row, name) for name in names})))
    return Page(**found.map(shape))


def tagged(response: Response, model: type[M], row: Any, *, version: int | str | None = None) -> M:
    """``model`` validated from ``row``, its ETag (``row.version`` unless given) in the header."""
    response.headers["ETag"] = etag(row.version if version is None else version)
    return model.model_validate(row, from_attributes=True)


@dataclass(frozen=True)
class PageQuery:
    """Which keyset page a list is asked for: ``**q.args`` are the service's ``cursor=, limit=``."""

    cursor: str | None
    limit: int

    @property
    def args(self) -> dict[str, Any]:
        return {"cursor": self.cursor, "limit": self.limit}


@dataclass(frozen=True)
class AreaPageQuery(PageQuery):
    """A keyset page of what lies under the caller's area: the service's ``page()`` arguments."""

    area_prefix: str

    @property
    def args(self) -> dict[str, Any]:
        return {"area_prefix": self.area_prefix, **super().args}


async def _paging(cursor: Cursor = None, limit: Limit = 50) -> PageQuery:
    return PageQuery(cursor=cursor, limit=limit)


async def _paging_limit_first(limit: Limit = 50, cursor: Cursor = None) -> PageQuery:
    return PageQuery(cursor=cursor, limit=limit)


async def _area_page(scope: AreaScope, limit: Limit = 50, cursor: Cursor = None) -> AreaPageQuery:
    return AreaPageQuery(area_prefix=scope, cursor=cursor, limit=limit)


# `?cursor=&limit=` (a list's last query parameters, in this order).
Paging = Annotated[PageQuery, Depends(_paging)]


@dataclass(frozen=True)
class CallerRequest:
    """What a route hands its service first, whatever it asks: the request's session and the caller
    (the kinds below: a page read, a conditional write, a dated step; ``**x.args`` for the service)."""

    session: AsyncSession
    actor: Principal


@dataclass(frozen=True)
class PageRead(CallerRequest):
    """A keyset page of a list, read by a caller: ``**read.args`` are the service's
    ``session=, actor=, cursor=, limit=`` (the service narrows the list to what the caller may see:
    their area, a cadre's own households)."""

    page: PageQuery

    @property
    def args(self) -> dict[str, Any]:
        return {"session": self.session, "actor": self.actor, **self.page.args}


def read_page(role: Callable[..., Any] = current_user_dependency) -> Callable[..., Any]:
    """The dependency of a list read: the request's session, the caller that ``role`` lets in (a
    ``require_roles(...)`` dependency; any signed-in caller by default) and ``?cursor=&limit=``.
    A service's alias: ``OfficePage = Annotated[PageRead, Depends(read_page(office))]``."""

    async def dependency(session: SessionDep, *, actor: Principal = Depends(role), q: Paging) -> PageRead:
        return PageRead(session=session, actor=actor, page=q)

    return dependency


@dataclass(frozen=True)
class ConditionalWrite(CallerRequest):
    """A change under optimistic concurrency (a PUT, a PATCH, a transition), as a route receives
    it: the request's session, the caller, the ``If-Match`` header (the service checks it: 428
    without, 412 when stale) and the response whose ``ETag`` the answer sets.

        async def set_budget(code: str, body: BudgetIn, write: FinanceWrite) -> BudgetOut:
            return write.tagged(BudgetOut, await service.set_budget(**write.args, code=code, ...))
    """

    response: Response
    if_match: str | None

    @property
    def args(self) -> dict[str, Any]:
        """The service's ``session=, actor=, if_match=``."""
        return {"session": self.session, "actor": self.actor, "if_match": self.if_match}

    def tagged(self, model: type[M], row: Any, *, version: int | str | None = None) -> M:
        """``model`` validated from ``row``, its ETag in the header (``tagged`` above)."""
        return tagged(self.response, model, row, version=version)

    def tag(self, version: int | str) -> None:
        """The new ETag of an answer without a body (204)."""
        self.response.headers["ETag"] = etag(version)


def conditional_write(role: Callable[..., Any] = current_user_dependency) -> Callable[..., Any]:
    """The dependency of a conditional write by the caller that ``role`` lets in (a
    ``require_roles(...)`` dependency). A service's alias:
    ``FinanceWrite = Annotated[ConditionalWrite, Depends(conditional_write(_finance))]``."""

    async def dependency(
        session: SessionDep, response: Response, *, actor: Principal = Depends(role), if_match: IfMatch = None
    ) -> ConditionalWrite:
        return ConditionalWrite(session=session, actor=actor, response=response, if_match=if_match)

    return dependency


@dataclass(frozen=True)
class DatedStep(CallerRequest):
    """A change dated by the office's calendar (a review, a notice, an objection, a decision), as a
    route receives it: the request's session, the caller and the office's date (``TodayDep``).

        async def record_review(household_id: uuid.UUID, body: ReviewIn, step: RegistrarStep) -> StatusOut:
            return status_out(await service.record_review(**step.args, household_id=household_id, data=body))
    """

    today: date

    @property
    def args(self) -> dict[str, Any]:
        """The service's ``session=, actor=, today=``."""
        return {"session": self.session, "actor": self.actor, "today": self.today}


def dated_step(role: Callable[..., Any] = current_user_dependency) -> Callable[..., Any]:
    """The dependency of a dated change by the caller that ``role`` lets in (a ``require_roles(...)``
    dependency; any signed-in caller by default). A service's alias:
    ``RegistrarStep = Annotated[DatedStep, Depends(dated_step(_registrar))]``."""

    async def dependency(
        session: SessionDep, *, actor: Principal = Depends(role), today: TodayDep
    ) -> DatedStep:
        return DatedStep(session=session, actor=actor, today=today)

    return dependency


# A change under If-Match by an administrator.
AdminWrite = Annotated[ConditionalWrite, Depends(conditional_write(admin_only))]
# A list read by any signed-in caller (the service narrows what they see).
ListRead = Annotated[PageRead, Depends(read_page())]
# The same, `?limit=&cursor=` (the order of the registry's and funds' lists: their documents keep it).
PagingLimitFirst = Annotated[PageQuery, Depends(_paging_limit_first)]
# `?limit=&cursor=` over the caller's area (the query parameters in the order the routes had them).
AreaPage = Annotated[AreaPageQuery, Depends(_area_page)]
# A public read (no login): rate-limited per client, its 429 in the document. ``@router.get(path,
# response_model=..., **PUBLIC_READ)``.
PUBLIC_READ: dict[str, Any] = {"dependencies": [PUBLIC_RATE_LIMIT], "responses": RATE_LIMITED_RESPONSES}
# A budget or policy year in the path.
YearPath = Annotated[int, Path(ge=2000, le=2100)]
# The area prefix a policy record is stored under (2/4/6/9/12 digits), in the path.
PrefixPath = Annotated[str, Path(pattern=AREA_PREFIX_PATTERN)]
