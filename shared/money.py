"""Money is integer fen. Splits add up to the total to the fen (largest-remainder rounding)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

__all__ = [
    "FEN_PER_YUAN",
    "format_yuan",
    "largest_remainder",
    "parse_yuan",
    "yuan",
    "yuan_en",
    "yuan_zh",
]

FEN_PER_YUAN = 100


def yuan(amount: int | str | Decimal) -> int:
    """Yuan to fen, exactly (refuses fractions of a fen)."""
    d = Decimal(str(amount)) * FEN_PER_YUAN
    if d != d.to_integral_value():
        raise ValueError(f"{amount} yuan is not a whole number of fen")
    return int(d)


def parse_yuan(text: str) -> int:
    return yuan(Decimal(text.replace(",", "").strip()))


def format_yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    q = Decimal(abs(fen)) / FEN_PER_YUAN
    return f"{sign}{q.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"


def yuan_zh(fen: int) -> str:
    """An amount as a Chinese text names it: 30000000 fen -> "300,000.00元" (the fen stay exact in
    the problem's ``*_fen`` members; the words are for the clerk)."""
    return f"{format_yuan(fen)}元"


def yuan_en(fen: int) -> str:
    """The same in English: 30000000 fen -> "300,000.00 yuan"."""
    return f"{format_yuan(fen)} yuan"


def largest_remainder(total: int, weights: Sequence[int | Fraction]) -> list[int]:
    """Split ``total`` fen in proportion to ``weights``; the parts sum exactly to ``total``.

    Each part gets the floor of its exact share; the fen left over go one each to the largest
    remainders (ties to the earlier index, so the result is deterministic).
    """
    if not weights:
        if total:
            raise ValueError("cannot split a non-zero amount among nobody")
        return []
    if any(w < 0 for w in weights):
        raise ValueError("weights must not be negative")
    if all(isinstance(w, int) for w in weights):
        return _split_int(total, [int(w) for w in weights])
    wsum = sum(Fraction(w) for w in weights)
    if wsum == 0:
        raise ValueError("weights must not all be zero")
    exact = [Fraction(total) * Fraction(w) / wsum for w in weights]
    parts = [int(e // 1) for e in exact]
    left = total - sum(parts)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[:left]:
        parts[i] += 1
    return parts


def _split_int(total: int, weights: list[int]) -> list[int]:
    """The same split in integer arithmetic: share_i = total*w_i // W, remainder total*w_i % W."""
    wsum = sum(weights)
    if wsum == 0:
        raise ValueError("weights must not all be zero")
    quotients = [divmod(total * w, wsum) for w in weights]
    parts = [q for q, _ in quotients]
    left = total - sum(parts)
    order = sorted(range(len(weights)), key=lambda i: (-quotients[i][1], i))
    for i in order[:left]:
        parts[i] += 1
    return parts
