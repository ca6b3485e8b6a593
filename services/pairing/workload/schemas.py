"""Response models of a cadre's workload and record."""

from __future__ import annotations

from dataclasses import dataclass

from services.pairing.workload.service import HouseholdLoad, Workload


# The answer is the service's own object; these subclasses only give it its names in the OpenAPI
# document (pydantic leaves a plain dataclass's docstring out of it).
@dataclass(frozen=True)
class WorkloadHousehold(HouseholdLoad):
    pass


@dataclass(frozen=True)
class WorkloadOut(Workload):
    households: list[WorkloadHousehold]
