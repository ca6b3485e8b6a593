"""Typed event contracts: producers emit the model, consumers parse it, a payload that breaks the
contract is dead-lettered at once with the reason, and a changed model needs a new version.

The consumer test runs against real nats-server and PostgreSQL, like tests/shared/test_deadletter.py.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import date

import nats
import pytest
import pytest_asyncio
from nats.js import JetStreamContext
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from deploy import asyncapi
from services.registry import events as registry
from shared import audit
from shared.db import Database
from shared.events import CloudEvent
from shared.events.consumer import ConsumerRunner, handle_event
from shared.events.contracts import ContractViolation, EventContract, contracts, emit, parse
from shared.events.deadletter import iter_dead_letters
from shared.events.streams import ensure_streams
from shared.tables import audit_log, outbox
from tests.support import wait_for

REGISTERED = registry.HouseholdRegistered.type
FUTURE = "registry.household.registered.v9"  # a version this consumer has no contract for


def registered_payload(household_id: str, **change: object) -> dict[str, object]:
    """What the registry sends (services/registry/households/events.py), as JSON."""
    return {
        "household_id": household_id,
        "household_number": "440783105201-0007",
        "area_code": "440783105201",
        "year": 2016,
        "member_count": 4,
        "member_ids": [str(uuid.uuid4()) for _ in range(4)],
        "head_name_masked": "李*",
        "poverty_causes": ["illness"],
        "batches": ["production_employment"],
        "dibao": False,
        "registered_on": "2016-12-01",
        "origin": "identification",
        **change,
    }


# ------------------------------------------------------------------------------ producer side


@pytest.mark.asyncio
async def test_a_producer_writes_the_model_as_the_same_json_as_before(make_db) -> None:  # type: ignore[no-untyped-def]
    db = Database(make_db("registry"))
    wire = registered_payload("h-1")
    moved = {
        "household_id": "h-1",
        "area_code": "440783105201",
        "change": "moved",
        "from_area_code": "440783105202",
        "moved_on": "2026-11-02",
        "note_code": "relocation",
    }
    async with db.transaction() as s:
        model = registry.HouseholdRegistered(
            **{**wire, "registered_on": date(2016, 12, 1)}  # type: ignore[arg-type]
        )
        await emit(s, model, subject="h-1")
        # an update carries only the fields of its change, and extras the producer adds
        await emit(
            s,
            registry.HouseholdUpdated.model_validate(moved),
            subject="h-1",
        )
    async with db.transaction() as s:
        rows = (await s.execute(select(outbox.c.type, outbox.c.envelope).order_by(outbox.c.seq))).all()
    assert [r.type for r in rows] == [REGISTERED, "registry.household.updated.v1"]
    assert rows[0].envelope["data"] == wire
    assert rows[0].envelope["source"] == "jingzhun/registry"
    assert rows[1].envelope["data"] == moved


def test_consumers_read_the_model_not_the_dict() -> None:
    data = registered_payload("h-2")
    event = CloudEvent(source="jingzhun/registry", type=REGISTERED, subject="h-2", data=data)
    got = registry.HouseholdRegistered.of(event)
    assert (got.member_count, got.registered_on, got.origin) == (4, date(2016, 12, 1), "identification")
    assert parse(event) is got  # parsed once per event

    broken = CloudEvent(
        source="jingzhun/registry",
        type=REGISTERED,
        subject="h-3",
        data=registered_payload("h-3", member_count="four"),
    )
    with pytest.raises(ContractViolation, match="payload does not match HouseholdRegistered: member_count"):
        parse(broken)
    unknown = CloudEvent(source="jingzhun/registry", type=FUTURE, subject="h-4", data={})
    with pytest.raises(ContractViolation, match="unknown event type or version"):
        parse(unknown)


def test_every_consumed_event_type_has_a_contract() -> None:
    """What a service subscribes to is read through its producer's contract; none is dict-only."""
    _, consumers = asyncapi.load()
    missing = sorted(t for t in consumers if t not in contracts())
    assert not missing, f"consumed without a contract: {missing}"


def test_a_contract_names_its_type_in_its_header() -> None:
    """The type set in the class body would leave the contract out of the registry: refused at import."""
    with pytest.raises(TypeError, match="names its event type in its header"):

        class HouseholdRemovedInBody(EventContract):
            type = "registry.household.removed_in_body.v1"

    assert "registry.household.removed_in_body.v1" not in contracts()


# ------------------------------------------------------------------------------ lock file


def test_the_lock_file_and_asyncapi_are_up_to_date() -> None:
    assert asyncapi.main(["--check"]) == 0, "run .venv/bin/python -m tests.deploy.asyncapi_gen"


def test_a_model_changed_under_the_same_version_fails_with_a_bump_message() -> None:
    found, _ = asyncapi.load()
    lock = asyncapi.read_lock()
    assert asyncapi.lock_problems(found, lock) == []
    assert set(lock) == set(found)

    class HouseholdRemovedChanged(EventContract):  # no type of its own: stays out of the registry
        household_id: str
        area_code: str
        reason: str | None = None
        removed_on: date  # a new required field: old events would no longer parse

    class HouseholdRemovedReworded(registry.HouseholdRemoved):
        """Only the words changed: still the same contract."""

    changed = {registry.HouseholdRemoved.type: HouseholdRemovedChanged}
    (problem,) = asyncapi.lock_problems(changed, lock)
    assert "registry.household.removed.v1" in problem
    assert "bump the version" in problem
    assert "registry.household.removed.v2" in problem
    reworded = {registry.HouseholdRemoved.type: HouseholdRemovedReworded}
    assert asyncapi.lock_problems(reworded, lock) == []


