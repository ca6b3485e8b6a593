"""Use cases of work records: one visit or ledger entry, or an offline batch of them.

A batch is one transaction, but every record runs in its own savepoint: a bad record is
reported and skipped, the good ones are kept; a record whose client id is already stored with
the same content is a harmless resend.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.pairing.errors import HelperNotFound, HelperNotNamed, RecordIdReused, VisitNotAllowed
from services.pairing.helpers.repository import HelperRepository
from services.pairing.labels import LABELS
from services.pairing.models import Helper, LedgerEntry, Visit
from services.pairing.needs import service as need_service
from services.pairing.needs.repository import HouseholdRepository
from services.pairing.visits import events, rules
from services.pairing.visits.repository import LedgerRepository, VisitRepository
from services.pairing.visits.schemas import LedgerEntryIn, Record, VisitIn
from services.pairing.vocabulary import VOCABULARIES, BatchOutcome, LedgerKind
from shared import audit
from shared.auth import Principal
from shared.backdating import check_not_future
from shared.errors import Forbidden, InvalidInput
from shared.labels import FieldLabels, describe_errors
from shared.problems import Language
from shared.repository import Slice
from shared.vocabulary import code_labels

_RECORD: TypeAdapter[VisitIn | LedgerEntryIn] = TypeAdapter(Record)
_LABELS = LABELS | FieldLabels(codes=code_labels(VOCABULARIES))
# a batch record that does not say, or says wrongly, which kind of record it is
_RECORD_TYPE_ZH = {
    "union_tag_not_found": "缺少记录类别type：走访记录写visit，台账记录写ledger_entry",
    "union_tag_invalid": "记录类别type应为visit（走访记录）或ledger_entry（台账记录），不是“{tag}”",
}
_STORED_CONCURRENTLY = rules.Refusal(
    "stored concurrently; send the record again", "这条记录正由另一次上传同时保存，请重新上传这条记录"
)


@dataclass(frozen=True)
class RecordResult:
    """What happened to one record of a batch (``index`` is its place in the batch)."""

    index: int
    id: str | None
    type: str | None
    outcome: BatchOutcome
    reason: str | None = None


@dataclass(frozen=True)
class Batch:
    """An offline batch's counts per outcome, and every record's result in the batch's order."""

    stored: int
    duplicates: int
    rejected: int
    conflicts: int
    results: list[RecordResult]


async def _author(session: AsyncSession, actor: Principal, helper_id: uuid.UUID | None) -> Helper:
    """A cadre records as themselves; an office names the cadre whose handbook it copies."""
    repo = HelperRepository(session)
    office = actor.has_role("registrar", "approver", "admin")
    if office and helper_id is None and await repo.by_user_sub(actor.sub) is None:
        raise HelperNotNamed(
            "Name the cadre whose visit this is (helper_id)",
            detail_zh="请指明这次走访的帮扶干部（helper_id）",
        )
    if office and helper_id is not None:
        return await repo.get_in_area(helper_id, actor, HelperNotFound)
    helper = await repo.by_user_sub(actor.sub)
    if helper is None:
        raise Forbidden(
            "Your login is not registered as a helper; ask your poverty office to register it",
            detail_zh="您的账号还未登记为帮扶责任人，请扶贫办先登记",
        )
    return helper


def _ledger_year(record: LedgerEntryIn) -> rules.Refusal | None:
    return rules.ledger_year_refusal(ledger=record.ledger.value, year=record.year, entry_on=record.entry_on)


async def _refusal(
    session: AsyncSession, actor: Principal, helper: Helper, record: VisitIn | LedgerEntryIn, today: date
) -> tuple[rules.Refusal | None, str]:
    """(why the record is refused or None, the household's area code)."""
    household = await HouseholdRepository(session).get(record.household_id)
    if household is None or not actor.covers(household.area_code):
        return rules.UNKNOWN_HOUSEHOLD, ""
    spans = [
        rules.PairingSpan(a, b)
        for a, b in await VisitRepository(session).spans(helper_id=helper.id, household_id=household.id)
    ]
    if isinstance(record, LedgerEntryIn) and (why := _ledger_year(record)) is not None:
        return why, household.area_code
    entry = not isinstance(record, VisitIn)
    on = record.entry_on if isinstance(record, LedgerEntryIn) else record.visited_on
    reason = rules.visit_refusal(
        on, spans=spans, household_status=household.status, today=today, ledger_entry=entry
    )
    return reason, household.area_code


