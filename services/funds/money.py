"""Money fields of the funds API: integer fen with a ceiling, so no amount overflows BIGINT."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

__all__ = ["MAX_FEN", "Fen", "PositiveFen"]

MAX_FEN = 10**15  # ten trillion yuan: far above any budget, far below BIGINT's limit

Fen = Annotated[int, Field(ge=0, le=MAX_FEN, description="integer fen")]
PositiveFen = Annotated[int, Field(gt=0, le=MAX_FEN, description="integer fen, above zero")]
