"""Use cases of the exit sign-off. One call = one transaction (the caller's); flush only."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.inspection.errors import AreaOutsideScope, DossierNotFound, missing_in_your_area
from services.inspection.models import SignoffDossier, SignoffSignature
from services.inspection.places import parse_area
from services.inspection.policies import service as policy_service
from services.inspection.policies.presets import DOSSIER_KINDS
from services.inspection.signoffs import events, rules
from services.inspection.signoffs.repository import DossierRepository
from services.inspection.signoffs.schemas import (
    SchemeIn,
)
from services.registry import events as registry
from shared import audit, cadres
from shared.areas import AreaCode
from shared.auth import Principal
from shared.clock import clock
from shared.errors import InvalidInput, PreconditionRequired
from shared.http import check_put_precondition
from shared.pii import mask_name
from shared.repository import Slice

SYSTEM = "inspection:consumer"


def _scheme_json(scheme: rules.SignoffScheme) -> dict[str, Any]:
    return {
        "levels": [{"level": lv.level, "positions": list(lv.positions)} for lv in scheme.levels],
        "household_position": scheme.household_position,
    }


scheme_json = _scheme_json  # frozen into every dossier, household or area (signoffs.area_exits)


def _scheme_of(dossier: SignoffDossier) -> rules.SignoffScheme:
    return rules.scheme_of_record(dossier.scheme_code, dossier.scheme)


def _signed(rows: list[SignoffSignature]) -> list[rules.Signature]:
    return rules.signed(rows)


@dataclass(frozen=True)
class SignedDossier:
    """A sign-off dossier and every signature (or refusal) given on it, oldest first."""

    dossier: SignoffDossier
    signatures: list[SignoffSignature]


async def _audit(
    session: AsyncSession,
    actor: Principal | str,
    action: str,
    dossier: SignoffDossier,
    after: dict[str, Any],
    *,
    was_open: bool = True,
) -> None:
    """The dossier's audit row: ``dossier.<action>``, from open (``was_open``) to ``after``."""
    before = {"status": "open"} if was_open else None
    await audit.record(
        session, actor, f"dossier.{action}", ("signoff_dossier", dossier.id), before=before, after=after
    )


async def open_dossier(*, session: AsyncSession, data: registry.HouseholdExitRequested) -> SignoffDossier:
    """Registry asked for an exit: open the dossier once per exit request."""
    repo = DossierRepository(session)
    existing = await repo.by_exit_request(data.exit_request_id)
    if existing is not None:
        return existing
    area_code = AreaCode.parse(data.area_code).code  # a bad code is refused, not stored
    scheme, _, _ = await policy_service.effective_scheme(session, area_code)
    dossier = await repo.add(
        SignoffDossier(
            exit_request_id=data.exit_request_id,
            household_id=data.household_id,
            area_code=area_code,
            year=data.year,
            member_count=data.member_count or 0,
            head_name_masked=data.head_name_masked,
            scheme_code=scheme.code,
            scheme=_scheme_json(scheme),
            status="open",
            created_at=clock.now(),
        )
    )
    opened = {"exit_request_id": dossier.exit_request_id, "scheme": scheme.code}
    await _audit(session, SYSTEM, "opened", dossier, opened, was_open=False)
    return dossier


async def withdraw(*, session: AsyncSession, exit_request_id: str, reason: str) -> None:
    """Registry took the exit request back: an open dossier stops collecting signatures."""
    dossier = await DossierRepository(session).by_exit_request(exit_request_id)
    if dossier is None or dossier.status != "open":
        return
    dossier.status, dossier.closed_at = "withdrawn", clock.now()
    await _audit(session, SYSTEM, "withdrawn", dossier, {"status": "withdrawn", "reason": reason})


async def _load(
    repo: DossierRepository, actor: Principal, dossier_id: uuid.UUID, lock: bool
) -> SignoffDossier:
    dossier = await repo.get(dossier_id, lock=lock)
    if dossier is None or not actor.covers(dossier.area_code):
        raise missing_in_your_area(DossierNotFound, "Sign-off dossier", "签字档案", dossier_id=dossier_id)
    return dossier


