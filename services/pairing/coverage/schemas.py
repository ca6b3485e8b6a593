"""Response models of coverage numbers and gaps."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from services.pairing.coverage.service import Check, Coverage
from services.pairing.vocabulary import GapKind
from shared.clock import OfficeDateTime
from shared.vocabulary import label_field


# The answers are the service's own objects; these subclasses only give them their names in the
# OpenAPI document (pydantic leaves a plain dataclass's docstring out of it).
@dataclass(frozen=True)
class CoverageOut(Coverage):
    pass


@dataclass(frozen=True)
class CheckOut(Check):
    pass


class GapOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: GapKind
    subject_id: str
    area_code: str
    episode: int
    signal_key: str
    detail: dict[str, Any]
    opened_at: OfficeDateTime
    closed_at: OfficeDateTime | None
    # the Chinese of the kind (贫困户未结对干部 ...), as GET /pairing/v1/vocabulary gives it
    kind_label: ClassVar[str | None] = label_field("kind", {k.value: k.label for k in GapKind})
