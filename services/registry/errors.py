"""The registry's domain errors (one tree, rendered as problem+json by shared.errors)."""

from __future__ import annotations

from shared.errors import Conflict, Forbidden, InvalidInput, NotFound

__all__ = [
    "AreaNotFound",
    "BatchNotInPolicy",
    "ExitNotEligible",
    "ExitRequestNotFound",
    "HouseholdChangeRefused",
    "IdentityConflictClosed",
    "IdentityConflictNotFound",
    "HouseholdNotFound",
    "IncomeNotFound",
    "InvalidMember",
    "MemberNotFound",
    "ObjectionNotFound",
    "ObjectionsOpen",
    "PersonActiveElsewhere",
    "PersonInAnotherHousehold",
    "PolicyMissing",
    "PolicyRecordNotFound",
    "PublicNoticeStillRunning",
    "RelapseCaseNotFound",
    "RelapseStepOutOfOrder",
    "RelapseStepNotYours",
    "ReviewNotApproved",
    "TransitionRefused",
]


class HouseholdNotFound(NotFound):
    type_slug = "household-not-found"
    title = "Household not found"


class MemberNotFound(NotFound):
    type_slug = "member-not-found"
    title = "Member not found"


class AreaNotFound(NotFound):
    type_slug = "area-not-found"
    title = "Area not found"


class PolicyRecordNotFound(NotFound):
    type_slug = "policy-record-not-found"
    title = "Policy record not found"


class IncomeNotFound(NotFound):
    type_slug = "income-not-found"
    title = "No income recorded for that year"


class ObjectionNotFound(NotFound):
    type_slug = "objection-not-found"
    title = "Objection not found"


class ExitRequestNotFound(NotFound):
    type_slug = "exit-request-not-found"
    title = "Exit request not found"


class RelapseCaseNotFound(NotFound):
    type_slug = "relapse-case-not-found"
    title = "Return-to-poverty case not found"


class InvalidMember(InvalidInput):
    type_slug = "invalid-member"
    title = "Member data is inconsistent"


class BatchNotInPolicy(InvalidInput):
    type_slug = "batch-not-in-policy"
    title = "Batch not in the area's batch set"


class TransitionRefused(Conflict):
    type_slug = "household-transition-refused"
    title = "This step is not allowed in the household's current status"


class PublicNoticeStillRunning(TransitionRefused):
    type_slug = "public-notice-still-running"
    title = "The public notice has not run its minimum days"


class ObjectionsOpen(TransitionRefused):
    type_slug = "objections-open"
    title = "Objections to the public notice are still open"


class ReviewNotApproved(TransitionRefused):
    type_slug = "village-review-not-approved"
    title = "The village democratic review has not approved this household"


class HouseholdChangeRefused(Conflict):
    type_slug = "household-change-refused"
    title = "This change to the household is not possible"


class PersonInAnotherHousehold(Conflict):
    type_slug = "person-in-another-household"
    title = "This person is already a member of another active household"


class PersonActiveElsewhere(Conflict):
    """The person is active in a household outside the caller's area: the answer names only the
    identity conflict opened for the officer covering both areas, nothing of that household."""

    type_slug = "person-active-elsewhere"
    title = "This person is active in a household outside your area; a conflict was opened"


class IdentityConflictNotFound(NotFound):
    type_slug = "identity-conflict-not-found"
    title = "Identity conflict not found"


class IdentityConflictClosed(Conflict):
    type_slug = "identity-conflict-closed"
    title = "This identity conflict is already resolved"


class ExitNotEligible(Conflict):
    type_slug = "exit-not-eligible"
    title = "The household does not meet the exit standard"


class RelapseStepOutOfOrder(Conflict):
    type_slug = "relapse-step-out-of-order"
    title = "This approval step is not the next one in the chain"


class SignerNotTheHousehold(Forbidden):
    type_slug = "signer-not-the-household"
    title = "Only the household itself signs its confirmation"


class InvalidSignature(Conflict):
    type_slug = "household-signature-refused"
    title = "This member cannot sign for the household"


class RelapseRoutedElsewhere(Conflict):
    type_slug = "relapse-routed-elsewhere"
    title = "The policy routes a return to poverty for this cause another way"


class RelapseStepNotYours(Forbidden):
    type_slug = "relapse-step-wrong-signer"
    title = "This approval step needs another role or level"


class PolicyMissing(Conflict):
    type_slug = "policy-missing"
    title = "No registry policy covers this area and year"
