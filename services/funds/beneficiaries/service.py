"""The beneficiary projection: registry events in, plan recomputation out.

Each handler runs in the consumer's transaction (the inbox row rides along), so the projection,
the recomputed plans and their funds.plan.recomputed.v1 events commit together or not at all.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.funds.beneficiaries.repository import BeneficiaryRepository
from services.funds.beneficiaries.rules import STATUS_AFTER_EVENT
from services.funds.schemes import service as scheme_service
from shared.events import CloudEvent

__all__ = ["on_area_upserted", "on_household_event"]

ACTOR = "funds:registry-projection"


async def on_area_upserted(session: AsyncSession, event: CloudEvent) -> None:
    data = event.data
    if data.get("level") != "village":
        return  # only villages are beneficiaries; other levels are just area codes here
    await BeneficiaryRepository(session).upsert(
        "village",
        data["code"],
        {
            "area_code": data["code"],
            "status": "active",
            "category": data.get("pairing_dispatch_level"),
            "name": data.get("name"),
        },
    )
    await scheme_service.recompute_for_area(
        session, area_code=data["code"], kinds=("village_grant",), actor=ACTOR
    )


async def on_household_event(session: AsyncSession, event: CloudEvent) -> None:
    data = event.data
    repo = BeneficiaryRepository(session)
    ref_id = str(data["household_id"])
    current = await repo.get("household", ref_id, lock=True)
    values: dict[str, Any] = {"area_code": data["area_code"]}
    status = data.get("status") or STATUS_AFTER_EVENT.get(event.type)
    if status is not None:
        values["status"] = status
    elif current is None:
        values["status"] = "unknown"  # an update about a household we never saw registered
    if "member_count" in data:
        values["member_count"] = int(data["member_count"])
    if "member_ids" in data:
        values["member_ids"] = [str(m) for m in data["member_ids"]]
    if "batches" in data:
        values["batches"] = [str(b) for b in data["batches"]]
    if "head_name_masked" in data:
        values["name"] = data["head_name_masked"]
    if data.get("policies_kept_until"):
        values["policies_kept_until"] = date.fromisoformat(str(data["policies_kept_until"]))
    await repo.upsert("household", ref_id, values)
    areas = {data["area_code"]} | ({current.area_code} if current else set())
    for area in sorted(areas):
        await scheme_service.recompute_for_area(session, area_code=area, kinds=("per_capita",), actor=ACTOR)
