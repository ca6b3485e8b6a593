"""Use cases of the DCI registry API. Services flush, never commit (the request owns the
transaction); the delivery job (delivery.py) opens its own."""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.dci import rules, signing
from services.registry.dci.models import DciClient, DciSubscription, DciTransaction
from services.registry.dci.repository import DciRepository
from services.registry.dci.rules import Criteria, MessageRefused, Rejected
from services.registry.dci.schemas import ClientChange, ClientIn
from services.registry.errors import (
    DciClientExists,
    DciClientNotFound,
    DciDuplicateMessage,
    DciMessageInvalid,
    DciRateLimited,
    DciSenderInvalid,
    DciSignatureInvalid,
    DciTransactionNotFound,
    dci_errors,
)
from shared import audit
from shared.auth import Principal
from shared.events.envelope import CloudEvent
from shared.http import check_if_match
from shared.pii import PiiCipher, mask_name
from shared.problems import Language
from shared.ratelimit import TokenBuckets

Raw = Mapping[str, Any]


# ------------------------------------------------------------------------------ authentication


async def authenticate(
    session: AsyncSession,
    *,
    user: Principal,
    body: Raw,
    action: str,
    items: int,
    receiver_id: str,
    cipher: PiiCipher,
) -> DciClient:
    """The registered client that sent this message, its header checked and its signature valid."""
    header = body.get("header") or {}
    try:
        rules.check_header(header, action=action, receiver_id=receiver_id, items=items, token_sub=user.sub)
    except MessageRefused as exc:
        error = DciSenderInvalid if exc.status == 403 else DciMessageInvalid
        raise error(exc.message, **dci_errors(exc.code, exc.message)) from exc
    repo = DciRepository(session)
    client = await repo.client(user.sub)
    if client is None or not client.active or not user.covers(client.area_code):
        message = "no active DCI client is registered under this sender_id in your area"
        raise DciSenderInvalid(message, **dci_errors("err.sender_id.invalid", message))
    try:
        signed_by = signing.verify(
            cipher.decrypt(client.secret_cipher),
            body.get("signature"),
            header=header,
            message=body.get("message"),
            now_s=int(time.time()),  # signatures live in real time, whatever the business clock
        )
    except signing.SignatureProblem as exc:
        raise DciSignatureInvalid(str(exc), **dci_errors(exc.code, str(exc))) from exc
    if signed_by != client.id:
        message = "the signature's kidId names another sender"
        raise DciSignatureInvalid(message, **dci_errors("err.signature.invalid", message))
    if await repo.message_seen(client.id, str(header["message_id"])):
        message = f"message_id {header['message_id']} was received before"
        raise DciDuplicateMessage(message, **dci_errors("rjct.message_id.duplicate", message))
    return client


def take_search_token(buckets: dict[tuple[int, int], TokenBuckets], client: DciClient) -> None:
    """The client's agreed search rate (token bucket per client, in this process)."""
    key = (client.search_per_minute, client.search_burst)
    bucket = buckets.get(key)
    if bucket is None:
        bucket = buckets[key] = TokenBuckets(per_minute=key[0], burst=key[1])
    wait = bucket.take(client.id)
    if wait:
        message = (
            f"client {client.id} may search {client.search_per_minute} times a minute; try again in {wait} s"
        )
        raise DciRateLimited(
            message,
            detail_zh=f"查询过于频繁，请 {wait} 秒后再试",
            retry_after_s=wait,
            **dci_errors("err.request.too_many_requests", message),
        )


