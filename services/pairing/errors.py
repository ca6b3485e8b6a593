"""Pairing's domain errors. Every refused rule is a 409 whose detail says which rule and why."""

from __future__ import annotations

from shared.errors import Conflict, InvalidInput, NotFound

__all__ = [
    "AreaNotFound",
    "HandOverImpossible",
    "HelperNotFound",
    "HouseholdNotFound",
    "HouseholdNotPairable",
    "InvalidPeriod",
    "PairingNotFound",
    "PairingRuleViolated",
    "VisitNotAllowed",
]


class PairingRuleViolated(Conflict):
    """A pairing rule of the seeds (or the area's policy) refuses this pairing."""

    type_slug = "pairing-rule-violated"
    title = "The pairing breaks a pairing rule"


class HouseholdNotPairable(Conflict):
    type_slug = "household-not-pairable"
    title = "The household cannot be paired in its current status"


class HandOverImpossible(Conflict):
    type_slug = "hand-over-impossible"
    title = "The households cannot all be handed over"


class VisitNotAllowed(Conflict):
    type_slug = "visit-not-allowed"
    title = "The visit cannot be recorded"


class InvalidPeriod(InvalidInput):
    type_slug = "invalid-period"
    title = "The period is not valid"


class HelperNotFound(NotFound):
    type_slug = "helper-not-found"
    title = "Helper not found"


class HouseholdNotFound(NotFound):
    type_slug = "household-not-found"
    title = "Household not found"


class AreaNotFound(NotFound):
    type_slug = "area-not-found"
    title = "Area not found"


class PairingNotFound(NotFound):
    type_slug = "pairing-not-found"
    title = "Pairing not found"
