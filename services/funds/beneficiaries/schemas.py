from __future__ import annotations

from datetime import date
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from shared.household_status import HOUSEHOLD_STATUS_LABELS
from shared.vocabulary import label_field

# a household's status in the registry's words (shared list); a village collective is 在册
BENEFICIARY_STATUS_LABELS = {**HOUSEHOLD_STATUS_LABELS, "active": "在册", "unknown": "未知"}


class BeneficiaryOut(BaseModel):
    """What funds knows of a household or village: ids, area, counts, status. No resident IDs."""

    model_config = ConfigDict(from_attributes=True)

    kind: str
    ref_id: str
    area_code: str
    status: str
    # the registry's word for the status (已建档立卡, 已脱贫退出 ...), as pairing says it
    status_label: ClassVar[str | None] = label_field("status", BENEFICIARY_STATUS_LABELS)
    member_count: int
    category: str | None
    name: str | None
    policies_kept_until: date | None