@dataclass(frozen=True, slots=True)
class Signer:
    """What signs this registry's answers and callbacks: the cipher that opens the client's
    secret, this registry's id (the sender) and the instant."""

    cipher: PiiCipher
    receiver_id: str
    now: datetime

    def reply(self, client: DciClient, *, action: str, message: dict[str, Any], total: int) -> dict[str, Any]:
        """A signed answer (or callback) to ``client``: signature, header, message."""
        header = rules.reply_header(
            action=action,
            message_id=str(uuid.uuid4()),
            now=self.now,
            sender_id=self.receiver_id,
            receiver_id=client.id,
            total=total,
            completed=total,
        )
        signature = signing.sign(
            self.cipher.decrypt(client.secret_cipher),
            sender_id=self.receiver_id,
            header=header,
            message=message,
            now_s=int(time.time()),  # checked by the client against its real clock
        )
        return {"signature": signature, "header": header, "message": message}


@dataclass(frozen=True, slots=True)
class Message:
    """A signed message being answered: the transaction it is answered in, its authenticated
    sender, the message as sent, the cipher that opens the sender's secret, the instant it is
    answered at and this registry's id (the reply's sender)."""

    session: AsyncSession
    client: DciClient
    body: Raw
    cipher: PiiCipher
    now: datetime
    receiver_id: str
    language: Language = "zh"  # of the sender's request (Accept-Language): the words of its refusals

    def said(self, english: str, chinese: str) -> str:
        """A ``status_reason_message`` in the sender's language."""
        return english if self.language == "en" else chinese

    def reply(self, *, action: str, message: dict[str, Any], total: int) -> dict[str, Any]:
        """The signed answer to the message's sender."""
        signer = Signer(self.cipher, self.receiver_id, self.now)
        return signer.reply(self.client, action=action, message=message, total=total)


# -------------------------------------------------------------------------------------- search


def parse_items(
    items: Sequence[Raw], *, cipher: PiiCipher, today: date, language: Language = "zh"
) -> list[dict[str, Any]]:
    """Each search request parsed (a resident ID kept only as its keyed hash) or its rejection, worded
    in the sender's language (kept so, for an answer given later)."""
    parsed: list[dict[str, Any]] = []
    seen: set[str] = set()
    for item in items:
        entry: dict[str, Any] = {"reference_id": str(item["reference_id"])}
        try:
            if entry["reference_id"] in seen:
                raise Rejected(
                    "rjct.reference_id.duplicate",
                    "reference_id repeats within the message",
                    "同一消息中的请求编号（reference_id）重复",
                )
            seen.add(entry["reference_id"])
            criteria = rules.parse_search(item.get("search_criteria"), hash_id=cipher.keyed_hash, today=today)
            entry["criteria"] = criteria.to_json()
        except Rejected as exc:
            entry["rejected"] = {"code": exc.code, "message": exc.said(language)}
        parsed.append(entry)
    return parsed


async def answer(
    session: AsyncSession, client: DciClient, parsed: Sequence[Mapping[str, Any]], *, now: datetime
) -> list[dict[str, Any]]:
    """``search_response`` entries for parsed requests, within the client's area and data rights."""
    repo = DciRepository(session)
    out = []
    for entry in parsed:
        base = {"reference_id": entry["reference_id"], "timestamp": now.isoformat()}
        if "rejected" in entry:
            out.append(
                base
                | {
                    "status": "rjct",
                    "status_reason_code": entry["rejected"]["code"],
                    "status_reason_message": entry["rejected"]["message"],
                }
            )
            continue
        criteria = Criteria.from_json(entry["criteria"])
        records, total, record_type = await _records(session, repo, client, criteria)
        out.append(
            base
            | {
                "status": "succ",
                "data": {
                    "version": rules.DCI_VERSION,
                    "reg_type": rules.REG_TYPE,
                    "reg_record_type": record_type,
                    "reg_records": records,
                },
                "pagination": {
                    "page_size": criteria.page_size,
                    "page_number": criteria.page_number,
                    "total_count": total,
                },
            }
        )
    return out


