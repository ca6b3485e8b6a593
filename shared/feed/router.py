"""``/<service>/v1/feed/...``: the pull feed and the push subscriptions' status, mounted on every service."""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import urlsplit, urlunsplit

from fastapi import APIRouter, Depends, Query, Request
from nats.js import JetStreamContext
from pydantic import BaseModel, Field

from shared.auth import Admin, Principal, require_roles
from shared.clock import OfficeDateTime
from shared.errors import Conflict, DomainError, InvalidInput, Problem
from shared.events.streams import stream_for
from shared.feed.config import FeedSubscription, InvalidSubjectFilter, check_subject_filter
from shared.feed.reader import CursorAhead, read_page
from shared.feed.status import DeliveryStatus, StatusStore, pending_of
from shared.settings import ServiceSettings

__all__ = ["MAX_LIMIT", "FeedUnavailable", "feed_router", "jetstream"]

MAX_LIMIT = 500


class FeedUnavailable(DomainError):
    status = 503
    type_slug = "feed-unavailable"
    title = "The event feed is unavailable"
    title_zh = "事件订阅暂不可用"
    hint_zh = "稍后重试"
    hint_en = "Try again later"


class FeedCursorAhead(Conflict):
    """A well-formed cursor past the stream's end: the stream was rebuilt since the client read it."""

    type_slug = "feed-cursor-ahead"
    title = "The cursor is past the end of the stream"
    title_zh = "游标超过了事件流的末尾"
    hint_zh = "事件流已重建：从0重新读取，并按事件编号去重"
    hint_en = "The stream was rebuilt: read again from 0 and de-duplicate by event id"


class FeedEntry(BaseModel):
    seq: int = Field(description="stream sequence: pass the last one as `after` to continue")
    event: dict[str, Any] = Field(description="the CloudEvent 1.0 (structured JSON) as published")


class FeedPage(BaseModel):
    events: list[FeedEntry]
    next_after: int = Field(description="the cursor for the next page (past events left out by area too)")
    has_more: bool = Field(description="more matching events follow right now; else poll again later")
    last_seq: int = Field(description="the stream's last sequence when this page was read")


class SubscriptionView(BaseModel):
    name: str
    url: str = Field(description="the receiver (without credentials or query)")
    subjects: str
    area_prefix: str
    batch_size: int
    pending: int | None = Field(description="events not yet accepted by the receiver; null if unknown")
    last_delivery_at: OfficeDateTime | None
    last_delivered_seq: int | None
    delivered_events: int
    last_error: str | None
    last_error_at: OfficeDateTime | None
    consecutive_failures: int
    retry_at: OfficeDateTime | None


FeedReader = Annotated[Principal, Depends(require_roles("service", "auditor"))]


async def jetstream(request: Request) -> JetStreamContext:
    """The service's JetStream context, or 503 ``FeedUnavailable`` (also the registry snapshot's)."""
    return await _jetstream(request)


async def _jetstream(request: Request) -> JetStreamContext:
    try:
        js: JetStreamContext = await request.app.state.runtime.jetstream()
    except Exception as exc:
        raise FeedUnavailable("The event bus cannot be reached right now; try again shortly") from exc
    return js


def subject_filter_pattern(service: str) -> str:
    """What :func:`check_subject_filter` takes for ``service``, as a regular expression for the document."""
    token = r"([A-Za-z0-9_-]+|\*)"
    return rf"^{re.escape(service)}(\.{token})*\.({token}|>)$"


def feed_router(service: str | None = None) -> APIRouter:
    """``service``: the stream's service, so the document states the subject filters it takes."""
    router = APIRouter(prefix="/feed", tags=["feed"])
    types_pattern = subject_filter_pattern(service) if service else None
    unavailable: dict[int | str, dict[str, Any]] = {
        503: {"model": Problem, "description": "The event bus is unreachable"}
    }

    @router.get("/events", response_model=FeedPage, responses=unavailable)
    async def pull_events(
        request: Request,
        user: FeedReader,
        after: Annotated[int, Query(ge=0, description="last stream sequence read (0: from the start)")] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="events examined at most")] = 100,
        # a default, not an annotation: the pattern is this router's (annotations are strings here)
        types: str | None = Query(  # noqa: B008
            default=None,
            max_length=200,
            pattern=types_pattern,
            description="subject filter, e.g. `registry.household.>`",
        ),
    ) -> FeedPage:
        """This service's events in stream order after a cursor, for provincial platforms and other
        departments (roles service, auditor, admin). Events whose `data.area_code` is outside your
        area are left out; `next_after` still moves past them. See docs/FEED.md."""
        settings: ServiceSettings = request.app.state.settings
        service = settings.service_name
        try:
            subjects = check_subject_filter(service, types) if types else f"{service}.>"
        except InvalidSubjectFilter as exc:
            raise InvalidInput(f"types: {exc}", field="types") from exc
        js = await _jetstream(request)
        try:
            page = await read_page(
                js, service=service, after=after, limit=limit, subjects=subjects, area_prefix=user.area_prefix
            )
        except CursorAhead as exc:
            raise FeedCursorAhead(
                f"after: {exc}; start again from 0 or from a cursor this feed gave you",
                detail_zh=(
                    f"游标 {exc.after} 超过了事件流的最后序号 {exc.last_seq}：请从0或本接口给出的游标重新读取"
                ),
                field="after",
                last_seq=exc.last_seq,
            ) from exc
        except TimeoutError as exc:
            raise FeedUnavailable("Reading the stream timed out; try again") from exc
        return FeedPage(
            events=[FeedEntry(seq=seq, event=event) for seq, event in page.events],
            next_after=page.next_after,
            has_more=page.has_more,
            last_seq=page.last_seq,
        )

    @router.get("/subscriptions", response_model=list[SubscriptionView], responses=unavailable)
    async def subscriptions(request: Request, user: Admin) -> list[SubscriptionView]:
        """The webhook subscriptions ops configured for this service and how delivery goes (admin)."""
        settings: ServiceSettings = request.app.state.settings
        if not settings.feed_subscriptions:
            return []
        js = await _jetstream(request)
        store = StatusStore(js, service=settings.service_name, replicas=settings.nats_stream_replicas)
        return [await _view(js, store, settings.service_name, s) for s in settings.feed_subscriptions]

    return router


async def _view(
    js: JetStreamContext, store: StatusStore, service: str, sub: FeedSubscription
) -> SubscriptionView:
    try:
        info = await js.consumer_info(stream_for(service), sub.durable)
        pending: int | None = pending_of(info)
    except Exception:
        pending = None  # not bound yet (no delivery round has run) or the bus is busy
    try:
        status = await store.get(sub.name)
    except Exception:
        status = DeliveryStatus()
    # Never show credentials a URL may carry (user:password@, ?token=).
    parts = urlsplit(str(sub.url))
    netloc = f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)
    shown = urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    return SubscriptionView(
        name=sub.name,
        url=shown,
        subjects=sub.subjects,
        area_prefix=sub.area_prefix,
        batch_size=sub.batch_size,
        pending=pending,
        **status.model_dump(exclude={"last_delivery_id"}),
    )
