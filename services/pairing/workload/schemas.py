"""Response models of a cadre's workload and record."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from services.pairing.vocabulary import HOUSEHOLD_STATUSES
from services.pairing.workload.service import HouseholdLoad, Workload
from shared.vocabulary import label_field


# The answer is the service's own object; these subclasses only give it its names in the OpenAPI
# document (pydantic leaves a plain dataclass's docstring out of it).
@dataclass(frozen=True)
class WorkloadHousehold(HouseholdLoad):
    # the registry's word for the status (已建档立卡 ...), as on every pairing household answer
    status_label: ClassVar[str | None] = label_field("status", HOUSEHOLD_STATUSES)


@dataclass(frozen=True)
class WorkloadOut(Workload):
    households: list[WorkloadHousehold]