# ------------------------------------------------------------------------------ over NATS


@pytest_asyncio.fixture
async def js(nats_url: str) -> AsyncIterator[JetStreamContext]:
    nc = await nats.connect(nats_url)
    jetstream = nc.jetstream(timeout=2)
    await ensure_streams(jetstream, ["REGISTRY"])
    yield jetstream
    await nc.close()


async def _publish(js: JetStreamContext, event: CloudEvent) -> None:
    await js.publish(event.type, event.to_json_bytes(), headers={"Nats-Msg-Id": event.id})


@pytest.mark.asyncio
async def test_a_payload_that_breaks_the_contract_is_dead_lettered_at_once(make_db, js) -> None:  # type: ignore[no-untyped-def]
    db = Database(make_db("pairing"))
    calls: Counter[str] = Counter()

    async def project(session: AsyncSession, event: CloudEvent) -> None:
        calls[event.subject] += 1
        household = registry.HouseholdRegistered.of(event)
        await audit.record(
            session,
            "consumer",
            "projected",
            ("household", household.household_id),
            after={"members": household.member_count},
        )

    runner = ConsumerRunner(
        db,
        js,
        service="pairing",
        handlers={REGISTERED: project, FUTURE: project},
        fetch_timeout_s=0.2,
        retry_delay_s=0.05,
        max_attempts=5,
        contracts=contracts(),
    )
    task = asyncio.create_task(runner.run())
    try:
        good = CloudEvent(
            source="jingzhun/registry", type=REGISTERED, subject="ok-1", data=registered_payload("ok-1")
        )
        malformed = CloudEvent(
            source="jingzhun/registry",
            type=REGISTERED,
            subject="bad-1",
            data=registered_payload("bad-1", member_count="four"),
        )
        missing = CloudEvent(
            source="jingzhun/registry", type=REGISTERED, subject="bad-2", data={"household_id": "bad-2"}
        )
        future = CloudEvent(
            source="jingzhun/registry", type=FUTURE, subject="v9-1", data=registered_payload("v9-1")
        )
        for event in (good, malformed, missing, future):
            await _publish(js, event)
        # not an event at all: a producer's bug or a stray publish on the subject
        await js.publish(REGISTERED, b'{"type": "registry.household.registered.v1"}')

        async def four_letters() -> bool:
            return len([d async for d in iter_dead_letters(js, service="pairing")]) == 4

        await wait_for(four_letters, what="the four unreadable messages dead-lettered")
        letters = {d.event_id: d async for d in iter_dead_letters(js, service="pairing")}
        assert set(letters) == {malformed.id, missing.id, future.id, ""}
        stray = letters.pop("")
        assert stray.event_type == ""
        assert stray.original_subject == REGISTERED
        assert stray.error.startswith(
            f"ContractViolation: {REGISTERED}: not a CloudEvents envelope (source: Field required)"
        ), stray.error
        for letter in letters.values():
            assert letter.attempts == 1, "not retried: it would fail the same way every time"
            assert letter.error_type == "shared.events.contracts.ContractViolation"
            assert letter.consumer == "pairing-from-registry"
        assert letters[malformed.id].error.startswith(
            "ContractViolation: registry.household.registered.v1: payload does not match "
            "HouseholdRegistered: member_count: Input should be a valid integer"
        )
        assert "area_code: Field required" in letters[missing.id].error
        assert "unknown event type or version" in letters[future.id].error
        # (the readable one may run more than once: its batch is rolled back and applied again without
        # the unreadable ones; the inbox keeps its effect to one)
        assert set(calls) == {"ok-1"}, "no handler ran for an unreadable event"

        async def projected() -> bool:
            async with db.transaction() as s:
                return int((await s.execute(select(func.count()).select_from(audit_log))).scalar_one()) == 1

        await wait_for(projected, what="the readable event projected")
    finally:
        runner.stop()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


@pytest.mark.asyncio
async def test_handle_event_with_contracts_refuses_before_the_handler(make_db) -> None:  # type: ignore[no-untyped-def]
    db = Database(make_db("funds"))
    ran: list[str] = []

    async def handler(session: AsyncSession, event: CloudEvent) -> None:
        ran.append(event.id)

    bad = CloudEvent(source="jingzhun/registry", type=REGISTERED, subject="x", data={"household_id": "x"})
    with pytest.raises(ContractViolation):
        await handle_event(db, "funds-from-registry", bad, {REGISTERED: handler}, contracts())
    assert ran == []
    good = CloudEvent(source="jingzhun/registry", type=REGISTERED, subject="y", data=registered_payload("y"))
    assert await handle_event(db, "funds-from-registry", good, {REGISTERED: handler}, contracts())
    assert ran == [good.id]


@pytest.mark.parametrize("service", ["registry", "funds", "pairing", "inspection"])
def test_a_service_process_knows_the_contract_of_every_event_it_consumes(service: str) -> None:
    """In its own process (as deployed, not beside the other services' code already imported), a
    service can parse every event type its consumers take — else each would go to dead letters."""
    import subprocess
    import sys

    probe = (
        f"from services.{service}.app import HANDLERS\n"
        "from shared.events.contracts import contracts\n"
        "print(sorted(set(HANDLERS) - set(contracts())))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]", f"{service} consumes events whose contracts it never imports: {out}"
