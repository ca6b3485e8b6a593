"""Money fields of the funds API: strict integer fen with a ceiling, so no amount overflows BIGINT."""

from __future__ import annotations

from shared.fields import MAX_FEN, Fen, PositiveFen

__all__ = ["MAX_FEN", "Fen", "PositiveFen"]