def _shown_name(scheme: rules.SignoffScheme, step: rules.Signature, actor: Principal) -> str | None:
    """Officials sign by name; the household's member is shown masked (张*) like everywhere else."""
    if actor.name and step.position == scheme.household_position:
        return mask_name(actor.name)
    return actor.name


def _attempt(
    dossier: SignoffDossier, rows: list[SignoffSignature], actor: Principal, position: str
) -> rules.Attempt:
    """What the sign-off rules read when ``actor`` signs or refuses ``position`` now."""
    return rules.Attempt(
        status=dossier.status,
        household_area=dossier.area_code,
        household_id=dossier.household_id or "",
        signatures=_signed(rows),
        signer=actor,
        position=position,
    )


def _decision(
    dossier: SignoffDossier,
    step: rules.Signature,
    actor: Principal,
    decision: str,
    *,
    signer_name: str | None,
    reason: str | None = None,
) -> SignoffSignature:
    """The row that records ``actor``'s decision (signed or refused) on ``step``, timed now."""
    return SignoffSignature(
        dossier_id=dossier.id,
        level=step.level,
        position=step.position,
        decision=decision,
        reason=reason,
        signer_sub=actor.sub,
        signer_name=signer_name,
        signer_area=actor.area_code,
        signed_at=clock.now(),
    )


async def get(*, session: AsyncSession, actor: Principal, dossier_id: uuid.UUID) -> SignedDossier:
    repo = DossierRepository(session)
    dossier = await _load(repo, actor, dossier_id, lock=False)
    own = await cadres.cadre_households(session, actor)
    if own is not None and dossier.household_id not in own:  # a cadre reads their households' dossiers
        raise missing_in_your_area(DossierNotFound, "Sign-off dossier", "签字档案", dossier_id=dossier_id)
    return SignedDossier(dossier, await repo.signatures(dossier.id))


async def list_page(
    *,
    session: AsyncSession,
    actor: Principal,
    status: str | None,
    household_id: str | None,
    cursor: str | None,
    limit: int,
    kind: str | None = None,
) -> Slice[SignedDossier]:
    if status is not None:
        rules.DOSSIER_STATUS.check(status)
    repo = DossierRepository(session)
    found = await repo.page(
        prefix=actor.area_prefix,
        status=status,
        household_id=household_id,
        kind=_check_kind(kind) if kind else None,
        cursor=cursor,
        limit=limit,
        households=await cadres.cadre_households(session, actor),
    )
    signatures = await repo.signatures_of([d.id for d in found.items])
    return Slice([SignedDossier(d, signatures[d.id]) for d in found.items], found.next_cursor)


async def sign(
    *, session: AsyncSession, actor: Principal, dossier_id: uuid.UUID, position: str
) -> SignedDossier:
    repo = DossierRepository(session)
    dossier = await _load(repo, actor, dossier_id, lock=True)
    rows = await repo.signatures(dossier.id)
    scheme = _scheme_of(dossier)
    step = rules.check_signature(scheme, **_attempt(dossier, rows, actor, position))
    signature = _decision(dossier, step, actor, "signed", signer_name=_shown_name(scheme, step, actor))
    await repo.add_signature(signature)
    rows.append(signature)
    after: dict[str, Any] = {"level": step.level, "position": step.position}
    if rules.is_complete(scheme, _signed(rows)):
        dossier.status, dossier.closed_at = "verified", clock.now()
        await events.publish_verified(session, dossier, clock.date_of(dossier.closed_at))
        after["status"] = "verified"
    await _audit(session, actor, "signed", dossier, after)
    return SignedDossier(dossier, rows)


async def refuse(
    *, session: AsyncSession, actor: Principal, dossier_id: uuid.UUID, position: str, reason: str
) -> SignedDossier:
    repo = DossierRepository(session)
    dossier = await _load(repo, actor, dossier_id, lock=True)
    rows = await repo.signatures(dossier.id)
    step = rules.check_refusal(_scheme_of(dossier), reason=reason, **_attempt(dossier, rows, actor, position))
    refusal = _decision(dossier, step, actor, "refused", signer_name=actor.name, reason=reason)
    await repo.add_signature(refusal)
    rows.append(refusal)
    dossier.status, dossier.closed_at, dossier.refusal_reason = "rejected", clock.now(), reason
    await events.publish_rejected(session, dossier, level=step.level, step=step.position, reason=reason)
    await _audit(
        session,
        actor,
        "refused",
        dossier,
        {"status": "rejected", "position": step.position, "reason": reason},
    )
    return SignedDossier(dossier, rows)


