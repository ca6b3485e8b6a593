"""Tables of the pairing service (its own database, its own MetaData and Alembic history).

Rules that must hold under concurrent requests are also constraints here: one active pairing
per target or per helper for the kinds whose rule says so (partial unique indexes), one open
need per household, one open gap per (kind, subject).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.pairing.pairings.rules import KIND_SPECS
from shared.service_tables import AreaCodeIndexed, one_row_per, recorded_at, service_metadata, subtree_index

metadata = service_metadata(cadres=False)  # with the platform tables (outbox, inbox, audit, idempotency)


class Base(DeclarativeBase):
    metadata = metadata


_ACTIVE_CADRE = "kind = 'cadre_household' AND ended_on IS NULL"


class AreaRef(Base):
    """Projection of registry.area.upserted.v1."""

    __tablename__ = "area_ref"
    code: Mapped[str] = mapped_column(sa.String(12), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    level: Mapped[str] = mapped_column(sa.String(16))
    parent_code: Mapped[str | None] = mapped_column(sa.String(12))
    poor_village: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.text("false"))
    old_area_village: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.text("false"))
    key_village: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.text("false"))
    pairing_dispatch_level: Mapped[str | None] = mapped_column(sa.String(16))
    updated_at: Mapped[datetime] = recorded_at()
    __table_args__ = (
        subtree_index(
            "ix_area_ref_poor_village_prefix", "code", where="level = 'village' AND poor_village IS true"
        ),
    )


class HouseholdRef(Base):
    """Projection of registry.household.* — what pairing knows of a household (no personal data)."""

    __tablename__ = "household_ref"
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    household_number: Mapped[str | None] = mapped_column(sa.String(64), index=True)  # the roll import's key
    area_code: Mapped[AreaCodeIndexed]
    status: Mapped[str] = mapped_column(sa.String(20))
    member_count: Mapped[int] = mapped_column(sa.Integer, server_default=sa.text("0"))
    head_name_masked: Mapped[str | None] = mapped_column(sa.String(50))
    registered_on: Mapped[date | None] = mapped_column(sa.Date)
    policies_kept_until: Mapped[date | None] = mapped_column(sa.Date)
    # The latest visit of any kind by anyone (what the visit-interval rule reads). Kept by the
    # database in the visit's own transaction (triggers of revision c4d2f8a61e07): raised on every
    # visit insert, never lowered by an older one, recounted on a visit update or delete. Never
    # written by the application.
    last_visit_on: Mapped[date | None] = mapped_column(sa.Date)
    updated_at: Mapped[datetime] = recorded_at()
    __table_args__ = (  # an area subtree (LIKE '4407%') with what coverage reads, index-only
        subtree_index(
            "ix_household_ref_area_prefix",
            "area_code",
            include=["id", "status", "policies_kept_until", "last_visit_on"],
        ),
    )


class PairingNeed(Base):
    __tablename__ = "pairing_need"
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    household_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), index=True)
    area_code: Mapped[AreaCodeIndexed]
    status: Mapped[str] = mapped_column(sa.String(16))  # open, fulfilled, closed
    opened_at: Mapped[datetime] = recorded_at()
    closed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    closed_reason: Mapped[str | None] = mapped_column(sa.String(64))
    __table_args__ = (one_row_per("uq_pairing_need_open", "household_id", where="status = 'open'"),)


class Helper(Base):
    __tablename__ = "helper"
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    kind: Mapped[str] = mapped_column(sa.String(40), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    unit: Mapped[str | None] = mapped_column(sa.String(200))  # 单位 of a cadre, hospital of a doctor
    level: Mapped[str | None] = mapped_column(sa.String(16))
    area_code: Mapped[AreaCodeIndexed]
    user_sub: Mapped[str | None] = mapped_column(sa.String(100), unique=True)  # login subject of a cadre
    # The work team a first secretary or member belongs to (the 10+1 team of a volunteer).
    team_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("helper.id"), index=True)
    active: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.text("true"))
    left_on: Mapped[date | None] = mapped_column(sa.Date)
    party_member_count: Mapped[int] = mapped_column(sa.Integer, server_default=sa.text("0"))
    hospital_grade: Mapped[str | None] = mapped_column(sa.String(4))
    professional_title: Mapped[str | None] = mapped_column(sa.String(32))
    created_at: Mapped[datetime] = recorded_at()
    __table_args__ = (subtree_index("ix_helper_area_prefix", "area_code"),)


class PostingPeriod(Base):
    __tablename__ = "posting_period"
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    helper_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("helper.id"), index=True)
    area_code: Mapped[str] = mapped_column(sa.String(12))
    role: Mapped[str] = mapped_column(sa.String(40))
    started_on: Mapped[date] = mapped_column(sa.Date)
    ended_on: Mapped[date | None] = mapped_column(sa.Date)
    in_poor_area: Mapped[bool] = mapped_column(sa.Boolean)


class EnterpriseEmployment(Base):
    """A labourer of a registered poor household employed by an enterprise helper (Kaiping seed 004
    五(十)2: 吸纳建档立卡贫困劳动力…稳定就业一年以上). One row per worker and period."""

    __tablename__ = "enterprise_employment"
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    helper_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("helper.id"), index=True)
    household_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    worker_name: Mapped[str] = mapped_column(sa.String(50))
    started_on: Mapped[date] = mapped_column(sa.Date)
    ended_on: Mapped[date | None] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = recorded_at()


def _one_active_per(side: Literal["target", "helper"]) -> sa.Index:
    """The seeds' rule "one active pairing per target" (or "per helper"), for the kinds whose rule
    says so, as a partial unique index: enforced even if two requests race past the service check."""
    kinds = ",".join(
        f"'{kind.value}'"
        for kind, spec in KIND_SPECS.items()
        if (spec.one_per_target if side == "target" else spec.one_per_helper)
    )
    return one_row_per(
        f"uq_pairing_active_{side}", "kind", f"{side}_id", where=f"ended_on IS NULL AND kind IN ({kinds})"
    )


class Pairing(Base):
    __tablename__ = "pairing"
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    kind: Mapped[str] = mapped_column(sa.String(40))
    helper_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("helper.id"), index=True)
    target_type: Mapped[str] = mapped_column(sa.String(16))  # household, village, county, township
    target_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    area_code: Mapped[str] = mapped_column(sa.String(12), index=True)  # where the target is
    started_on: Mapped[date] = mapped_column(sa.Date)
    ended_on: Mapped[date | None] = mapped_column(sa.Date)
    end_reason: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = recorded_at()
    __table_args__ = (
        _one_active_per("target"),
        _one_active_per("helper"),
        # A cadre's load against the cap (coverage, hand-over) reads only the live rows.
        sa.Index("ix_pairing_active_cadre_helper", "helper_id", postgresql_where=sa.text(_ACTIVE_CADRE)),
        # The active cadres of an area subtree (coverage of a large area).
        subtree_index(
            "ix_pairing_active_cadre_area_prefix",
            "area_code",
            include=["target_id", "started_on"],
            where=_ACTIVE_CADRE,
        ),
    )


class Visit(Base):
    __tablename__ = "visit"
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)  # client-generated
    household_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), index=True)
    helper_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("helper.id"), index=True)
    area_code: Mapped[AreaCodeIndexed]
    visited_on: Mapped[date] = mapped_column(sa.Date)
    kind: Mapped[str] = mapped_column(sa.String(32))
    notes: Mapped[str] = mapped_column(sa.Text, server_default="")
    measures: Mapped[list[str]] = mapped_column(JSONB, server_default=sa.text("'[]'::jsonb"))
    household_confirmed: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.text("false"))
    satisfaction: Mapped[str | None] = mapped_column(sa.String(32))
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    recorded_by: Mapped[str] = mapped_column(sa.String(100))
    recorded_at: Mapped[datetime] = recorded_at()
    __table_args__ = (sa.Index("ix_visit_household_visited_on", "household_id", "visited_on"),)  # last visit


class LedgerEntry(Base):
    """The household's three ledgers (Gansu 户户3本账): plan, measures, work."""

    __tablename__ = "ledger_entry"
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)  # client-generated
    household_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), index=True)
    area_code: Mapped[AreaCodeIndexed]
    ledger: Mapped[str] = mapped_column(sa.String(16))
    year: Mapped[int] = mapped_column(sa.Integer)
    entry_on: Mapped[date] = mapped_column(sa.Date)
    content: Mapped[str] = mapped_column(sa.Text)
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    recorded_by: Mapped[str] = mapped_column(sa.String(100))
    recorded_at: Mapped[datetime] = recorded_at()