def _content(record: VisitIn | LedgerEntryIn, helper: Helper) -> dict[str, Any]:
    return {**record.model_dump(mode="json"), "helper_id": str(helper.id)}


async def _store(
    session: AsyncSession,
    actor: Principal,
    helper: Helper,
    record: VisitIn | LedgerEntryIn,
    area_code: str,
    digest: str,
) -> None:
    repo = VisitRepository(session)
    # what a visit and a ledger entry both keep: the client's id (a resend is recognised by it and
    # by the fingerprint), the household and its area, and who recorded it
    common = {
        "id": record.id,
        "household_id": record.household_id,
        "area_code": area_code,
        "fingerprint": digest,
        "recorded_by": actor.sub,
    }
    if isinstance(record, VisitIn):
        visit = Visit(
            **common,
            helper_id=helper.id,
            visited_on=record.visited_on,
            kind=record.kind.value,
            notes=record.notes,
            measures=record.measures,
            household_confirmed=record.household_confirmed,
            satisfaction=record.satisfaction.value if record.satisfaction else None,
        )
        await repo.add(visit)
        await events.visit_recorded(session, visit)
    else:
        entry = LedgerEntry(
            **common,
            ledger=record.ledger.value,
            year=record.year,
            entry_on=record.entry_on,
            content=record.content,
        )
        await LedgerRepository(session).add(entry)
    await audit.record(
        session, actor, f"{record.type}.recorded", (record.type, record.id), after=_content(record, helper)
    )


async def _stored_fingerprint(session: AsyncSession, record: VisitIn | LedgerEntryIn) -> str | None:
    row: Visit | LedgerEntry | None = await (
        VisitRepository(session).get(record.id)
        if isinstance(record, VisitIn)
        else LedgerRepository(session).get(record.id)
    )
    return row.fingerprint if row else None


async def record_one(
    session: AsyncSession, actor: Principal, record: VisitIn | LedgerEntryIn, *, today: date
) -> tuple[BatchOutcome, rules.Refusal | None]:
    helper = await _author(session, actor, record.helper_id)
    digest = rules.fingerprint(_content(record, helper))
    refusal, area_code = await _refusal(session, actor, helper, record, today)
    outcome = rules.classify_record(
        stored_fingerprint=await _stored_fingerprint(session, record), new_fingerprint=digest, refusal=refusal
    )
    if outcome is BatchOutcome.CONFLICT:
        return outcome, rules.Refusal(
            f"id {record.id} was already used for a different record",
            f"编号{record.id}已用于另一条内容不同的记录；新记录请使用新编号（id）",
        )
    if outcome is BatchOutcome.STORED:
        await _store(session, actor, helper, record, area_code, digest)
    return outcome, refusal if outcome is BatchOutcome.REJECTED else None


async def record_single(
    *, session: AsyncSession, actor: Principal, record: VisitIn | LedgerEntryIn, today: date
) -> BatchOutcome:
    """The online path: a refused record is an error (409), a resend is accepted as is. A visit
    dated after today (China date) is bad input, 422 ``date-in-future`` as in every service (the
    offline batch reports it as that record's refusal); so is a ledger entry dated after today."""
    if isinstance(record, VisitIn):
        check_not_future(field="visited_on", on=record.visited_on, today=today, label_zh="走访日期")
    else:
        check_not_future(field="entry_on", on=record.entry_on, today=today, label_zh="台账记录日期")
        if (why := _ledger_year(record)) is not None:  # the body contradicts itself: bad input
            raise InvalidInput(why.en, detail_zh=why.zh, field="year")
    outcome, reason = await record_one(session, actor, record, today=today)
    if outcome is BatchOutcome.REJECTED:
        assert reason is not None
        raise VisitNotAllowed(reason.en, detail_zh=reason.zh, record_id=str(record.id))
    if outcome is BatchOutcome.CONFLICT:
        assert reason is not None
        raise RecordIdReused(reason.en, detail_zh=reason.zh, record_id=str(record.id))
    return outcome


