"""Anomaly detectors over payments, beneficiaries and accounts (pure; supervision/service.py feeds them).

Each anomaly has a ``signal_key`` that is stable for the underlying problem, so running the
detectors again finds the same keys and inspection raises one finding per problem, not per run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from services.funds.beneficiaries.rules import is_payable

__all__ = [
    "AccountFact",
    "Anomaly",
    "PaymentFact",
    "StatusFact",
    "detect_duplicate_payments",
    "detect_idle_funds",
    "detect_over_entitlement",
    "detect_unpayable_beneficiaries",
]


@dataclass(frozen=True)
class PaymentFact:
    disbursement_id: str
    beneficiary_kind: str
    beneficiary_id: str
    area_code: str
    amount_fen: int
    component: str | None
    year: int | None
    paid_on: date
    recorded_at: datetime  # when the payment was entered: of two paid the same day, the later is the repeat


@dataclass(frozen=True)
class StatusFact:
    """What the projection knows of a household; ``None`` status: never registered."""

    status: str | None
    policies_kept_until: date | None = None


@dataclass(frozen=True)
class AccountFact:
    code: str
    area_code: str
    kind: str
    balance_fen: int
    last_outflow_on: date | None
    opened_on: date


@dataclass(frozen=True)
class Anomaly:
    signal_key: str
    kind: str
    area_code: str
    amount_fen: int
    detail: Mapping[str, Any] = field(default_factory=dict)


_KIND_BY_STATUS = {
    None: "non_registered_beneficiary",
    "exited": "exited_beneficiary",
    "removed": "removed_beneficiary",
}


def detect_unpayable_beneficiaries(
    payments: Iterable[PaymentFact], statuses: Mapping[str, StatusFact]
) -> list[Anomaly]:
    """Payments to households that, as known now, could not be paid on that day: never registered,
    removed, candidates, or exited past the end of their kept policies. Catches payments recorded
    before the registry's news arrived."""
    found = []
    for p in payments:
        if p.beneficiary_kind != "household":
            continue
        fact = statuses.get(p.beneficiary_id, StatusFact(None))
        if is_payable(fact.status, policies_kept_until=fact.policies_kept_until, on=p.paid_on):
            continue
        kind = _KIND_BY_STATUS.get(fact.status, "non_registered_beneficiary")
        found.append(
            Anomaly(
                f"{kind}:{p.disbursement_id}",
                kind,
                p.area_code,
                p.amount_fen,
                {
                    "disbursement_id": p.disbursement_id,
                    "household_id": p.beneficiary_id,
                    "status": fact.status,
                },
            )
        )
    return found


def _pair_key(a: PaymentFact, b: PaymentFact) -> str:
    """A pair's signal key names its payments by date, then id (as keys were always written), so a
    pair found before keeps its key whichever of the two is the repeat."""
    first, second = sorted((a, b), key=lambda p: (p.paid_on, p.disbursement_id))
    return f"duplicate_payment:{first.disbursement_id}:{second.disbursement_id}"


def detect_duplicate_payments(payments: Iterable[PaymentFact]) -> list[Anomaly]:
    """The same beneficiary paid the same amount for the same component and year more than once.
    The first payment entered is the original; each later one is the duplicate to check (and reverse)."""
    groups: dict[tuple[Any, ...], list[PaymentFact]] = defaultdict(list)
    for p in payments:
        groups[(p.beneficiary_kind, p.beneficiary_id, p.amount_fen, p.component, p.year)].append(p)
    found = []
    for group in groups.values():
        if len(group) < 2:
            continue
        ordered = sorted(group, key=lambda p: (p.paid_on, p.recorded_at, p.disbursement_id))
        first = ordered[0]
        for dup in ordered[1:]:
            found.append(
                Anomaly(
                    _pair_key(first, dup),
                    "duplicate_payment",
                    dup.area_code,
                    dup.amount_fen,
                    {
                        "disbursement_id": dup.disbursement_id,
                        "duplicate_of": first.disbursement_id,
                        "beneficiary_kind": dup.beneficiary_kind,
                        "beneficiary_id": dup.beneficiary_id,
                    },
                )
            )
    return found


def detect_over_entitlement(
    disbursed: Mapping[tuple[str, str], int],
    entitlements: Mapping[tuple[str, str], int],
    areas: Mapping[tuple[str, str], str],
) -> list[Anomaly]:
    """Paid more than entitled: possible when a plan is recomputed downwards (a member left)."""
    found = []
    for key, paid in sorted(disbursed.items()):
        excess = paid - entitlements.get(key, 0)
        if excess > 0:
            kind, ident = key
            found.append(
                Anomaly(
                    f"over_entitlement:{kind}:{ident}",
                    "over_entitlement",
                    areas.get(key, ""),
                    excess,
                    {
                        "beneficiary_kind": kind,
                        "beneficiary_id": ident,
                        "disbursed_fen": paid,
                        "entitlement_fen": entitlements.get(key, 0),
                    },
                )
            )
    return found


def detect_idle_funds(accounts: Iterable[AccountFact], *, today: date, idle_days: int) -> list[Anomaly]:
    """Money sitting in a holding account with nothing paid out of it for longer than ``idle_days``
    (超过: strictly longer). The key names the idle period's start, so a new outflow ends the signal."""
    found = []
    for a in accounts:
        if a.kind != "holding" or a.balance_fen <= 0:
            continue
        since = a.last_outflow_on or a.opened_on
        if (today - since).days > idle_days:
            found.append(
                Anomaly(
                    f"idle_funds:{a.code}:{since.isoformat()}",
                    "idle_funds",
                    a.area_code,
                    a.balance_fen,
                    {"account": a.code, "idle_since": since.isoformat(), "idle_days": (today - since).days},
                )
            )
    return found
