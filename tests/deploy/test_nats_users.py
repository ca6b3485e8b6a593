"""NATS per-service users: the permissions in nats.conf are the code's, and a real nats-server enforces them.

- deploy/compose/nats.conf and deploy/k8s/nats.yaml hold exactly what deploy/nats_auth.py derives
  from the code (streams, consumers' durables and subjects, feed consumers, dead letters).
- A nats-server started with that block: the registry user relays its events and reads its change
  feed; the pairing user consumes registry's events through its durable with the library's own
  ConsumerRunner; but pairing cannot publish registry's or funds' subjects, cannot subscribe to
  registry's subjects directly, cannot create a consumer under another durable name, and cannot
  dead-letter in funds' name.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import nats
import nats.errors
import pytest
import pytest_asyncio
import yaml
from nats.js.api import ConsumerConfig
from sqlalchemy.ext.asyncio import AsyncSession

from deploy import nats_auth
from deploy.local.stack import _nats_bin, free_port, wait_for_port
from services.pairing.consumers import HANDLERS as PAIRING_HANDLERS
from shared.db import Database
from shared.events import CloudEvent
from shared.events.consumer import ConsumerRunner
from shared.events.streams import DEADLETTER_STREAM, ensure_stream, ensure_streams, inbox_prefix
from shared.feed.reader import read_page
from shared.feed.status import DeliveryStatus, StatusStore
from tests.support import wait_for

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("registry", "funds", "pairing", "inspection")
PASSWORDS = {
    **{nats_auth.password_variable(s): f"{s}-secret" for s in SERVICES}, "NATS_ADMIN_PASSWORD": "root"
}


def test_config_files_hold_the_permissions_derived_from_the_code() -> None:
    assert nats_auth.main(["--check"]) == 0, "run: python -m deploy.nats_auth"
    compose = (ROOT / "deploy/compose/nats.conf").read_text()
    assert nats_auth.authorization_block() in compose
    k8s = next(d for d in yaml.safe_load_all((ROOT / "deploy/k8s/nats.yaml").read_text())
               if d and d["kind"] == "ConfigMap")
    assert nats_auth.authorization_block("    ").replace("\n    ", "\n").strip() in k8s["data"]["nats.conf"]


def test_permissions_cover_each_services_streams_and_durables() -> None:
    for service in SERVICES:
        allowed = nats_auth.permissions(service)["publish"]["allow"]
        assert f"{service}.>" in allowed
        assert not [s for s in allowed if re.fullmatch(r"(registry|funds|pairing|inspection)\.>", s)
                    and s != f"{service}.>"], "may publish only its own events"
        runner = ConsumerRunner(None, None, service=service,  # type: ignore[arg-type]
                                handlers=__import__(f"services.{service}.consumers", fromlist=["x"]).HANDLERS)
        for stream, subjects in runner.subjects_by_stream().items():
            durable = runner.durable_name(stream)
            assert durable == nats_auth.durable_name(service, stream)
            for api in ("CONSUMER.INFO", "CONSUMER.MSG.NEXT", "CONSUMER.DURABLE.CREATE", "STREAM.INFO"):
                target = f"$JS.API.{api}.{stream}" + ("" if api == "STREAM.INFO" else f".{durable}")
                assert any(_matches(p, target) for p in allowed), (service, target)
            assert any(_matches(p, f"$JS.ACK.{stream}.{durable}.1.2.3.4.5") for p in allowed)
            assert subjects


def _matches(pattern: str, subject: str) -> bool:
    p, s = pattern.split("."), subject.split(".")
    for i, token in enumerate(p):
        if token == ">":
            return len(s) > i
        if i >= len(s) or (token != "*" and token != s[i]):
            return False
    return len(p) == len(s)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    tmp = tmp_path_factory.mktemp("nats-auth")
    port = free_port()
    conf = tmp / "nats.conf"
    conf.write_text(
        f'listen: "127.0.0.1:{port}"\njetstream {{\n  store_dir: "{tmp / "js"}"\n}}\n'
        + nats_auth.authorization_block()
    )
    log = open(tmp / "nats.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen([str(_nats_bin()), "-c", str(conf)], stdout=log, stderr=log, env=PASSWORDS)
    try:
        wait_for_port(port)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        log.close()


class Client:
    def __init__(self) -> None:
        self.errors: list[str] = []

    async def connect(self, port: int, user: str) -> nats.NATS:
        async def on_error(exc: Exception) -> None:
            self.errors.append(str(exc))

        password = PASSWORDS.get(nats_auth.password_variable(user), PASSWORDS["NATS_ADMIN_PASSWORD"])
        # as shared.runtime connects: replies to the service's own inboxes
        return await nats.connect(f"nats://{user}:{password}@127.0.0.1:{port}", error_cb=on_error,
                                  allow_reconnect=False, inbox_prefix=inbox_prefix(user))

    def violations(self) -> str:
        return " ".join(e.lower() for e in self.errors if "permissions violation" in e.lower())


@pytest_asyncio.fixture
async def fresh(server: int) -> AsyncIterator[int]:
    admin = await nats.connect(f"nats://admin:root@127.0.0.1:{server}")
    js = admin.jetstream()
    for name in ("REGISTRY", "FUNDS", "PAIRING", "INSPECTION", DEADLETTER_STREAM, "KV_FEED_STATUS"):
        try:
            await js.delete_stream(name)
        except Exception:
            pass
    await admin.close()
    yield server


@pytest.mark.asyncio
async def test_a_wrong_password_or_no_user_is_refused(fresh: int) -> None:
    with pytest.raises(nats.errors.Error):  # nats: 'Authorization Violation'
        await nats.connect(f"nats://127.0.0.1:{fresh}", allow_reconnect=False, max_reconnect_attempts=0)
    with pytest.raises(nats.errors.Error):
        await nats.connect(f"nats://registry:wrong@127.0.0.1:{fresh}", allow_reconnect=False,
                           max_reconnect_attempts=0)


@pytest.mark.asyncio
async def test_each_service_does_its_work_and_nothing_of_another(fresh: int, make_db) -> None:  # type: ignore[no-untyped-def]
    registry_client, pairing_client = Client(), Client()
    registry = await registry_client.connect(fresh, "registry")
    pairing = await pairing_client.connect(fresh, "pairing")
    funds = await Client().connect(fresh, "funds")
    rjs, pjs, fjs = registry.jetstream(timeout=2), pairing.jetstream(timeout=2), funds.jetstream(timeout=2)
    db = Database(make_db("pairing"))
    seen: list[str] = []

    async def record(session: AsyncSession, event: CloudEvent) -> None:
        seen.append(event.type)

    runner = ConsumerRunner(db, pjs, service="pairing", handlers=dict.fromkeys(PAIRING_HANDLERS, record),
                            fetch_timeout_s=0.3, retry_delay_s=0.2)
    task = asyncio.create_task(runner.run())
    try:
        # registry: its stream, its events, its change feed and feed status
        await ensure_streams(rjs, ["REGISTRY"])
        await ensure_streams(fjs, ["FUNDS"])
        event_type = next(t for t in PAIRING_HANDLERS if t.startswith("registry."))
        event = CloudEvent(source="jingzhun/registry", type=event_type, subject="440783101201", data={})
        ack = await rjs.publish(event_type, event.to_json_bytes(), headers={"Nats-Msg-Id": event.id})
        assert ack.stream == "REGISTRY"
        page = await read_page(rjs, service="registry", after=0, limit=10, subjects="registry.>",
                               area_prefix="44")
        assert page.last_seq == 1
        store = StatusStore(rjs, service="registry")
        try:
            await store.put("sub1", DeliveryStatus(delivered_events=3))
            await store.get("sub1")
        except Exception as exc:
            raise AssertionError(registry_client.errors) from exc
        assert (await store.get("sub1")).delivered_events == 3, registry_client.errors

        # pairing: consumes it through its own durable, acks, and may dead-letter in its own name
        await wait_for(lambda: _ready(seen), what="pairing handled the registry event")
        await ensure_stream(pjs, DEADLETTER_STREAM)
        assert (await pjs.publish(f"deadletter.pairing.{event_type}", b"{}")).stream == DEADLETTER_STREAM
        info = await pjs.consumer_info("REGISTRY", "pairing-from-registry")
        assert info.num_ack_pending == 0
        assert info.num_pending == 0

        # ... and nothing else
        for subject in (event_type, "funds.grant.made.v1", "deadletter.funds.x"):
            with pytest.raises(nats.errors.TimeoutError):  # dropped by the server: no ack comes back
                await pjs.publish(subject, b"{}", timeout=1)
        with pytest.raises(nats.errors.TimeoutError):
            await pjs.add_consumer("REGISTRY", ConsumerConfig(durable_name="funds-from-registry"), timeout=1)
        with pytest.raises(nats.errors.TimeoutError):
            await pjs.add_consumer("FUNDS", ConsumerConfig(durable_name="pairing-from-funds"), timeout=1)
        await pairing.subscribe("registry.>")
        await pairing.subscribe("_INBOX_funds.>")  # funds' replies: the messages its consumers pull
        await pairing.subscribe("_INBOX.>")
        await pairing.flush()
        await asyncio.sleep(0.3)
        violations = pairing_client.violations()
        assert f'publish to "{event_type}"' in violations
        assert 'publish to "funds.grant.made.v1"' in violations
        assert 'publish to "deadletter.funds.x"' in violations
        assert 'subscription to "registry.>"' in violations
        assert 'subscription to "_inbox_funds.>"' in violations
        assert 'subscription to "_inbox.>"' in violations
        assert not registry_client.violations()

        admin = await nats.connect(f"nats://admin:root@127.0.0.1:{fresh}")
        ajs = admin.jetstream()
        assert (await ajs.stream_info("FUNDS")).state.messages == 0
        assert (await ajs.stream_info("REGISTRY")).state.messages == 1
        assert (await ajs.stream_info(DEADLETTER_STREAM)).state.messages == 1
        await admin.close()
    finally:
        runner.stop()
        await asyncio.wait_for(task, timeout=10)
        await db.dispose()
        for nc in (registry, pairing, funds):
            await nc.close()


async def _ready(seen: list[str]) -> bool:
    return bool(seen)
