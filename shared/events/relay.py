"""Outbox relay: claims unsent rows with FOR UPDATE SKIP LOCKED and publishes them to JetStream.

Safe with several replicas (each claims different rows). ``Nats-Msg-Id`` = event id, so a row that
was published but whose ``published_at`` update was lost (crash, outage) is de-duplicated by
JetStream when it is sent again. A NATS outage only delays events.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import structlog
from nats.js import JetStreamContext
from sqlalchemy import select, update

from shared.db import Database
from shared.observability import EVENTS_PUBLISHED
from shared.tables import outbox

__all__ = ["OutboxRelay"]

log = structlog.get_logger(__name__)


class OutboxRelay:
    def __init__(
        self,
        db: Database,
        js: JetStreamContext,
        *,
        service: str,
        batch_size: int = 200,
        idle_sleep_s: float = 0.2,
        publish_timeout_s: float = 2.0,
    ) -> None:
        self.db = db
        self.js = js
        self.service = service
        self.batch_size = batch_size
        self.idle_sleep_s = idle_sleep_s
        self.publish_timeout_s = publish_timeout_s
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        self._stopping.set()

    async def run_once(self) -> int:
        """Publish one batch; returns how many rows were published."""
        published = 0
        async with self.db.transaction() as session:
            rows = (
                await session.execute(
                    select(outbox.c.id, outbox.c.type, outbox.c.envelope, outbox.c.request_id)
                    .where(outbox.c.published_at.is_(None))
                    .order_by(outbox.c.seq)
                    .limit(self.batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            for row in rows:
                try:
                    await self._publish(row.id, row.type, row.envelope, row.request_id)
                except Exception as exc:
                    # Keep order: stop at the first failure, the rest waits for the next round.
                    await session.execute(
                        update(outbox)
                        .where(outbox.c.id == row.id)
                        .values(attempts=outbox.c.attempts + 1, last_error=repr(exc)[:500])
                    )
                    log.warning("outbox_publish_failed", event_id=str(row.id), error=repr(exc))
                    break
                await session.execute(
                    update(outbox).where(outbox.c.id == row.id).values(published_at=datetime.now(UTC))
                )
                published += 1
        if published:
            EVENTS_PUBLISHED.labels(self.service).inc(published)
        return published

    async def _publish(self, event_id: Any, subject: str, envelope: dict[str, Any], rid: str | None) -> None:
        import json

        headers = {"Nats-Msg-Id": str(event_id), "Content-Type": "application/cloudevents+json"}
        if rid:
            headers["X-Request-ID"] = rid
        await self.js.publish(
            subject,
            json.dumps(envelope, ensure_ascii=False).encode(),
            timeout=self.publish_timeout_s,
            headers=headers,
        )

    async def run(self) -> None:
        backoff = self.idle_sleep_s
        while not self._stopping.is_set():
            try:
                n = await self.run_once()
                backoff = self.idle_sleep_s
                if n == self.batch_size:
                    continue
            except Exception as exc:  # database or bus down: wait and try again, never die
                log.warning("outbox_relay_error", error=repr(exc))
                backoff = min(backoff * 2, 5.0)
            try:
                await asyncio.wait_for(self._stopping.wait(), timeout=backoff)
            except TimeoutError:
                pass
