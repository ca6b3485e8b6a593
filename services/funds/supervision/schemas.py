from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict

from shared.clock import OfficeDateTime


class AnomalyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    signal_key: str
    kind: str
    area_code: str
    amount_fen: int
    detail: dict[str, Any]
    detected_at: OfficeDateTime


class DetectionRun(BaseModel):
    new_anomalies: list[AnomalyOut]