# --- sign-off schemes as policy records ------------------------------------------------------
@dataclass(frozen=True)
class SchemeSetting:
    """The sign-off scheme an area signs ``kind`` dossiers with, the prefix it is set for, whether
    a record or a preset, and (when the record shown is stored there) its version."""

    scheme: rules.SignoffScheme
    area_prefix: str
    source: str
    version: int | None
    kind: str


def _check_kind(kind: str) -> str:
    if kind not in DOSSIER_KINDS:
        raise InvalidInput(
            "A dossier kind is household, village or county.", detail_zh="档案类型应为户、村或县", kind=kind
        )
    return kind


def _check_prefix(area_prefix: str) -> None:
    if len(area_prefix) not in (2, 4, 6, 9, 12):
        raise InvalidInput(
            "An area prefix has 2, 4, 6, 9 or 12 digits.",
            detail_zh="地区代码前缀应为2、4、6、9或12位数字",
            area_prefix=area_prefix,
        )


async def get_scheme(*, session: AsyncSession, area_code: str, kind: str = "household") -> SchemeSetting:
    """The set an area (12 digits) or a subtree (its prefix) signs ``kind`` dossiers with. Its
    ``version`` is set only when the record shown is the one stored at ``area_code`` itself (what
    a PUT there changes)."""
    _check_prefix(area_code)
    _check_kind(kind)
    scheme, prefix, source = await policy_service.effective_scheme(session, parse_area(area_code).code, kind)
    own = (
        await DossierRepository(session).scheme_record(area_code, kind=kind) if prefix == area_code else None
    )
    return SchemeSetting(scheme, prefix, source, own.version if own else None, kind)


async def put_scheme(
    *,
    session: AsyncSession,
    actor: Principal,
    area_prefix: str,
    data: SchemeIn,
    if_match: str | None,
    kind: str = "household",
) -> SchemeSetting:
    """Set the sign-off set for a subtree; dossiers already open keep the set they opened with.
    Creating a prefix's record needs no If-Match; changing it needs the ETag you read."""
    _check_prefix(area_prefix)
    if not area_prefix.startswith(actor.area_prefix):
        raise AreaOutsideScope(
            "Set a scheme for your own area or an area below it (a code prefix).",
            detail_zh="只能为本辖区或下级地区设置签字流程",
            area_prefix=area_prefix,
        )
    _check_kind(kind)
    scheme = policy_service.scheme_from(data)
    rules.check_scheme(scheme, kind)
    repo = DossierRepository(session)
    found = await repo.scheme_record(area_prefix, kind=kind, lock=True)
    check_put_precondition(if_match, found.version if found else None)
    levels = [lv.model_dump() for lv in data.levels]
    values = {
        "area_prefix": area_prefix,
        "kind": kind,
        "code": data.code,
        "levels": levels,
        "household_position": data.household_position,
        "set_by": actor.sub,
    }
    before: dict[str, Any] | None = None
    if found is None:
        found = await repo.add_scheme(values)
        if found is None:  # a concurrent request created it since our read: this is now a change
            raise PreconditionRequired.created_meanwhile(
                "set this prefix's scheme", "设置了该地区的签字流程", area_prefix=area_prefix
            )
    else:
        before = {"code": found.code, "levels": found.levels, "household_position": found.household_position}
        await repo.update(
            found, code=data.code, levels=levels, household_position=data.household_position, set_by=actor.sub
        )
    await audit.record(
        session,
        actor,
        "signoff_scheme.set",
        ("signoff_scheme", area_prefix if kind == "household" else f"{area_prefix}/{kind}"),
        before=before,
        after={**data.model_dump(), "kind": kind, "version": found.version},
    )
    return SchemeSetting(scheme, area_prefix, "record", found.version, kind)