async def _records(
    session: AsyncSession, repo: DciRepository, client: DciClient, c: Criteria
) -> tuple[list[dict[str, Any]], int, str]:
    rights = client.data_rights
    scope = rules.prefix_of(client.area_code)
    if c.kind == "person":
        assert c.resident_id_hash is not None
        found = await repo.person(c.resident_id_hash, scope)
        members = await repo.members_of([h["household_id"] for _, h in found]) if "members" in rights else {}
        records = [
            rules.person_record(_person(m), rights)
            | {
                "household": rules.household_record(
                    h, [_person(x) for x in members.get(h["household_id"], [])], rights
                )
            }
            for m, h in found
        ]
        # A look-up of a named person is audited (who asked about whom is kept, not the ID itself).
        await audit.record(
            session,
            f"dci:{client.id}",
            "dci.person_searched",
            ("dci_client", client.id),
            after={"resident_id_hash": c.resident_id_hash[:16], "found": len(records)},
        )
        return records[(c.page_number - 1) * c.page_size :][: c.page_size], len(records), rules.RECORD_PERSON
    prefix = rules.scope_prefix(scope, c.area_code)
    if prefix is None:
        return [], 0, rules.RECORD_HOUSEHOLD
    rows, total = await repo.households(c, prefix)
    members = await repo.members_of([h["household_id"] for h in rows]) if "members" in rights else {}
    records = [
        rules.household_record(h, [_person(m) for m in members.get(h["household_id"], [])], rights)
        for h in rows
    ]
    return records, total, rules.RECORD_HOUSEHOLD


def _person(m: Any) -> dict[str, Any]:
    return {
        "name_masked": mask_name(m.name),
        "resident_id_masked": m.resident_id_masked,
        "relation": m.relation,
    }


async def sync_search(m: Message, *, today: date) -> dict[str, Any]:
    parsed = parse_items(
        m.body["message"]["search_request"], cipher=m.cipher, today=today, language=m.language
    )
    responses = await answer(m.session, m.client, parsed, now=m.now)
    txn = _transaction(m, action="search", mode="sync", parsed=parsed)
    txn.status = "succ"
    txn.completed_at = m.now
    # what txn/status tells later: each request's status, not the records again
    txn.response = _search_message(txn, [_without_records(r) for r in responses])
    await DciRepository(m.session).add(txn)
    return m.reply(action="on-search", message=_search_message(txn, responses), total=len(responses))


async def async_search(m: Message, *, today: date) -> dict[str, Any]:
    """Received: answered later by the delivery job, with an ``on-search`` callback."""
    parsed = parse_items(
        m.body["message"]["search_request"], cipher=m.cipher, today=today, language=m.language
    )
    txn = _transaction(m, action="search", mode="async", parsed=parsed)
    txn.status = "pdng"
    await DciRepository(m.session).add(txn)
    return {
        "message": {"ack_status": "ACK", "timestamp": m.now.isoformat(), "correlation_id": txn.correlation_id}
    }


def _transaction(m: Message, *, action: str, mode: str, parsed: list[dict[str, Any]]) -> DciTransaction:
    return DciTransaction(
        id=uuid.uuid4(),
        client_id=m.client.id,
        message_id=str(m.body["header"]["message_id"]),
        transaction_id=str(m.body["message"]["transaction_id"]),
        correlation_id=uuid.uuid4().hex,
        action=action,
        mode=mode,
        status="rcvd",
        request=parsed,
        callback_state="none",
        attempts=0,
        created_at=m.now,
    )


def _search_message(txn: DciTransaction, responses: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "transaction_id": txn.transaction_id,
        "correlation_id": txn.correlation_id,
        "search_response": responses,
    }


def _without_records(response: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in response.items() if k != "data"}


async def complete_async(
    session: AsyncSession, txn: DciTransaction, client: DciClient, *, now: datetime
) -> None:
    """Answer a pending asynchronous search (the delivery job); the callback goes out next."""
    responses = await answer(session, client, txn.request, now=now)
    txn.response = _search_message(txn, responses)
    txn.status = "succ"
    txn.completed_at = now
    txn.callback_state = "pending" if client.callback_url and client.active else "none"
    await session.flush()