class CoverageGap(Base):
    __tablename__ = "coverage_gap"
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    kind: Mapped[str] = mapped_column(sa.String(40))
    subject_id: Mapped[str] = mapped_column(sa.String(64))
    area_code: Mapped[AreaCodeIndexed]
    episode: Mapped[int] = mapped_column(sa.Integer)
    signal_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=sa.text("'{}'::jsonb"))
    opened_at: Mapped[datetime] = recorded_at()
    closed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    __table_args__ = (
        one_row_per("uq_coverage_gap_open", "kind", "subject_id", where="closed_at IS NULL"),
        sa.Index("ix_coverage_gap_identity_episode", "kind", "subject_id", "episode"),  # the next episode
        subtree_index("ix_coverage_gap_open_area_prefix", "area_code", where="closed_at IS NULL"),
    )


class PolicyOverrideRow(Base):
    """An administrator's versioned change to an area's pairing policy; NULL fields inherit."""

    __tablename__ = "pairing_policy"
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    area_prefix: Mapped[str] = mapped_column(sa.String(12))
    valid_from: Mapped[date] = mapped_column(sa.Date)
    cadre_household_cap: Mapped[int | None] = mapped_column(sa.Integer)
    visit_interval_days: Mapped[int | None] = mapped_column(sa.Integer)
    volunteer_team_min_party_members: Mapped[int | None] = mapped_column(sa.Integer)
    enterprise_target_must_be_old_area: Mapped[bool | None] = mapped_column(sa.Boolean)
    enterprise_one_village_each: Mapped[bool | None] = mapped_column(sa.Boolean)
    county_pairs_added: Mapped[list[list[str]] | None] = mapped_column(JSONB)
    township_staff_min: Mapped[int | None] = mapped_column(sa.Integer)
    village_coordinator_min: Mapped[int | None] = mapped_column(sa.Integer)
    source: Mapped[str] = mapped_column(sa.Text)
    recorded_by: Mapped[str] = mapped_column(sa.String(100))
    created_at: Mapped[datetime] = recorded_at()
    version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")  # the ETag (If-Match)
    __table_args__ = (sa.UniqueConstraint("area_prefix", "valid_from"),)


