"""``/dci/registry/...``: the DCI registry API (search, subscribe, transaction status) for outside
registries, and ``/dci/clients`` where an admin registers them (docs/DCI.md).

DCI routes take a Bearer token (role ``service``, subject = the client id, as the DCI API's
``Authorization`` scheme asks) **and** a message signature made with the client's registered key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.dci import schemas, service
from services.registry.dci.models import DciClient
from services.registry.deps import Admin, AdminWrite, CipherDep, Machine, TodayDep
from shared.auth import Principal
from shared.clock import Clock, ClockDep
from shared.db import ReadSessionDep, SessionDep
from shared.errors import Problem, request_language
from shared.http import etag
from shared.pii import PiiCipher
from shared.ratelimit import RATE_LIMITED_RESPONSES, TokenBuckets

router = APIRouter(prefix="/dci", tags=["dci"])
ClientId = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9._-]{1,63}$")]
SIGNED: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "No valid token, or the message signature is missing or wrong"},
    403: {"model": Problem, "description": "The sender is not a registered, active client of your token"},
    409: {"model": Problem, "description": "The message_id was received before (rjct.message_id.duplicate)"},
    422: {"model": Problem, "description": "Malformed message or header (DCI code in `errors`)"},
}


_HEADER = {
    "version": "1.0.0",
    "message_id": "m-20261204-0001",
    "message_ts": "2026-12-04T10:00:00+08:00",
    "sender_id": "gd-civil-affairs",
    "receiver_id": "jingzhun-registry",
}
_SIGNATURE = (
    'Signature: namespace="dci", kidId="gd-civil-affairs|1|hmac-sha256", algorithm="hmac-sha256", '
    'created="1764813600", expires="1764814200", headers="(created) (expires) digest", signature="…"'
)
_SENT_AT = "2026-12-04T10:00:00+08:00"


def _example(summary: str, action: str, transaction: str, reference: str, criteria: Any) -> dict[str, Any]:
    """A signed DCI message with one request item, as Swagger UI offers it to try."""
    item = {"reference_id": reference, "timestamp": _SENT_AT, f"{action}_criteria": criteria}
    message = {"transaction_id": transaction, f"{action}_request": [item]}
    header = _HEADER | {"action": action, "total_count": 1}
    return {"summary": summary, "value": {"signature": _SIGNATURE, "header": header, "message": message}}


def _expression(name: str, operator: str, value: str | int) -> dict[str, Any]:
    return {"attribute_name": name, "operator": operator, "attribute_value": value}


SEARCH_EXAMPLES: dict[str, Any] = {
    "by-resident-id": _example(
        "Is this person registered, and where?",
        "search",
        "t-0001",
        "r1",
        {"query_type": "idtype-value", "query": {"type": "RESIDENT_ID", "value": "440783197005170010"}},
    ),
    "by-expression": _example(
        "Registered households of a village from 2016 on, 50 a page",
        "search",
        "t-0002",
        "r1",
        {
            "query_type": "predicate",
            "query": [
                {
                    "seq_num": 1,
                    "expression1": _expression("area_code", "eq", "440783105201"),
                    "condition": "and",
                    "expression2": _expression("status", "eq", "registered"),
                },
                {"seq_num": 2, "expression1": _expression("year", "ge", 2016)},
            ],
            "pagination": {"page_size": 50, "page_number": 1},
        },
    ),
}
SUBSCRIBE_EXAMPLES: dict[str, Any] = {
    "exits-in-a-county": _example(
        "Tell me when a household of this county exits",
        "subscribe",
        "t-0003",
        "s1",
        {
            "reg_event_type": "jingzhun:RegistryEventType:exited",
            "filter_type": "expression",
            "filter": {"type": "jingzhun:QueryType:attributes", "value": {"area_code": "440783000000"}},
            "notify_record_type": "jingzhun:RecordType:Household",
        },
    ),
}
SearchBody = Annotated[schemas.SearchEnvelope, Body(openapi_examples=SEARCH_EXAMPLES)]
SubscribeBody = Annotated[schemas.SubscribeEnvelope, Body(openapi_examples=SUBSCRIBE_EXAMPLES)]


def _buckets(request: Request) -> dict[tuple[int, int], TokenBuckets]:
    state = request.app.state
    if not hasattr(state, "dci_buckets"):
        state.dci_buckets = {}
    return state.dci_buckets  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class Signed:
    """What every signed DCI route takes: the request (the signature covers its body as sent),
    the transaction, the token's principal, the cipher and the clock."""

    request: Request
    session: AsyncSession
    user: Principal
    cipher: PiiCipher
    clock: Clock

    @property
    def receiver_id(self) -> str:
        return str(self.request.app.state.settings.dci_receiver_id)

    async def message(self, *, action: str, items: int) -> service.Message:
        """The message as sent and its sender, authenticated (token, signature, agreement), to be
        answered now."""
        raw = await self.request.json()  # the signature covers the message as sent, not as parsed
        client = await service.authenticate(
            self.session,
            user=self.user,
            body=raw,
            action=action,
            items=items,
            receiver_id=self.receiver_id,
            cipher=self.cipher,
        )
        return service.Message(
            self.session,
            client,
            raw,
            self.cipher,
            self.clock.now(),
            self.receiver_id,
            request_language(self.request),
        )


