"""Events this service consumes: event type -> handler(session, event). Handlers never commit."""

from services.funds.beneficiaries import events as registry
from services.funds.beneficiaries.service import on_area_upserted, on_household_events
from services.pairing import events as pairing
from shared import cadres
from shared.events.consumer import Batched, Handler

# one handler object for every household type: a fetch's household events form one run
on_household_event = Batched(on_household_events)

HANDLERS: dict[str, Handler] = {
    registry.AREA_UPSERTED: on_area_upserted,
    registry.HOUSEHOLD_REGISTERED: on_household_event,
    registry.HOUSEHOLD_UPDATED: on_household_event,
    registry.HOUSEHOLD_EXITED: on_household_event,
    registry.HOUSEHOLD_RELAPSED: on_household_event,
    registry.HOUSEHOLD_REMOVED: on_household_event,
    # who is paired to which household: a cadre reads only what was paid to theirs (shared.cadres)
    pairing.PairingOpened.type: cadres.on_pairing_opened,
    pairing.PairingClosed.type: cadres.on_pairing_closed,
}
