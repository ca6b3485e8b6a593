from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict


class BeneficiaryOut(BaseModel):
    """What funds knows of a household or village: ids, area, counts, status. No resident IDs."""

    model_config = ConfigDict(from_attributes=True)

    kind: str
    ref_id: str
    area_code: str
    status: str
    member_count: int
    category: str | None
    name: str | None
    policies_kept_until: date | None
