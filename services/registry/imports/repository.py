"""All SQL of staged imports: COPY into the staging table, set-shaped checks, the move into place."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any, Literal

from sqlalchemy import delete, select, text

from services.registry.households.events import REGISTERED
from services.registry.households.repository import copy_records, registered_events_sql
from services.registry.models import Area, Household, ImportRow, Member, SpreadsheetImport
from services.registry.vocabulary import BATCH_LABELS
from shared.import_steps import StepsRepository

# the staging columns every kind of import fills first (the COPY order of its records)
_ROW_COLUMNS = (
    "import_id",
    "row_no",
    "cells",
    "household_key",
    "area_code",
    "name",
    "resident_id_hash",
)
STAGED_COLUMNS = (
    *_ROW_COLUMNS,
    "resident_id_cipher",
    "resident_id_masked",
    "birth_date",
    "sex",
    "relation",
    "labour_capacity",
    "poverty_causes",
    "batches",
    "year",
    "registered_on",
    "reasons",
    "status",
    "household_id",
    "member_id",
    "data",  # the head row's yes/no household columns (低保户, 五保户, 劳动意愿)
)

# how the reason of a row refused only for another row of its household begins (同户第3行有错误 …)
HOUSEHOLD_REFUSED = "同户第"
_REFUSE = "UPDATE import_row r SET reasons = r.reasons || {reason}, status = 'refused' "
# conditions on an import row ``r`` about its area code, shared by the kinds of import
_UNKNOWN_AREA = "r.area_code IS NOT NULL AND NOT EXISTS (SELECT 1 FROM area a WHERE a.code = r.area_code)"
_OUTSIDE_SCOPE = "left(r.area_code, length(:scope)) <> :scope"
# a staged head row ``h``'s 低保户 column (rules.ParsedRow.attributes)
_DIBAO = "coalesce((h.data ->> 'dibao')::boolean, false)"


class ImportRepository(StepsRepository[SpreadsheetImport]):
    """``set`` (conditional on the status seen) and the interrupted-step look-up: shared.import_steps."""

    model = SpreadsheetImport

    async def by_sha256(self, kind: str, sha256: str) -> SpreadsheetImport | None:
        stmt = select(SpreadsheetImport).where(
            SpreadsheetImport.kind == kind,
            SpreadsheetImport.sha256 == sha256,
            SpreadsheetImport.status.not_in(("failed", "cancelled")),
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def _refuse(self, sql: str, params: dict[str, Any]) -> int:
        result = await self.session.execute(text(sql), params)
        return int(getattr(result, "rowcount", 0) or 0)

    async def accept_pending(self, import_id: uuid.UUID) -> None:
        await self.session.execute(
            text("UPDATE import_row SET status = 'accepted' WHERE import_id = :i AND status = 'pending'"),
            {"i": import_id},
        )

    async def _refuse_rows(self, import_id: uuid.UUID, reason: str, where: str, **params: Any) -> int:
        """The import's rows that ``where`` (SQL over ``r``) picks: refused with ``reason``."""
        return await self._refuse(
            _REFUSE.format(reason=reason) + f"WHERE r.import_id = :i AND {where}", {"i": import_id, **params}
        )

    async def _refuse_not_village(self, import_id: uuid.UUID, reason: str, where: str) -> int:
        """Rows picked by ``where`` whose area code is a known area but not a village."""
        return await self._refuse(
            _REFUSE.format(reason=reason) + f"FROM area a WHERE r.import_id = :i AND {where} "
            "AND a.code = r.area_code AND a.level <> 'village'",
            {"i": import_id},
        )

    async def _refuse_repeats(self, import_id: uuid.UUID, key: tuple[str, ...], reason: str) -> int:
        """Rows whose ``key`` columns a row above in the same file already has: refused with
        ``reason``, which may name that first row (``d.first_row``). ``key``: column names, never input."""
        columns = ", ".join(key)
        given = " AND ".join(f"{c} IS NOT NULL" for c in key)
        same = " AND ".join(f"r.{c} = d.{c}" for c in key)
        return await self._refuse(
            _REFUSE.format(reason=reason)
            + f"FROM (SELECT {columns}, min(row_no) AS first_row FROM import_row "
            f"WHERE import_id = :i AND {given} GROUP BY {columns} HAVING count(*) > 1) d "
            f"WHERE r.import_id = :i AND {same} AND r.row_no <> d.first_row",
            {"i": import_id},
        )

    async def drop_rows(self, import_id: uuid.UUID) -> None:
        await self.session.execute(delete(ImportRow).where(ImportRow.import_id == import_id))

    async def copy_rows(self, records: Sequence[tuple[Any, ...]]) -> None:
        """COPY a chunk of parsed rows into the staging table (asyncpg's binary COPY)."""
        await copy_records(self.session, "import_row", STAGED_COLUMNS, records)

    async def check(
        self,
        import_id: uuid.UUID,
        *,
        scope: str,
        today: date,
        old_roll_named: bool,
        policies: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        """The set-shaped checks, each one statement over the whole import."""
        s, p = self.session, {"i": import_id}
        # one head per household: the household's columns come from its head's row
        await s.execute(
            text(
                _REFUSE.format(reason="ARRAY['本户有' || k.heads || '个户主，每户应有且只有一个户主']")
                + "FROM (SELECT household_key, count(*) FILTER (WHERE relation = 'head') AS heads "
                "FROM import_row WHERE import_id = :i GROUP BY household_key) k "
                "WHERE r.import_id = :i AND r.household_key = k.household_key AND k.heads <> 1 "
                "AND r.household_key IS NOT NULL"
            ),
            p,
        )
        await s.execute(
            text(
                "UPDATE import_row r SET area_code = h.area_code, year = h.year, registered_on = "
                "h.registered_on, "
                "poverty_causes = h.poverty_causes, batches = h.batches FROM import_row h "
                "WHERE r.import_id = :i AND h.import_id = :i AND h.household_key = r.household_key "
                "AND h.relation = 'head' AND r.relation IS DISTINCT FROM 'head' AND r.status <> 'refused'"
            ),
            p,
        )
        # the same person twice in the file: the later rows are refused, naming the first
        await self._refuse_repeats(
            import_id,
            ("resident_id_hash",),
            "ARRAY['此人（身份证号）在本文件第' || d.first_row || '行已出现，一人只能在一户']",
        )
        await self.refuse_held(import_id)
        # area: exists, is a village, lies in the uploader's area (heads carry the household's area)
        head = "r.relation = 'head'"
        await self._refuse_rows(
            import_id, "ARRAY['行政区划代码' || r.area_code || '不存在']", f"{head} AND {_UNKNOWN_AREA}"
        )
        await self._refuse_not_village(
            import_id,
            "ARRAY['行政区划代码' || r.area_code || '不是村级代码，应填写户所在村的代码']",
            "r.relation = 'head'",
        )
        await self._refuse_rows(
            import_id,
            "ARRAY['行政区划代码' || r.area_code || '不在您的辖区内']",
            f"r.relation = 'head' AND r.area_code IS NOT NULL AND {_OUTSIDE_SCOPE} "
            "AND EXISTS (SELECT 1 FROM area a WHERE a.code = r.area_code)",
            scope=scope,
        )
        await s.execute(
            text(
                _REFUSE.format(reason="ARRAY['户编号' || r.household_key || '已在系统中登记']")
                + "WHERE r.import_id = :i AND r.relation = 'head' "
                "AND EXISTS (SELECT 1 FROM household h WHERE h.household_number = r.household_key)"
            ),
            p,
        )
        if policies:
            # batches of the area's policy, and the old-roll rule (shared.backdating) per (area, year)
            await s.execute(
                text(
                    _REFUSE.format(
                        # the batches the clerk typed that the area's set lacks, in their words
                        reason="ARRAY['帮扶批次“' || array_to_string(ARRAY(SELECT coalesce(CAST(:names AS "
                        "jsonb) ->> b, b) FROM unnest(r.batches) b WHERE NOT b = ANY(ARRAY(SELECT "
                        "jsonb_array_elements_text(pol.value -> 'batches')))), '、') || "
                        "'”不在本地区的批次中；可选：' || (pol.value ->> 'labels')]"
                    )
                    + "FROM jsonb_each(CAST(:pol AS jsonb)) pol WHERE r.import_id = :i AND r.relation = "
                    "'head' "
                    "AND pol.key = r.area_code || '|' || r.year AND NOT (r.batches <@ ARRAY(SELECT "
                    "jsonb_array_elements_text(pol.value -> 'batches'))::varchar[])"
                ),
                p | {"pol": json.dumps(policies), "names": json.dumps(BATCH_LABELS, ensure_ascii=False)},
            )
            if not old_roll_named:
                await s.execute(
                    text(
                        _REFUSE.format(
                            reason="ARRAY['登记日期早于今天' || (pol.value ->> 'tolerance') || "
                            "'天以上，导入旧花名册须在上传时填写来源花名册（source_roll）和理由（reason）']"
                        )
                        + "FROM jsonb_each(CAST(:pol AS jsonb)) pol WHERE r.import_id = :i AND "
                        "r.relation = 'head' "
                        "AND pol.key = r.area_code || '|' || r.year "
                        "AND r.registered_on < CAST(:today AS date) - (pol.value ->> 'tolerance')::int"
                    ),
                    p | {"pol": json.dumps(policies), "today": today},
                )
        await self.refuse_households(import_id)
        await self.accept_pending(import_id)

    async def refuse_held(self, import_id: uuid.UUID) -> int:
        """One person, one household: the blind index joined against members holding their identity."""
        result = await self.session.execute(
            text(
                _REFUSE.format(
                    reason="ARRAY['此人已在户' || coalesce(h.household_number, '') || '（' || "
                    "h.area_code || '）中登记，一人只能在一户；如确需迁入，请先办理迁出']"
                )
                + "FROM member m JOIN household h ON h.id = m.household_id "
                "WHERE r.import_id = :i AND m.resident_id_hash = r.resident_id_hash AND m.holds_identity "
                "AND r.status <> 'refused'"
            ),
            {"i": import_id},
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def refuse_households(self, import_id: uuid.UUID) -> None:
        """A household is imported whole or not at all: rows of a household with a refused row go too."""
        await self.session.execute(
            text(
                _REFUSE.format(reason=f"ARRAY['{HOUSEHOLD_REFUSED}' || f.rows || '行有错误，整户未导入']")
                + "FROM (SELECT household_key, string_agg(row_no::text, '、' ORDER BY row_no) AS rows "
                "FROM import_row WHERE import_id = :i AND status = 'refused' AND household_key IS NOT NULL "
                "GROUP BY household_key) f "
                "WHERE r.import_id = :i AND r.household_key = f.household_key AND r.status <> 'refused'"
            ),
            {"i": import_id},
        )

    async def head_groups(self, import_id: uuid.UUID) -> list[tuple[str, int]]:
        rows = await self.session.execute(
            text(
                "SELECT DISTINCT area_code, year FROM import_row WHERE import_id = :i AND relation = 'head' "
                "AND status = 'pending' AND area_code IS NOT NULL AND year IS NOT NULL"
            ),
            {"i": import_id},
        )
        return [(r.area_code, r.year) for r in rows]

    async def counts(
        self, import_id: uuid.UUID, *, household: Literal["household_key", "household_id"] = "household_key"
    ) -> dict[str, int]:
        """Accepted and refused rows, and the households the accepted ones name (``household``: the
        column that names one, a column name, never input)."""
        row = (
            await self.session.execute(
                text(
                    "SELECT count(*) FILTER (WHERE status = 'accepted') AS accepted, "
                    "count(*) FILTER (WHERE status = 'refused') AS refused, "
                    f"count(DISTINCT {household}) FILTER (WHERE status = 'accepted') AS households "
                    "FROM import_row WHERE import_id = :i"
                ),
                {"i": import_id},
            )
        ).one()
        return {"accepted": row.accepted, "refused": row.refused, "households": row.households}

    async def rows(
        self, import_id: uuid.UUID, *, status: str | None, after: int, limit: int
    ) -> list[ImportRow]:
        stmt = select(ImportRow).where(ImportRow.import_id == import_id, ImportRow.row_no > after)
        if status:
            stmt = stmt.where(ImportRow.status == status)
        stmt = stmt.order_by(ImportRow.row_no).limit(limit)
        return list((await self.session.execute(stmt)).scalars())

    async def first_refused(self, import_id: uuid.UUID) -> ImportRow | None:
        """The first refused row with a reason of its own (not only its household's other row's)."""
        stmt = (
            select(ImportRow)
            .where(ImportRow.import_id == import_id, ImportRow.status == "refused")
            .order_by(ImportRow.reasons[1].startswith(HOUSEHOLD_REFUSED), ImportRow.row_no)
            .limit(1)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def move_into_place(
        self, import_id: uuid.UUID, *, today: date, now: str, request_id: str | None, trace: dict[str, str]
    ) -> tuple[int, int]:
        """Households, members and their registered events, each one INSERT … SELECT."""
        s, p = self.session, {"i": import_id}
        households = await s.execute(
            text(
                "INSERT INTO household (id, household_number, area_code, status, year, head_name, "
                "member_count, "
                "poverty_causes, batches, dibao, five_guarantee, basic_needs, income_channels, "
                "registered_on, "
                "version, created_on, labour_willing) "
                "SELECT h.household_id, h.household_key, h.area_code, 'registered', h.year, h.name, c.n, "
                "coalesce(h.poverty_causes, '{}'), coalesce(h.batches, '{}'), "
                f"{_DIBAO}, coalesce((h.data ->> 'five_guarantee')::boolean, false), '{{}}'::jsonb, "
                "'{}', h.registered_on, 1, :today, (h.data ->> 'labour_willing')::boolean "
                "FROM import_row h JOIN (SELECT household_key, count(*) AS n FROM import_row "
                "WHERE import_id = :i AND status = 'accepted' GROUP BY household_key) c USING "
                "(household_key) "
                "WHERE h.import_id = :i AND h.status = 'accepted' AND h.relation = 'head'"
            ),
            p | {"today": today},
        )
        members = await s.execute(
            text(
                "INSERT INTO member (id, household_id, name, resident_id_cipher, resident_id_hash, "
                "resident_id_masked, birth_date, sex, relation, labour_capacity, in_school, migrant_work, "
                "active, holds_identity, joined_reason) "
                "SELECT member_id, household_id, name, resident_id_cipher, resident_id_hash, "
                "resident_id_masked, "
                "birth_date, sex, relation, labour_capacity, false, false, true, true, 'import' "
                "FROM import_row WHERE import_id = :i AND status = 'accepted'"
            ),
            p,
        )
        # one registered event per household, the envelope households.events.registered writes
        await s.execute(
            text(
                registered_events_sql(
                    "SELECT h.household_id AS hid, h.household_key AS household_number, h.area_code, h.year, "
                    "h.name AS head_name, m.n AS member_count, m.member_ids, h.poverty_causes, h.batches, "
                    f"{_DIBAO} AS dibao, h.registered_on, h.row_no AS ord "
                    "FROM import_row h JOIN (SELECT household_key, count(*) AS n, "
                    "jsonb_agg(member_id::text ORDER BY row_no) AS member_ids FROM import_row "
                    "WHERE import_id = :i AND status = 'accepted' GROUP BY household_key) m USING "
                    "(household_key) WHERE h.import_id = :i AND h.status = 'accepted' AND h.relation = 'head'"
                )
            ),
            p
            | {
                "type": REGISTERED,
                "now": now,
                "rid": request_id,
                "trace": json.dumps(trace),
                "origin": "import",
            },
        )
        # the ciphertext now lives in member only (rotated with it); staging keeps the blind index
        await s.execute(
            text(
                "UPDATE import_row SET resident_id_cipher = NULL WHERE import_id = :i AND "
                "resident_id_cipher IS NOT NULL"
            ),
            p,
        )
        return int(getattr(households, "rowcount", 0)), int(getattr(members, "rowcount", 0))

    async def committed_groups(self, import_id: uuid.UUID) -> list[Any]:
        """Accepted households by (area, year, causes, batches): the counters' input, aggregated."""
        rows = await self.session.execute(
            text(
                "SELECT h.area_code, h.year, coalesce(h.poverty_causes, '{}') AS causes, "
                "coalesce(h.batches, '{}') AS batches, count(*) AS households, sum(c.n) AS persons "
                "FROM import_row h JOIN (SELECT household_key, count(*) AS n FROM import_row "
                "WHERE import_id = :i AND status = 'accepted' GROUP BY household_key) c USING "
                "(household_key) "
                "WHERE h.import_id = :i AND h.status = 'accepted' AND h.relation = 'head' "
                "GROUP BY 1, 2, 3, 4"
            ),
            {"i": import_id},
        )
        return list(rows)


# the staging columns the other kinds fill (kinds.py); the rest stay NULL
KIND_COLUMNS = (*_ROW_COLUMNS, "resident_id_masked", "year", "reasons", "status", "data")


class KindRepository(ImportRepository):
    """The set-shaped checks and the commit statements of the incomes, dibao and village_incomes kinds."""

    async def copy_kind_rows(self, records: Sequence[tuple[Any, ...]]) -> None:
        await copy_records(self.session, "import_row", KIND_COLUMNS, records)

    async def kind_counts(self, import_id: uuid.UUID) -> dict[str, int]:
        # the other kinds name a household by its id, found at the check (an import's key is optional)
        return await self.counts(import_id, household="household_id")

    # ---- incomes -------------------------------------------------------------------------------

    async def check_incomes(self, import_id: uuid.UUID, *, scope: str, closed: dict[str, str]) -> None:
        s, p = self.session, {"i": import_id}
        await s.execute(
            text(
                "UPDATE import_row r SET household_id = h.id, area_code = h.area_code FROM household h "
                "WHERE r.import_id = :i AND r.household_key IS NOT NULL "
                "AND h.household_number = r.household_key"
            ),
            p,
        )
        # the head's resident ID: names the household alone, or must agree with the 户编号 given
        await s.execute(
            text(
                "UPDATE import_row r SET household_id = h.id, area_code = h.area_code "
                "FROM member m JOIN household h ON h.id = m.household_id "
                "WHERE r.import_id = :i AND r.household_key IS NULL AND r.resident_id_hash IS NOT NULL "
                "AND m.resident_id_hash = r.resident_id_hash AND m.holds_identity AND m.relation = 'head'"
            ),
            p,
        )
        await self._refuse(
            _REFUSE.format(reason="ARRAY['户编号' || r.household_key || '在系统中没有登记']")
            + "WHERE r.import_id = :i AND r.household_key IS NOT NULL AND r.household_id IS NULL "
            "AND r.status <> 'refused'",
            p,
        )
        await self._refuse(
            _REFUSE.format(
                reason="ARRAY['身份证号为' || r.resident_id_masked || '的人没有作为户主登记在任何一户']"
            )
            + "WHERE r.import_id = :i AND r.household_key IS NULL AND r.household_id IS NULL "
            "AND r.status <> 'refused'",
            p,
        )
        await self._refuse(
            _REFUSE.format(
                reason="ARRAY['户主身份证号' || r.resident_id_masked || '不是户' || r.household_key || "
                "'的户主，请核对户编号和身份证号']"
            )
            + "WHERE r.import_id = :i AND r.household_key IS NOT NULL AND r.household_id IS NOT NULL "
            "AND r.resident_id_hash IS NOT NULL AND r.status <> 'refused' AND NOT EXISTS ("
            "SELECT 1 FROM member m WHERE m.household_id = r.household_id "
            "AND m.resident_id_hash = r.resident_id_hash AND m.relation = 'head')",
            p,
        )
        await self._refuse_rows(
            import_id,
            "ARRAY['该户（' || r.area_code || '）不在您的辖区内']",
            f"r.household_id IS NOT NULL AND r.status <> 'refused' AND {_OUTSIDE_SCOPE}",
            scope=scope,
        )
        await self.refuse_closed(import_id, closed)
        await self._refuse_repeats(
            import_id,
            ("household_id", "year"),
            "ARRAY['该户' || r.year || '年度的收入在本文件第' || d.first_row || '行已填写']",
        )
        await self.accept_pending(import_id)

    async def refuse_closed(self, import_id: uuid.UUID, closed: dict[str, str]) -> int:
        """Rows of households that can no longer change (removed, rejected), the reason the
        one-by-one route gives; run again at commit."""
        return await self._refuse(
            _REFUSE.format(
                reason="ARRAY['该户状态为“' || (CAST(:closed AS jsonb) ->> h.status) || '”，不能再变更']"
            )
            + "FROM household h WHERE r.import_id = :i AND h.id = r.household_id AND r.status <> 'refused' "
            "AND (CAST(:closed AS jsonb) ->> h.status) IS NOT NULL",
            {"i": import_id, "closed": json.dumps(closed, ensure_ascii=False)},
        )

    async def put_incomes(self, import_id: uuid.UUID) -> list[tuple[uuid.UUID, int, int, int | None]]:
        """The accepted incomes into income_record (a change bumps its version, as the route does):
        (household, year, fen, the amount before) in row order."""
        before = await self.session.execute(
            text(
                "SELECT r.household_id, r.year, (r.data ->> 'per_capita_income_fen')::bigint AS fen, "
                "i.per_capita_income_fen AS before FROM import_row r LEFT JOIN income_record i "
                "ON i.household_id = r.household_id AND i.year = r.year "
                "WHERE r.import_id = :i AND r.status = 'accepted' ORDER BY r.row_no"
            ),
            {"i": import_id},
        )
        changes = [(row.household_id, row.year, row.fen, row.before) for row in before]
        await self.session.execute(
            text(
                "INSERT INTO income_record (household_id, year, per_capita_income_fen, version) "
                "SELECT household_id, year, (data ->> 'per_capita_income_fen')::bigint, 1 FROM import_row "
                "WHERE import_id = :i AND status = 'accepted' "
                "ON CONFLICT (household_id, year) DO UPDATE SET per_capita_income_fen = "
                "excluded.per_capita_income_fen, version = income_record.version + 1"
            ),
            {"i": import_id},
        )
        return changes

    async def accepted_households(self, import_id: uuid.UUID) -> list[uuid.UUID]:
        stmt = (
            select(ImportRow.household_id)
            .where(ImportRow.import_id == import_id, ImportRow.status == "accepted")
            .where(ImportRow.household_id.is_not(None))
            .distinct()
        )
        return [i for i in (await self.session.execute(stmt)).scalars() if i is not None]

    async def households_with_members(
        self, ids: Sequence[uuid.UUID]
    ) -> tuple[dict[uuid.UUID, Household], dict[uuid.UUID, list[Member]]]:
        """The households and their active members (what the updated event names)."""
        found = await self.session.execute(select(Household).where(Household.id.in_(list(ids))))
        households = {h.id: h for h in found.scalars()}
        members: dict[uuid.UUID, list[Member]] = {}
        rows = await self.session.execute(
            select(Member)
            .where(Member.household_id.in_(list(ids)), Member.active)
            .order_by(Member.household_id, Member.id)
        )
        for m in rows.scalars():
            members.setdefault(m.household_id, []).append(m)
        return households, members

    async def areas(self, codes: Sequence[str]) -> list[Area]:
        rows = await self.session.execute(select(Area).where(Area.code.in_(list(codes))).order_by(Area.code))
        return list(rows.scalars())

    async def lock_households(self, ids: Sequence[uuid.UUID]) -> None:
        """The households' row locks, in id order (the one-by-one route holds the same lock)."""
        await self.session.execute(
            text("SELECT id FROM household WHERE id = ANY(:ids) ORDER BY id FOR UPDATE"), {"ids": list(ids)}
        )

    # ---- dibao ---------------------------------------------------------------------------------

    async def check_dibao(self, import_id: uuid.UUID, *, scope: str, outcomes: dict[str, str]) -> None:
        p = {"i": import_id}
        await self._refuse_repeats(
            import_id,
            ("resident_id_hash",),
            "ARRAY['此人（身份证号）在本文件第' || d.first_row || '行已出现']",
        )
        await self._refuse_rows(
            import_id,
            "ARRAY['行政区划代码' || r.area_code || '不在您的辖区内']",
            f"r.area_code IS NOT NULL AND {_OUTSIDE_SCOPE}",
            scope=scope,
        )
        await self.accept_pending(import_id)
        # the cross-check itself: the person among the registered members of the uploader's area
        await self.session.execute(
            text(
                "UPDATE import_row r SET household_id = h.id, data = jsonb_build_object('outcome', "
                "CASE WHEN h.dibao THEN CAST(:matched AS text) ELSE CAST(:mismatch AS text) END, "
                "'household_number', h.household_number) "
                "FROM member m JOIN household h ON h.id = m.household_id "
                "WHERE r.import_id = :i AND r.status = 'accepted' "
                "AND m.resident_id_hash = r.resident_id_hash "
                "AND m.holds_identity AND left(h.area_code, length(:scope)) = :scope"
            ),
            p | {"scope": scope, "matched": outcomes["matched"], "mismatch": outcomes["mismatch"]},
        )
        await self.session.execute(
            text(
                "UPDATE import_row SET data = jsonb_build_object('outcome', CAST(:none AS text)) "
                "WHERE import_id = :i AND status = 'accepted' AND household_id IS NULL"
            ),
            p | {"none": outcomes["not_registered"]},
        )

    async def dibao_counts(self, import_id: uuid.UUID, *, scope: str) -> dict[str, int]:
        rows = await self.session.execute(
            text(
                "SELECT data ->> 'outcome' AS outcome, count(*) AS n FROM import_row "
                "WHERE import_id = :i AND status = 'accepted' GROUP BY 1"
            ),
            {"i": import_id},
        )
        by_outcome = {r.outcome: int(r.n) for r in rows}
        flagged = await self.session.execute(
            text(
                "SELECT count(*) FROM household h WHERE h.dibao "
                "AND left(h.area_code, length(:scope)) = :scope "
                "AND h.status NOT IN ('removed', 'rejected') AND NOT EXISTS (SELECT 1 FROM import_row r "
                "WHERE r.import_id = :i AND r.status = 'accepted' AND r.household_id = h.id)"
            ),
            {"i": import_id, "scope": scope},
        )
        return by_outcome | {"flagged_not_on_roll": int(flagged.scalar_one())}

    # ---- village_incomes -----------------------------------------------------------------------

    async def check_village_incomes(self, import_id: uuid.UUID, *, scope: str) -> None:
        live = "r.status <> 'refused'"
        unknown = f"{live} AND {_UNKNOWN_AREA}"
        await self._refuse_rows(import_id, "ARRAY['村代码' || r.area_code || '不存在']", unknown)
        await self._refuse_not_village(
            import_id, "ARRAY['代码' || r.area_code || '不是村级代码，集体经济收入按村填写']", live
        )
        await self._refuse_rows(
            import_id,
            "ARRAY['村代码' || r.area_code || '不在您的辖区内']",
            f"r.area_code IS NOT NULL AND {live} AND {_OUTSIDE_SCOPE}",
            scope=scope,
        )
        await self._refuse_repeats(
            import_id,
            ("area_code", "year"),
            "ARRAY['该村' || r.year || '年度的集体经济收入在本文件第' || d.first_row || '行已填写']",
        )
        await self.accept_pending(import_id)

    async def put_village_incomes(self, import_id: uuid.UUID) -> list[str]:
        """The accepted incomes into area_income (a year recorded again is replaced, as the area
        upload does); the villages touched."""
        await self.session.execute(
            text(
                "INSERT INTO area_income (area_code, year, collective_income_fen) "
                "SELECT area_code, year, (data ->> 'collective_income_fen')::bigint FROM import_row "
                "WHERE import_id = :i AND status = 'accepted' "
                "ON CONFLICT (area_code, year) DO UPDATE SET collective_income_fen = "
                "excluded.collective_income_fen"
            ),
            {"i": import_id},
        )
        rows = await self.session.execute(
            text(
                "SELECT DISTINCT area_code FROM import_row WHERE import_id = :i AND status = 'accepted' "
                "ORDER BY area_code"
            ),
            {"i": import_id},
        )
        return list(rows.scalars())