# ---------------------------------------------------------------------------------- txn status


async def txn_status(m: Message) -> dict[str, Any]:
    query = m.body["message"]["txnstatus_request"]
    by_txn = query["attribute_type"] == "transaction_id"
    found = await DciRepository(m.session).transactions(
        m.client.id,
        transaction_id=query["attribute_value"] if by_txn else None,
        correlation_id=None if by_txn else query["attribute_value"],
        action=query["txn_type"],
    )
    if not found:
        message = f"no {query['txn_type']} transaction {query['attribute_value']} of client {m.client.id}"
        raise DciTransactionNotFound(message, **dci_errors("err.request.not_found", message))
    txn = found[-1]
    status = txn.response or _search_message(
        txn,
        [
            {"reference_id": e["reference_id"], "timestamp": txn.created_at.isoformat(), "status": txn.status}
            for e in txn.request
        ],
    )
    out = {
        "transaction_id": m.body["message"]["transaction_id"],
        "correlation_id": txn.correlation_id,
        "txnstatus_response": {"txn_type": f"on-{txn.action}", "txn_status": status},
    }
    return m.reply(action="txn-on-status", message=out, total=1)


# --------------------------------------------------------------------------------- subscribe


async def subscribe(m: Message) -> dict[str, Any]:
    repo = DciRepository(m.session)
    txn = _transaction(m, action="subscribe", mode="sync", parsed=[])
    responses = []
    for item in m.body["message"]["subscribe_request"]:
        base: dict[str, Any] = {"reference_id": str(item["reference_id"]), "timestamp": m.now.isoformat()}
        criteria = item.get("subscribe_criteria") or {}
        try:
            kind = rules.parse_event_kind(criteria.get("reg_event_type"))
            area = rules.parse_subscribe_area(criteria.get("filter_type"), criteria.get("filter"))
            if not rules.area_within(m.client.area_code, area):
                raise Rejected(
                    "rjct.notify_details.invalid",
                    "the area lies outside the client's agreed area",
                    f"地区 {area} 不在本对接系统协议约定的范围内",
                )
            if await repo.live_subscription(m.client.id, kind, area) is not None:
                raise Rejected(
                    "rjct.event.already_subscribed",
                    f"already subscribed to {kind} under {area}",
                    f"已订阅地区 {area} 的 {kind} 事件，不必重复订阅",
                )
        except Rejected as exc:
            responses.append(
                base
                | {
                    "status": "rjct",
                    "status_reason_code": exc.code,
                    "status_reason_message": exc.said(m.language),
                }
            )
            continue
        sub = DciSubscription(
            code=uuid.uuid4().hex,
            client_id=m.client.id,
            transaction_id=txn.transaction_id,
            reference_id=base["reference_id"],
            event_kind=kind,
            area_code=area,
            active=True,
            created_at=m.now,
        )
        await repo.add(sub)
        responses.append(base | {"status": "succ", "subscriptions": [subscription_info(sub)]})
    out = {
        "transaction_id": txn.transaction_id,
        "correlation_id": txn.correlation_id,
        "subscribe_response": responses,
    }
    references = [r["reference_id"] for r in responses]
    return await _answered(m, txn, out, "succ", references)


async def _answered(
    m: Message, txn: DciTransaction, out: dict[str, Any], status: str, references: list[str]
) -> dict[str, Any]:
    """A (un)subscribe answered at once: its transaction kept with the answer (what txn/status
    tells later) and one ``reference_id`` per item, and the signed ``on-…`` reply."""
    txn.status, txn.completed_at, txn.response = status, m.now, out
    txn.request = [{"reference_id": r} for r in references]
    await DciRepository(m.session).add(txn)
    return m.reply(action=f"on-{txn.action}", message=out, total=len(references))