_STANDING = "status NOT IN ('failed', 'cancelled')"  # an import that still holds its file


class PairingImport(Base):
    """A staged 结对帮扶名单 import (imports/): uploaded, checked row by row, then committed or
    cancelled. The same bytes (sha256) are one import while it is not failed or cancelled."""

    __tablename__ = "pairing_import"
    __table_args__ = (one_row_per("uq_pairing_import_sha256", "sha256", where=_STANDING),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    # validating → validated → committing → committed; or failed, cancelled
    status: Mapped[str] = mapped_column(sa.String(12))
    sha256: Mapped[str] = mapped_column(sa.String(64))  # of the file's bytes
    file_format: Mapped[str] = mapped_column(sa.String(8))  # xlsx | csv
    encoding: Mapped[str | None] = mapped_column(sa.String(20))  # of a CSV: utf-8-sig, utf-8 or gb18030
    filename: Mapped[str | None] = mapped_column(sa.String(255))
    area_scope: Mapped[str] = mapped_column(sa.String(12))  # the area prefix of whoever uploaded it
    uploaded_by: Mapped[str] = mapped_column(sa.String(200))
    headers: Mapped[list[str]] = mapped_column(JSONB, default=list)  # the file's header row
    rows_total: Mapped[int | None] = mapped_column(sa.Integer)
    rows_validated: Mapped[int] = mapped_column(sa.Integer, default=0)
    rows_accepted: Mapped[int] = mapped_column(sa.Integer, default=0)
    rows_refused: Mapped[int] = mapped_column(sa.Integer, default=0)
    rows_committed: Mapped[int] = mapped_column(sa.Integer, default=0)  # pairings written
    helpers_created: Mapped[int] = mapped_column(sa.Integer, default=0)
    mode: Mapped[str | None] = mapped_column(sa.String(20))  # all_or_nothing | valid_rows_only
    error: Mapped[str | None] = mapped_column(sa.Text)
    started_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))  # of the phase running
    finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    created_at: Mapped[datetime] = recorded_at()
    # the database's now() when the running step was asked for (shared.import_steps: real time)
    step_started_at: Mapped[datetime] = recorded_at()


class PairingImportRow(Base):
    """Staging: one row of an uploaded roll with its verdict; nothing outside staging changes
    before the commit."""

    __tablename__ = "pairing_import_row"

    import_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("pairing_import.id", ondelete="CASCADE"), primary_key=True
    )
    row_no: Mapped[int] = mapped_column(sa.Integer, primary_key=True)  # as the spreadsheet numbers it
    status: Mapped[str] = mapped_column(sa.String(10))  # accepted | refused
    cells: Mapped[list[str | None]] = mapped_column(JSONB)
    reasons: Mapped[list[str]] = mapped_column(JSONB, server_default=sa.text("'[]'::jsonb"))
    data: Mapped[dict[str, Any] | None] = mapped_column(JSONB)  # the parsed row (rules.Row.data)