def _parse(raw: dict[str, Any], language: Language) -> tuple[VisitIn | LedgerEntryIn | None, str | None]:
    try:
        return _RECORD.validate_python(raw), None
    except ValidationError as exc:
        first = exc.errors()[0]
        if first["type"] in _RECORD_TYPE_ZH and language == "zh":  # the record's kind, not a field
            return None, _RECORD_TYPE_ZH[first["type"]].format(tag=raw.get("type"))
        loc = list(first["loc"])
        if loc and loc[0] in ("visit", "ledger_entry"):  # the union's tag, not a field
            loc = loc[1:]
        field = ".".join(str(p) for p in loc)
        if language == "en":
            return None, f"{field}: {first.get('msg', 'invalid')}"
        (described,) = describe_errors([{**first, "loc": tuple(loc)}], _LABELS, language)
        return None, described["message"]  # it names the field in Chinese


async def record_batch(
    *,
    session: AsyncSession,
    actor: Principal,
    records: list[dict[str, Any]],
    today: date,
    language: Language = "zh",
) -> Batch:
    """Each record's reason is told in ``language`` (Chinese unless the client asked for English)."""
    parsed = [_parse(raw, language) for raw in records]
    # Households in id order: two phones uploading for the same households at once then take the
    # household rows (the last-visit trigger updates them) in one order and cannot deadlock.
    # Records of one household keep their order; results keep the batch's order.
    order = sorted(range(len(records)), key=lambda i: (str(getattr(parsed[i][0], "household_id", "")), i))
    by_index: dict[int, RecordResult] = {}
    for index in order:
        raw = records[index]
        record, problem = parsed[index]
        raw_id, raw_type = raw.get("id"), raw.get("type")
        if record is None:
            by_index[index] = RecordResult(
                index=index,
                id=str(raw_id) if raw_id else None,
                type=str(raw_type) if raw_type is not None else None,
                outcome=BatchOutcome.REJECTED,
                reason=problem,
            )
            continue
        reason: str | None
        try:
            async with session.begin_nested():
                outcome, refusal = await record_one(session, actor, record, today=today)
            reason = refusal.told_in(language) if refusal else None
        except (HelperNotFound, HelperNotNamed, InvalidInput) as exc:
            # This record names an unknown cadre or none: reject it alone, keep the others.
            outcome, reason = BatchOutcome.REJECTED, exc.told_in(language)[1]
        except IntegrityError:
            # The same id arrived in a concurrent upload; the client resends and gets "duplicate".
            outcome, reason = BatchOutcome.REJECTED, _STORED_CONCURRENTLY.told_in(language)
        by_index[index] = RecordResult(
            index=index, id=str(record.id), type=record.type, outcome=outcome, reason=reason
        )
    results = [by_index[i] for i in range(len(records))]
    count = {o: sum(1 for r in results if r.outcome is o) for o in BatchOutcome}
    return Batch(
        stored=count[BatchOutcome.STORED],
        duplicates=count[BatchOutcome.DUPLICATE],
        rejected=count[BatchOutcome.REJECTED],
        conflicts=count[BatchOutcome.CONFLICT],
        results=results,
    )


async def visits_of(
    *, session: AsyncSession, actor: Principal, household_id: uuid.UUID, cursor: str | None, limit: int
) -> Slice[Visit]:
    await need_service.visible_household(session, actor, household_id)
    return await VisitRepository(session).visits_of(household_id, cursor=cursor, limit=limit)


async def ledger_of(
    *,
    session: AsyncSession,
    actor: Principal,
    household_id: uuid.UUID,
    ledger: LedgerKind | None,
    cursor: str | None,
    limit: int,
) -> Slice[LedgerEntry]:
    await need_service.visible_household(session, actor, household_id)
    return await LedgerRepository(session).ledger_of(
        household_id, ledger=ledger.value if ledger else None, cursor=cursor, limit=limit
    )
