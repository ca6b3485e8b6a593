"""Which level resolves a person claimed in two areas: pure functions, no I/O.

The lowest level covering both areas is the longest common prefix of the two 12-digit codes at a
level boundary (province 2, city 4, county 6, township 9, village 12 digits); two provinces share
only the national level.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["OFFICER_ROLES", "ClaimKind", "Outcome", "queue_for"]

# who sees both sides and decides, when their area covers both (admin passes everywhere)
OFFICER_ROLES = frozenset({"approver", "admin"})

_LEVELS = (("village", 12), ("township", 9), ("county", 6), ("city", 4), ("province", 2))


class ClaimKind(StrEnum):
    HOUSEHOLD = "household"  # a new candidate household
    MEMBER = "member"  # a member added to an existing household
    IMPORT = "import"  # a row of a bulk import


class Outcome(StrEnum):
    """keep: the person stays where they are active, the claim is refused; move: the person leaves
    that household (moved away), so the claiming clerk can enter them; reject: the claim itself is
    unfounded (a wrong ID, a double registration) and is refused, nothing changes."""

    KEEP = "keep"
    MOVE = "move"
    REJECT = "reject"


STATUS_AFTER = {Outcome.KEEP: "kept", Outcome.MOVE: "moved", Outcome.REJECT: "rejected"}


def queue_for(held_area: str, claim_area: str) -> tuple[str, str]:
    """(prefix, level) of the lowest level covering both codes; ("", "national") across provinces."""
    for level, length in _LEVELS:
        if held_area[:length] == claim_area[:length]:
            return held_area[:length], level
    return "", "national"