async def _signed(
    request: Request, session: SessionDep, user: Machine, cipher: CipherDep, clock: ClockDep
) -> Signed:
    return Signed(request, session, user, cipher, clock)


SignedCall = Annotated[Signed, Depends(_signed)]


@router.post("/registry/sync/search", response_model=schemas.Reply, responses=SIGNED | RATE_LIMITED_RESPONSES)
async def sync_search(body: SearchBody, call: SignedCall, today: TodayDep) -> dict[str, Any]:
    """Search the registry now: a person by resident ID (is this person registered, in which
    household, area and status) or households by area, status, batch, poverty cause and year, one
    page each. Answered as `on-search`, signed, within the client's area and data rights.
    A header DCI refuses (action, total_count, receiver_id, sender_id, encryption: docs/DCI.md) is
    422 dci-message-invalid."""
    message = await call.message(action="search", items=len(body.message.search_request))
    service.take_search_token(_buckets(call.request), message.client)
    return await service.sync_search(message, today=today)


@router.post(
    "/registry/search", status_code=202, response_model=schemas.Ack, responses=SIGNED | RATE_LIMITED_RESPONSES
)
async def search(body: SearchBody, call: SignedCall, today: TodayDep) -> dict[str, Any]:
    """Search later: acknowledged now (`ACK` with a correlation id); the answer is POSTed, signed, to
    the client's `{callback_url}/on-search`, and `txn/status` tells how far it is.
    A header DCI refuses (action, total_count, receiver_id, sender_id, encryption: docs/DCI.md) is
    422 dci-message-invalid."""
    message = await call.message(action="search", items=len(body.message.search_request))
    service.take_search_token(_buckets(call.request), message.client)
    return await service.async_search(message, today=today)


async def _txn_status(call: Signed) -> dict[str, Any]:
    return await service.txn_status(await call.message(action="txn-status", items=1))


@router.post("/registry/txn/status", response_model=schemas.Reply, responses=SIGNED)
async def txn_status(body: schemas.TxnStatusEnvelope, call: SignedCall) -> dict[str, Any]:
    """The status (and for a finished search, the answer) of an earlier search, subscribe or
    unsubscribe by transaction_id or correlation_id; answered in the response (`txn-on-status`).
    A header DCI refuses (action, total_count, receiver_id, sender_id, encryption: docs/DCI.md) is
    422 dci-message-invalid."""
    return await _txn_status(call)


