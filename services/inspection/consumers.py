"""Events this service consumes: event type -> handler(session, event). Handlers never commit."""

from collections.abc import Mapping, Sequence

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from services.inspection.projections import handlers as projections
from services.inspection.signals.events import COVERAGE_GAP, FUNDS_ANOMALY, on_signal
from services.inspection.signoffs import area_exits
from services.inspection.signoffs import service as signoffs
from services.registry import events as registry
from shared.events import CloudEvent
from shared.events.consumer import Batched, Handler


async def on_exit_requested(session: AsyncSession, event: CloudEvent) -> None:
    """Registry asks for an exit: note it in the roll copy and open the 4-3-4-2 dossier."""
    await projections.on_exit_requested_projection(session, event)
    await signoffs.open_dossier(session=session, data=registry.HouseholdExitRequested.of(event))


async def on_exit_returned(session: AsyncSession, event: CloudEvent) -> None:
    await projections.on_household_back_in_roll(session, event)
    data = registry.HouseholdExitReturned.of(event)
    await signoffs.withdraw(session=session, exit_request_id=data.exit_request_id, reason=data.reason or "")


log = structlog.get_logger(__name__)


def tolerant(handler: Handler) -> Handler:
    if isinstance(handler, Batched):
        return _tolerant_batched(handler)
    return _tolerant(handler)


def _tolerant_batched(handler: Batched) -> Batched:
    """A run of events as one (savepoint); if one of them cannot be used, each alone, tolerantly."""
    one = _tolerant(handler)

    async def run(session: AsyncSession, events: Sequence[CloudEvent]) -> None:
        if len(events) > 1:
            try:
                async with session.begin_nested():
                    await handler.many(session, events)
                return
            except (KeyError, TypeError, ValueError):
                pass
        for event in events:
            await one(session, event)

    return Batched(run, handler.name)


def _tolerant(handler: Handler) -> Handler:
    """A well-formed event this service cannot use (a bad area code, a village exit for a county)
    can never succeed: retrying it would hold up every event behind it. Undo what it did
    (savepoint), log it, and let the inbox mark it handled. A payload that breaks its producer's
    contract is not caught here (``ContractViolation``): it goes to the dead letters with the
    reason. Database errors still propagate and are retried."""

    async def run(session: AsyncSession, event: CloudEvent) -> None:
        try:
            async with session.begin_nested():
                await handler(session, event)
        except (KeyError, TypeError, ValueError) as exc:
            log.error("inspection_event_malformed", event_id=event.id, type=event.type, error=repr(exc))

    return run


_HANDLERS: Mapping[str, Handler] = {
    "registry.area.upserted.v1": projections.on_area_upserted,
    "registry.household.registered.v1": Batched(projections.on_households_registered),
    "registry.household.updated.v1": projections.on_household_updated,
    "registry.household.exit_requested.v1": on_exit_requested,
    "registry.household.exited.v1": projections.on_household_exited,
    "registry.household.exit_returned.v1": on_exit_returned,
    "registry.household.relapsed.v1": projections.on_household_relapsed,
    "registry.household.removed.v1": projections.on_household_removed,
    "registry.area.exit_requested.v1": area_exits.on_area_exit_requested,
    "registry.area.exited.v1": area_exits.on_area_exited,
    "registry.area.exit_returned.v1": area_exits.on_area_exit_returned,
    FUNDS_ANOMALY: on_signal,
    "funds.disbursement.recorded.v1": projections.on_disbursement_recorded,
    "funds.disbursement.reversed.v1": projections.on_disbursement_reversed,
    "funds.plan.recomputed.v1": projections.on_plan_recomputed,
    COVERAGE_GAP: on_signal,
    "pairing.pairing.opened.v1": projections.on_pairing_opened,
    "pairing.pairing.closed.v1": projections.on_pairing_closed,
    # version 1 (no answer) stays read: events published before pairing moved to version 2
    "pairing.visit.recorded.v1": Batched(projections.on_visits_recorded),
    "pairing.visit.recorded.v2": Batched(projections.on_visits_recorded),
}

HANDLERS: dict[str, Handler] = {event_type: tolerant(h) for event_type, h in _HANDLERS.items()}