def subscription_info(sub: DciSubscription) -> dict[str, Any]:
    return {
        "version": rules.DCI_VERSION,
        "code": sub.code,
        "status": "subscribe" if sub.active else "unsubscribe",
        "timestamp": sub.created_at.isoformat(),
        "reg_type": rules.REG_TYPE,
        "reg_event_type": rules.EVENT_TYPE_PREFIX + sub.event_kind,
        "filter_type": "expression",
        "filter": {"type": rules.TEMPLATE_TYPE, "value": {"area_code": sub.area_code}},
        "notify_record_type": rules.RECORD_HOUSEHOLD,
    }


async def unsubscribe(m: Message) -> dict[str, Any]:
    codes = [str(code) for code in m.body["message"]["subscription_codes"]]
    txn = _transaction(m, action="unsubscribe", mode="sync", parsed=[])
    repo = DciRepository(m.session)
    subs = [await repo.subscription(code, lock=True) for code in codes]
    out: dict[str, Any] = {
        "transaction_id": txn.transaction_id,
        "correlation_id": txn.correlation_id,
        "timestamp": m.now.isoformat(),
    }
    if any(s is None or s.client_id != m.client.id for s in subs):
        out |= {
            "status": "rjct",
            "status_reason_code": "rjct.subscription_code.invalid",
            "status_reason_message": m.said(
                "a subscription code is not one of this client's", "有订阅编号不属于本对接系统"
            ),
        }
    elif any(s is not None and not s.active for s in subs):
        out |= {
            "status": "rjct",
            "status_reason_code": "rjct.event.already_unsubscribed",
            "status_reason_message": m.said("a subscription was already ended", "有订阅已经取消过"),
        }
    else:
        for s in subs:
            assert s is not None
            s.active, s.ended_at = False, m.now
        out |= {
            "status": "succ",
            "subscription_status": [{"code": s.code, "status": "unsubscribe"} for s in subs if s],
        }
    return await _answered(m, txn, out, out["status"], codes)


# ----------------------------------------------------------------------------------- notify


async def on_registry_events(session: AsyncSession, events: Sequence[CloudEvent]) -> None:
    """``on_registry_event`` for a run of events: the live subscriptions read once per kind of
    event in the run; only an event some subscription hears goes on to make its notify items (an
    import's thousands of events with no subscriber cost one query)."""
    kinds = {e.id: rules.event_kind(e.type, e.data) for e in events}
    repo = DciRepository(session)
    heard: dict[str, list[datetime]] = {}
    for kind in sorted({k for k in kinds.values() if k is not None}):
        latest = max(e.time for e in events if kinds[e.id] == kind)
        heard[kind] = [s.created_at for s, _ in await repo.listeners(kind, since=latest)]
    for event in events:
        of = kinds[event.id]
        if of is not None and any(made <= event.time for made in heard[of]):
            await on_registry_event(session, event)


async def on_registry_event(session: AsyncSession, event: CloudEvent) -> None:
    """Consumer of the registry's own stream: a notify item per live subscription that hears it.
    Idempotent (the inbox, and one row per subscription and event)."""
    kind = rules.event_kind(event.type, event.data)
    if kind is None:
        return
    repo = DciRepository(session)
    listeners = await repo.listeners(kind, since=event.time)
    if not listeners:
        return
    areas = rules.event_areas(event.data)
    household = await repo.household(str(event.data["household_id"]))
    if household is None:
        return
    for sub, client in listeners:
        if not rules.watches(sub.area_code, client.area_code, areas):
            continue
        record = rules.household_record(household, None, client.data_rights)
        if not rules.area_within(client.area_code, household["area_code"]):
            record.pop("area_code", None)  # moved out of the client's area: where to is not its business
        details = _details(kind, event.data, client)
        item = {
            "reference_id": event.id,
            "timestamp": event.time.isoformat(),
            "subscription_code": sub.code,
            "data": {
                "version": rules.DCI_VERSION,
                "reg_type": rules.REG_TYPE,
                "reg_event_type": rules.EVENT_TYPE_PREFIX + kind,
                "reg_record_type": rules.RECORD_HOUSEHOLD,
                "reg_records": [record | {"event": details}],
            },
        }
        await repo.add_notification(
            {
                "client_id": client.id,
                "subscription_code": sub.code,
                "event_id": event.id,
                "item": item,
                "created_at": event.time,
            }
        )