@router.post("/registry/sync/txn/status", response_model=schemas.Reply, responses=SIGNED)
async def sync_txn_status(body: schemas.TxnStatusEnvelope, call: SignedCall) -> dict[str, Any]:
    """The same as `txn/status` (DCI's synchronous path).
    A header DCI refuses (action, total_count, receiver_id, sender_id, encryption: docs/DCI.md) is
    422 dci-message-invalid."""
    return await _txn_status(call)


@router.post("/registry/subscribe", response_model=schemas.Reply, responses=SIGNED)
async def subscribe(body: SubscribeBody, call: SignedCall) -> dict[str, Any]:
    """Subscribe to households registered, exited, relapsed, moved or with a member who died, under
    an area: each such event is POSTed, signed, to `{callback_url}/notify`, at least once, in order.
    Answered here as `on-subscribe` with a subscription code per request.
    A header DCI refuses (action, total_count, receiver_id, sender_id, encryption: docs/DCI.md) is
    422 dci-message-invalid."""
    return await service.subscribe(
        await call.message(action="subscribe", items=len(body.message.subscribe_request))
    )


@router.post("/registry/unsubscribe", response_model=schemas.Reply, responses=SIGNED)
async def unsubscribe(body: schemas.UnsubscribeEnvelope, call: SignedCall) -> dict[str, Any]:
    """End subscriptions by their codes (all or none); answered as `on-unsubscribe`.
    A header DCI refuses (action, total_count, receiver_id, sender_id, encryption: docs/DCI.md) is
    422 dci-message-invalid."""
    return await service.unsubscribe(
        await call.message(action="unsubscribe", items=len(body.message.subscription_codes))
    )


# ------------------------------------------------------------------------------------- admin


def _out(client: DciClient) -> schemas.ClientOut:
    return schemas.ClientOut.model_validate(client, from_attributes=True)


@router.post("/clients", status_code=201, response_model=schemas.ClientWithSecret)
async def register_client(
    body: schemas.ClientIn, session: SessionDep, user: Admin, cipher: CipherDep
) -> schemas.ClientWithSecret:
    """Register an outside system under its agreement: id (its DCI sender_id), callback URL, area,
    data rights and search rate. The answer holds its signing secret, shown this once (admin)."""
    client, secret = await service.create_client(session, user, body, cipher=cipher)
    return schemas.ClientWithSecret(**_out(client).model_dump(), secret=secret)


@router.get("/clients", response_model=list[schemas.ClientOut])
async def list_clients(session: ReadSessionDep, user: Admin) -> list[schemas.ClientOut]:
    """The registered DCI clients (never their secrets; admin)."""
    return [_out(c) for c in await service.list_clients(session)]


@router.get("/clients/{client_id}", response_model=schemas.ClientOut)
async def read_client(
    client_id: ClientId, session: ReadSessionDep, user: Admin, response: Response
) -> schemas.ClientOut:
    """One registered DCI client (admin), with its ETag (send it in If-Match to change it)."""
    client = await service.get_client(session, client_id)
    response.headers["ETag"] = etag(client.version)
    return _out(client)


@router.patch("/clients/{client_id}", response_model=schemas.ClientWithSecret | schemas.ClientOut)
async def change_client(
    client_id: ClientId,
    body: schemas.ClientChange,
    write: AdminWrite,
    cipher: CipherDep,
    clock: ClockDep,
) -> schemas.ClientOut:
    """Change a client's agreement, stop it (`active: false` also ends its subscriptions) or issue
    a new secret (`rotate_secret`: shown once in the answer) (admin). If-Match with the ETag of
    `GET /dci/clients/{id}` (428 without, 412 if another admin changed it meanwhile; nothing written)."""
    client, secret = await service.change_client(
        **write.args, client_id=client_id, data=body, cipher=cipher, now=clock.now()
    )
    write.tag(client.version)
    if secret is not None:
        return schemas.ClientWithSecret(**_out(client).model_dump(), secret=secret)
    return _out(client)
