"""Strict request field types: what a client sends is taken as sent, never coerced.

Pydantic in its default (lax) mode takes ``true`` as 1, ``"100"`` as 100 and ``100.0`` as 100 for an
``int`` field; for money, counts and years that is a wrong amount accepted without a word. Every
integer of every request body is one of these types, so JSON ``true``, ``"100"`` and ``100.0`` are
422. Codes are ASCII digits only (``[0-9]``, not ``\\d``, which also matches ``４`` and ``٤``).

Path and query parameters arrive as text and keep FastAPI's usual parsing; dates, UUIDs and enums
in a body still parse from their JSON strings (they are not made strict).
"""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict, Field, Strict, StringConstraints

__all__ = [
    "AREA_CODE_OR_PREFIX_PATTERN",
    "AREA_CODE_PATTERN",
    "AreaCodeText",
    "IsoDate",
    "LateEntryReason",
    "AREA_PREFIX_PATTERN",
    "COUNTY_OR_BELOW_PATTERN",
    "MAX_FEN",
    "RESIDENT_ID_PATTERN",
    "Fen",
    "PositiveFen",
    "StrictInt",
    "VILLAGE_CODE_PATTERN",
    "uuid_or_none",
    "with_example",
]

MAX_FEN = 10**15  # ten trillion yuan: far above any budget, far below BIGINT's limit

# ``year: StrictInt = Field(ge=2014, le=2100)``: bounds stay on the field, strictness in the type.
StrictInt = Annotated[int, Strict()]
Fen = Annotated[int, Strict(), Field(ge=0, le=MAX_FEN, description="integer fen")]
PositiveFen = Annotated[int, Strict(), Field(gt=0, le=MAX_FEN, description="integer fen, above zero")]

# 12 digits, the province part never 00 (shared.areas.AreaCode.parse refuses it).
AREA_CODE_PATTERN = r"^(0[1-9]|[1-9][0-9])[0-9]{10}$"
# What AreaCode.parse takes: a 12-digit code or the 2/4/6/9-digit prefix naming an area (44 = 440000000000).
AREA_CODE_OR_PREFIX_PATTERN = r"^(0[1-9]|[1-9][0-9])([0-9]{2}|[0-9]{4}|[0-9]{7}|[0-9]{10})?$"
# A path or query parameter the service reads with AreaCode.parse: the document states what it takes.
AreaCodeText = Annotated[
    str,
    StringConstraints(pattern=AREA_CODE_OR_PREFIX_PATTERN),
    Field(description="12-digit administrative division code, or the 2/4/6/9-digit prefix of one"),
]
# A county, township or village (AreaCode.level): digits 5-12 not all zero.
COUNTY_OR_BELOW_PATTERN = (
    r"^(0[1-9]|[1-9][0-9])[0-9]{2}([1-9][0-9]{7}|0[1-9][0-9]{6}|00[1-9][0-9]{5}|000[1-9][0-9]{4}"
    r"|0000[1-9][0-9]{3}|00000[1-9][0-9]{2}|000000[1-9][0-9]|0000000[1-9])$"
)
# A village (AreaCode.level): its own three last digits not 000.
VILLAGE_CODE_PATTERN = r"^(0[1-9]|[1-9][0-9])[0-9]{7}([1-9][0-9]{2}|0[1-9][0-9]|00[1-9])$"
AREA_PREFIX_PATTERN = r"^([0-9]{2}|[0-9]{4}|[0-9]{6}|[0-9]{9}|[0-9]{12})$"
# GB 11643: 17 digits and a check character (X, any case: the service upper-cases it).
RESIDENT_ID_PATTERN = r"^[0-9]{17}[0-9Xx]$"


# Why a date is entered late (补录, shared.backdating): ``backdate_reason: LateEntryReason | None =
# Field(default=None, description=...)``, the description naming the date it excuses.
LateEntryReason = Annotated[str, Field(min_length=1, max_length=2000)]


_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _iso_date_only(value: Any) -> Any:
    """A date in a path or query is ``YYYY-MM-DD``: pydantic would also take ``0`` (1970-01-01) or
    ``1700000000`` (a Unix time), which a clerk never means and the document does not say."""
    if isinstance(value, str) and not _ISO_DATE.match(value):
        raise ValueError("a date is written YYYY-MM-DD")
    return value


# ``since: IsoDate | None = None``: only a calendar date as the document states it (format: date).
IsoDate = Annotated[date, BeforeValidator(_iso_date_only)]


def with_example(**body: Any) -> ConfigDict:
    """A request model's ``model_config`` with one example body for the document:
    ``model_config = with_example(kind="transfer", amount_fen=50000000)``."""
    return ConfigDict(json_schema_extra={"examples": [body]})


def uuid_or_none(text: str) -> uuid.UUID | None:
    """The UUID an id sent as text spells, or None (such an id names no row)."""
    try:
        return uuid.UUID(text)
    except ValueError:
        return None
