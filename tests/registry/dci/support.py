"""A DCI caller (signs its messages as docs/DCI.md says) and a fake outside registry that receives
``on-search`` and ``notify`` callbacks (a local HTTP server: the one fake allowed)."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from services.registry.dci import signing
from tests.registry.integration.helpers import ADMIN
from tests.support import auth
from tests.support.receivers import serving

RECEIVER_ID = "jingzhun-registry"
RESIDENT_ID = "RESIDENT_ID"


def envelope(
    sender: str, action: str, message: dict[str, Any], *, items: int, secret: str | None, **header: Any
) -> dict[str, Any]:
    h = {
        "version": "1.0.0",
        "message_id": uuid.uuid4().hex,
        "message_ts": datetime.now(UTC).isoformat(),
        "action": action,
        "sender_id": sender,
        "receiver_id": RECEIVER_ID,
        "total_count": items,
    } | header
    body: dict[str, Any] = {"header": h, "message": message}
    if secret is not None:
        body["signature"] = signing.sign(
            secret, sender_id=sender, header=h, message=message, now_s=int(time.time())
        )
    return body


def id_query(reference_id: str, resident_id: str) -> dict[str, Any]:
    return {
        "reference_id": reference_id,
        "timestamp": datetime.now(UTC).isoformat(),
        "search_criteria": {
            "query_type": "idtype-value",
            "query": {"type": RESIDENT_ID, "value": resident_id},
        },
    }


def predicate_query(reference_id: str, *predicates: tuple[str, str, Any], **criteria: Any) -> dict[str, Any]:
    query = [
        {"seq_num": i, "expression1": {"attribute_name": n, "operator": op, "attribute_value": v}}
        for i, (n, op, v) in enumerate(predicates, start=1)
    ]
    return {
        "reference_id": reference_id,
        "timestamp": datetime.now(UTC).isoformat(),
        "search_criteria": {"query_type": "predicate", "query": query, **criteria},
    }


@dataclass
class Caller:
    """An outside system registered as a DCI client."""

    http: httpx.AsyncClient
    id: str
    secret: str
    area: str = "440000000000"
    language: str | None = None  # sent as Accept-Language

    @property
    def token(self) -> dict[str, str]:
        asked = {"Accept-Language": self.language} if self.language else {}
        return auth("service", self.area, sub=self.id) | asked

    async def post(
        self, path: str, action: str, message: dict[str, Any], *, items: int, **header: Any
    ) -> httpx.Response:
        body = envelope(self.id, action, message, items=items, secret=self.secret, **header)
        return await self.http.post(f"/registry/v1/dci/registry/{path}", json=body, headers=self.token)

    async def search(self, *requests: dict[str, Any], sync: bool = True) -> httpx.Response:
        message = {"transaction_id": uuid.uuid4().hex, "search_request": list(requests)}
        return await self.post("sync/search" if sync else "search", "search", message, items=len(requests))


async def register_client(http: httpx.AsyncClient, client_id: str, **over: Any) -> Caller:
    body = {
        "id": client_id,
        "name": over.pop("name", "民政部门低保系统"),
        "area_code": over.pop("area_code", "440783000000"),
        "data_rights": over.pop("data_rights", ["name_masked", "resident_id_masked", "status", "area_code"]),
        **over,
    }
    r = await http.post("/registry/v1/dci/clients", json=body, headers=ADMIN)
    assert r.status_code == 201, r.text
    assert len(r.json()["secret"]) >= 32
    return Caller(http=http, id=client_id, secret=r.json()["secret"])


def verified(secret: str, reply: dict[str, Any]) -> dict[str, Any]:
    """The reply's message once its signature checks out with the client's secret (as a client does)."""
    sender = signing.verify(
        secret, reply["signature"], header=reply["header"], message=reply["message"], now_s=int(time.time())
    )
    assert sender == RECEIVER_ID
    assert reply["header"]["sender_id"] == RECEIVER_ID
    return reply["message"]  # type: ignore[no-any-return]


@dataclass
class Registry:
    """The outside registry's callback endpoint: records what arrives, checks each signature."""

    secret: str = ""
    failing: bool = False
    received: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    attempts: int = 0
    bad_signatures: int = 0
    url: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, path: str, body: bytes) -> int:
        with self._lock:
            self.attempts += 1
            if self.failing:
                return 503
            doc = json.loads(body)
            try:
                verified(self.secret, doc)
            except (signing.SignatureProblem, AssertionError):
                self.bad_signatures += 1
                return 401
            self.received.append((path.rsplit("/", 1)[-1], doc))
            return 200

    def of(self, action: str) -> list[dict[str, Any]]:
        return [doc for a, doc in self.received if a == action]


@contextmanager
def running(registry: Registry) -> Iterator[Registry]:
    with serving(lambda path, _headers, body: registry.handle(path, body)) as base:
        registry.url = f"{base}/dci/registry"
        yield registry
