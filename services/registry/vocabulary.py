"""The registry's closed vocabularies (names from the glossary in DOMAIN.md).

Kept in one module because households, identification, exits and roll-ups all speak them.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "ACTIVE_STATUSES",
    "POOR_STATUSES",
    "BasicNeed",
    "DebtCause",
    "HouseholdStatus",
    "LabourCapacity",
    "PovertyCause",
    "Relation",
]


class HouseholdStatus(StrEnum):
    CANDIDATE = "candidate"
    IN_REVIEW = "in_review"
    IN_NOTICE = "in_notice"
    CONFIRMED = "confirmed"
    REGISTERED = "registered"
    EXIT_REQUESTED = "exit_requested"
    EXITED = "exited"
    REMOVED = "removed"
    REJECTED = "rejected"


# Households that still hold their members: a person may be in only one of these.
ACTIVE_STATUSES = frozenset(HouseholdStatus) - {HouseholdStatus.REMOVED, HouseholdStatus.REJECTED}
# Households counted as "registered poor" (numerator of the incidence rate).
POOR_STATUSES = frozenset({HouseholdStatus.REGISTERED, HouseholdStatus.EXIT_REQUESTED})


class PovertyCause(StrEnum):
    """致贫原因, the national registration form's list."""

    ILLNESS = "illness"
    DISABILITY = "disability"
    SCHOOLING = "schooling"
    DISASTER = "disaster"
    LACK_OF_LAND = "lack_of_land"
    LACK_OF_WATER = "lack_of_water"
    LACK_OF_SKILLS = "lack_of_skills"
    LACK_OF_LABOUR = "lack_of_labour"
    LACK_OF_FUNDS = "lack_of_funds"
    POOR_TRANSPORT = "poor_transport"
    LACK_OF_MOTIVATION = "lack_of_motivation"
    OTHER = "other"


# Causes of a return to poverty (返贫): the poverty causes, plus the one seed 004 binds its approval
# chain to (因重大自然灾害返贫的). Which way each goes is policy data (RegistryPolicy.relapse_routes).
MAJOR_NATURAL_DISASTER = "major_natural_disaster"
RELAPSE_CAUSES = frozenset({MAJOR_NATURAL_DISASTER, *(c.value for c in PovertyCause)})


class LabourCapacity(StrEnum):
    FULL = "full"
    PARTIAL = "partial"
    NONE = "none"
    NOT_OF_AGE = "not_of_age"


class Relation(StrEnum):
    HEAD = "head"
    SPOUSE = "spouse"
    CHILD = "child"
    CHILD_IN_LAW = "child_in_law"
    GRANDCHILD = "grandchild"
    PARENT = "parent"
    GRANDPARENT = "grandparent"
    SIBLING = "sibling"
    OTHER = "other"


class DebtCause(StrEnum):
    """Large debts that block exit are those caused by illness, schooling or housing (Gansu)."""

    ILLNESS = "illness"
    SCHOOLING = "schooling"
    HOUSING = "housing"


class BasicNeed(StrEnum):
    """两不愁三保障: food and clothing (with safe water), education, medical care, housing."""

    FOOD = "food"
    CLOTHING = "clothing"
    SAFE_WATER = "safe_water"
    COMPULSORY_EDUCATION = "compulsory_education"
    BASIC_MEDICAL = "basic_medical"
    SAFE_HOUSING = "safe_housing"