def _details(kind: str, data: Mapping[str, Any], client: DciClient) -> dict[str, Any]:
    details: dict[str, Any] = {"kind": kind}
    for key in ("registered_on", "exited_on", "plan_year", "moved_on"):
        if data.get(key) is not None:
            details[key] = data[key]
    if kind == "moved" and "area_code" in client.data_rights:
        for key in ("from_area_code", "area_code"):
            code = data.get(key)
            details[key] = (
                code if isinstance(code, str) and rules.area_within(client.area_code, code) else None
            )
    return details


# ------------------------------------------------------------------------------------ clients


async def create_client(
    session: AsyncSession, actor: Principal, data: ClientIn, *, cipher: PiiCipher
) -> tuple[DciClient, str]:
    repo = DciRepository(session)
    if await repo.client(data.id) is not None:
        raise DciClientExists(f"client {data.id} exists", detail_zh=f"对接系统 {data.id} 已存在")
    secret = secrets.token_urlsafe(32)
    client = DciClient(
        id=data.id,
        name=data.name,
        secret_cipher=cipher.encrypt(secret),
        callback_url=str(data.callback_url) if data.callback_url else None,
        area_code=data.area_code,
        data_rights=[str(r) for r in data.data_rights],
        search_per_minute=data.search_per_minute,
        search_burst=data.search_burst,
        active=True,
        version=1,
    )
    await repo.add(client)
    await audit.record(
        session, actor, "dci.client_registered", ("dci_client", client.id), after=_audited(client)
    )
    return client, secret


async def change_client(
    session: AsyncSession,
    actor: Principal,
    client_id: str,
    data: ClientChange,
    *,
    cipher: PiiCipher,
    now: datetime,
    if_match: str | None,
) -> tuple[DciClient, str | None]:
    repo = DciRepository(session)
    client = await repo.client(client_id, lock=True)
    if client is None:
        raise DciClientNotFound(f"no DCI client {client_id}", detail_zh=f"没有对接系统 {client_id}")
    check_if_match(if_match, client.version)  # two admins changing one agreement: the later is told
    before = _audited(client)
    for name in ("name", "area_code", "search_per_minute", "search_burst", "active"):
        value = getattr(data, name)
        if value is not None:
            setattr(client, name, value)
    if data.callback_url is not None:
        client.callback_url = str(data.callback_url)
    if data.data_rights is not None:
        client.data_rights = [str(r) for r in data.data_rights]
    if data.active is False:
        await repo.unsubscribe_all_of(client.id, now)
    secret = None
    if data.rotate_secret:
        secret = secrets.token_urlsafe(32)
        client.secret_cipher = cipher.encrypt(secret)
    client.version += 1
    await session.flush()
    await audit.record(
        session,
        actor,
        "dci.client_changed",
        ("dci_client", client.id),
        before=before,
        after=_audited(client) | {"secret_rotated": data.rotate_secret},
    )
    return client, secret


async def get_client(session: AsyncSession, client_id: str) -> DciClient:
    client = await DciRepository(session).client(client_id)
    if client is None:
        raise DciClientNotFound(f"no DCI client {client_id}", detail_zh=f"没有对接系统 {client_id}")
    return client


async def list_clients(session: AsyncSession) -> list[DciClient]:
    return await DciRepository(session).clients()


def _audited(c: DciClient) -> dict[str, Any]:
    return {
        "name": c.name,
        "callback_url": c.callback_url,
        "area_code": c.area_code,
        "data_rights": list(c.data_rights),
        "search_per_minute": c.search_per_minute,
        "search_burst": c.search_burst,
        "active": c.active,
    }
