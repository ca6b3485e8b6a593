"""Domain errors of village and county exits (rendered as problem+json by shared.errors)."""

from __future__ import annotations

from shared.errors import Conflict, InvalidInput, NotFound

__all__ = [
    "AreaExitNotApplicable",
    "AreaExitNotEligible",
    "AreaExitOpen",
    "AreaExitPolicyMissing",
    "AreaExitPolicyRecordNotFound",
    "AreaExitRequestNotFound",
    "InvalidAreaExitPolicy",
    "InvalidDeclaration",
]


class AreaExitNotEligible(Conflict):
    type_slug = "area-exit-not-eligible"
    title = "The area does not meet its exit standard"


class AreaExitNotApplicable(Conflict):
    type_slug = "area-exit-not-applicable"
    title = "This area cannot ask for a village or county exit"


class AreaExitOpen(Conflict):
    type_slug = "area-exit-open"
    title = "The area already has an exit request waiting, or has exited"


class AreaExitRequestNotFound(NotFound):
    type_slug = "area-exit-request-not-found"
    title = "Area exit request not found"


class AreaExitPolicyRecordNotFound(NotFound):
    type_slug = "area-exit-policy-not-found"
    title = "Area exit policy record not found"


class AreaExitPolicyMissing(Conflict):
    type_slug = "area-exit-policy-missing"
    title = "No village or county exit policy applies here"


class InvalidDeclaration(InvalidInput):
    type_slug = "invalid-declaration"
    title = "The declared facts do not fit the area's exit policy"


class InvalidAreaExitPolicy(InvalidInput):
    type_slug = "invalid-area-exit-policy"
    title = "The area exit policy cannot be used"
