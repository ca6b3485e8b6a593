"""The DCI callbacks job: answers asynchronous searches and POSTs ``on-search`` and ``notify``
messages, signed, to each client's registered callback URL — at least once, in order per client.

One round (``DciDelivery.run``, a periodic job of the registry, also in ``jingzhun worker``):

1. pending asynchronous searches are answered (rows locked ``SKIP LOCKED``: one replica each);
2. per client with something due, under a PostgreSQL advisory lock (one deliverer per client):
   its answered searches are called back (``{callback_url}/on-search``), then its notifications
   in ``id`` order, in batches (``{callback_url}/notify``). A row is marked delivered only after the
   client answered 2xx; a failure backs off (doubling from ``retry_base_s`` up to ``retry_max_s``)
   and nothing later for that client is sent before the failed notifications went through.

No transaction stays open while a callback is posted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
import structlog

from services.registry.dci import service
from services.registry.dci.models import DciClient
from services.registry.dci.repository import DciRepository
from services.registry.settings import RegistrySettings
from shared.clock import clock
from shared.db import Database
from shared.feed.lock import advisory_key, try_advisory_lock

__all__ = ["DciDelivery", "DeliveryReport"]

log = structlog.get_logger(__name__)


@dataclass
class DeliveryReport:
    answered: int = 0
    searches_called_back: int = 0
    notifications_sent: int = 0
    failures: list[str] = field(default_factory=list)
    locked_out: int = 0


@dataclass(frozen=True)
class _Round:
    """One delivery run's tools, handed to each client's steps (in order: searches, then notifications)."""

    db: Database
    http: httpx.AsyncClient
    cipher: Any
    receiver_id: str
    now: datetime
    report: DeliveryReport

    def reply(self, client: DciClient, action: str, message: dict[str, Any], total: int) -> dict[str, Any]:
        signer = service.Signer(self.cipher, self.receiver_id, self.now)
        return signer.reply(client, action=action, message=message, total=total)


class DciDelivery:
    def __init__(
        self,
        settings: RegistrySettings | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        batch_size: int = 50,
    ) -> None:
        self._settings = settings
        self._transport = transport
        self.batch_size = batch_size

    @property
    def settings(self) -> RegistrySettings:
        if self._settings is None:  # the worker's and app's environment (REGISTRY_…)
            self._settings = RegistrySettings()
        return self._settings

    async def run(self, db: Database, now: datetime | None = None) -> DeliveryReport:
        now = now or clock.now()
        report = DeliveryReport()
        cipher = self.settings.pii_cipher()
        async with db.transaction() as session:
            repo = DciRepository(session)
            for txn in await repo.pending_searches(limit=20):
                client = await repo.client(txn.client_id)
                assert client is not None
                await service.complete_async(session, txn, client, now=now)
                report.answered += 1
        async with db.transaction() as session:
            clients = await DciRepository(session).clients_with_callbacks(now)
        async with httpx.AsyncClient(
            timeout=self.settings.dci_callback_timeout_s, transport=self._transport
        ) as http:
            for client_id in clients:
                async with try_advisory_lock(db, advisory_key("dci", client_id)) as held:
                    if not held:
                        report.locked_out += 1
                        continue
                    run = _Round(db, http, cipher, self.settings.dci_receiver_id, now, report)
                    await self._searches(run, client_id)
                    await self._notifications(run, client_id)
        return report

    def _delay(self, attempts: int) -> timedelta:
        s = self.settings
        return timedelta(seconds=min(s.dci_retry_base_s * 2 ** max(attempts - 1, 0), s.dci_retry_max_s))

    async def _post(self, http: httpx.AsyncClient, url: str, body: dict[str, Any]) -> str | None:
        data = json.dumps(body, ensure_ascii=False).encode()
        try:
            r = await http.post(
                url, content=data, headers={"Content-Type": "application/json; charset=utf-8"}
            )
        except httpx.HTTPError as exc:
            return f"{type(exc).__name__}: {exc}"[:500]
        return None if 200 <= r.status_code < 300 else f"HTTP {r.status_code}"

    async def _searches(self, run: _Round, client_id: str) -> None:
        db, now = run.db, run.now
        async with db.transaction() as session:
            repo = DciRepository(session)
            client = await repo.client(client_id)
            due = await repo.callbacks_due(client_id, now)
            if client is None or not client.callback_url or not due:
                return
            url = client.callback_url.rstrip("/") + "/on-search"
            bodies = [
                (
                    t.id,
                    run.reply(
                        client,
                        "on-search",
                        t.response or {},
                        len((t.response or {}).get("search_response", [])),
                    ),
                )
                for t in due
            ]
        for txn_id, body in bodies:
            error = await self._post(run.http, url, body)
            async with db.transaction() as session:
                txn = next(
                    t for t in await DciRepository(session).callbacks_due(client_id, now) if t.id == txn_id
                )
                txn.attempts += 1
                if error is None:
                    txn.callback_state, txn.delivered_at, txn.last_error = "delivered", clock.now(), None
                    run.report.searches_called_back += 1
                else:
                    txn.last_error, txn.next_attempt_at = error, now + self._delay(txn.attempts)
                    run.report.failures.append(f"{client_id} on-search: {error}")
                    log.warning("dci_callback_failed", client=client_id, action="on-search", error=error)
            if error is not None:
                return  # in order: later answers wait for this one

    async def _notifications(self, run: _Round, client_id: str) -> None:
        db, now = run.db, run.now
        while True:
            async with db.transaction() as session:
                repo = DciRepository(session)
                client = await repo.client(client_id)
                rows = await repo.notifications_due(client_id, now, self.batch_size)
                if client is None or not client.callback_url or not rows:
                    return
                ids = [r.id for r in rows]
                attempts = rows[0].attempts + 1
                message = {
                    "transaction_id": f"notify-{ids[0]}-{ids[-1]}",
                    "notify_event": [r.item for r in rows],
                }
                body = run.reply(client, "notify", message, len(rows))
                url = client.callback_url.rstrip("/") + "/notify"
            error = await self._post(run.http, url, body)
            async with db.transaction() as session:
                repo = DciRepository(session)
                if error is None:
                    await repo.mark_notifications(
                        ids, {"delivered_at": clock.now(), "last_error": None, "attempts": attempts}
                    )
                    run.report.notifications_sent += len(ids)
                else:
                    await repo.mark_notifications(
                        ids,
                        {
                            "attempts": attempts,
                            "last_error": error,
                            "next_attempt_at": now + self._delay(attempts),
                        },
                    )
                    run.report.failures.append(f"{client_id} notify: {error}")
                    log.warning("dci_callback_failed", client=client_id, action="notify", error=error)
                    return
            if len(ids) < self.batch_size:
                return
