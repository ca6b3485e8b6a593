from __future__ import annotations

import uuid
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from services.funds.vocabulary import ANOMALY_KINDS
from shared.clock import OfficeDateTime
from shared.vocabulary import label_field


class AnomalyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    signal_key: str
    kind: str
    area_code: str
    amount_fen: int
    detail: dict[str, Any]
    detected_at: OfficeDateTime
    # what was found, in the words inspection titles its finding with (重复发放 …)
    kind_label: ClassVar[str | None] = label_field("kind", ANOMALY_KINDS)


class DetectionRun(BaseModel):
    new_anomalies: list[AnomalyOut]
