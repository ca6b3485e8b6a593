from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class AnomalyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    signal_key: str
    kind: str
    area_code: str
    amount_fen: int
    detail: dict[str, Any]
    detected_at: datetime


class DetectionRun(BaseModel):
    new_anomalies: list[AnomalyOut]
