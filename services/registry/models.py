"""Tables of the registry service (its own database, its own MetaData and Alembic history)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.clock import clock
from shared.service_tables import AreaCodeIndexed, one_row_per, recorded_at, service_metadata, subtree_index

metadata = service_metadata()  # with the platform tables and the cadre projection


def _office_today() -> date:
    return clock.today()


class Base(DeclarativeBase):
    metadata = metadata


class Area(Base):
    """A node of the administrative tree, by 12-digit statistical division code."""

    __tablename__ = "area"
    __table_args__ = (
        # villages under a prefix (weak-village lists): prefix LIKE on code, villages only
        subtree_index("ix_area_village_code", "code", ops="text_pattern_ops", where="level = 'village'"),
    )

    code: Mapped[str] = mapped_column(sa.String(12), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    level: Mapped[str] = mapped_column(sa.String(10))
    parent_code: Mapped[str | None] = mapped_column(sa.String(12), index=True)
    poor_village: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.text("false"))
    old_area_village: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.text("false"))
    key_village: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.text("false"))
    # 帮扶村 (seed 002): a pairing village; its dispatching level (city/province/county) is recorded
    # on its own and may still be unknown (NULL) for a pairing village
    pairing_village: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.text("false"))
    pairing_dispatch_level: Mapped[str | None] = mapped_column(sa.String(10))
    rural_population: Mapped[int | None] = mapped_column(sa.Integer)
    synthetic_code: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.text("false"))
    updated_at: Mapped[datetime] = recorded_at()


class AreaIncome(Base):
    """Village collective operating income per year (Quanzhou's 10,000 / 30,000 thresholds)."""

    __tablename__ = "area_income"

    area_code: Mapped[str] = mapped_column(sa.ForeignKey("area.code"), primary_key=True)
    year: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    collective_income_fen: Mapped[int] = mapped_column(sa.BigInteger)


class PolicyRecordRow(Base):
    """Versioned registry policy per area prefix and year; NULL fields inherit (see policies.rules)."""

    __tablename__ = "registry_policy"
    __table_args__ = (
        sa.UniqueConstraint("area_prefix", "year"),
        # a collective-income threshold is read with its comparison (以下 or 低于), never alone
        sa.CheckConstraint(
            "(weak_village_income_fen IS NULL) = (weak_village_income_inclusive IS NULL)",
            name="weak_village_threshold_pair",
        ),
    )

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    area_prefix: Mapped[str] = mapped_column(sa.String(12))
    year: Mapped[int] = mapped_column(sa.Integer)
    source: Mapped[str] = mapped_column(sa.Text)
    exit_line_fen: Mapped[int | None] = mapped_column(sa.BigInteger)
    notice_min_days: Mapped[int | None] = mapped_column(sa.Integer)
    large_debt_limit_fen: Mapped[int | None] = mapped_column(sa.BigInteger)
    batch_set: Mapped[str | None] = mapped_column(sa.String(40))
    batches: Mapped[list[str] | None] = mapped_column(ARRAY(sa.String(40)))
    exit_incidence_threshold_bp: Mapped[int | None] = mapped_column(sa.Integer)
    policies_kept_years: Mapped[int | None] = mapped_column(sa.Integer)
    relapse_chain: Mapped[list[dict[str, str]] | None] = mapped_column(JSONB)
    comparisons: Mapped[dict[str, dict[str, str]] | None] = mapped_column(JSONB)
    relapse_routes: Mapped[list[dict[str, str]] | None] = mapped_column(JSONB)
    weak_village_income_fen: Mapped[int | None] = mapped_column(sa.BigInteger)
    weak_village_income_inclusive: Mapped[bool | None] = mapped_column(sa.Boolean)
    backdate_tolerance_days: Mapped[int | None] = mapped_column(sa.Integer)
    disclosure_min_households: Mapped[int | None] = mapped_column(sa.Integer)
    version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default=sa.text("1"))


class Household(Base):
    __tablename__ = "household"
    __table_args__ = (
        # subtree lists: prefix LIKE on area_code, keyset order (area_code, id)
        subtree_index("ix_household_area_code_id", "area_code", "id", ops="text_pattern_ops"),
        sa.Index("ix_household_status", "status"),
        sa.Index("ix_household_head_name", "head_name"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    household_number: Mapped[str | None] = mapped_column(sa.String(30), unique=True)
    area_code: Mapped[str] = mapped_column(sa.String(12))
    status: Mapped[str] = mapped_column(sa.String(20))
    year: Mapped[int] = mapped_column(sa.Integer)  # identification / plan year
    head_name: Mapped[str] = mapped_column(sa.String(50))
    member_count: Mapped[int] = mapped_column(sa.Integer)
    poverty_causes: Mapped[list[str]] = mapped_column(ARRAY(sa.String(30)), default=list)
    batches: Mapped[list[str]] = mapped_column(ARRAY(sa.String(40)), default=list)
    labour_willing: Mapped[bool | None] = mapped_column(sa.Boolean)
    dibao: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    five_guarantee: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    basic_needs: Mapped[dict[str, bool]] = mapped_column(JSONB, default=dict)
    income_channels: Mapped[list[str]] = mapped_column(ARRAY(sa.String(40)), default=list)
    plan: Mapped[str | None] = mapped_column(sa.Text)
    review_result: Mapped[str | None] = mapped_column(sa.String(20))
    review_held_on: Mapped[date | None] = mapped_column(sa.Date)
    notice_starts_on: Mapped[date | None] = mapped_column(sa.Date)
    confirmed_on: Mapped[date | None] = mapped_column(sa.Date)
    # 逐户签字确认 (seed 004): the household's own signature of its identification — member id,
    # masked name, capacity, when, and the account it signed with
    confirmation_signature: Mapped[dict[str, str] | None] = mapped_column(JSONB)
    registered_on: Mapped[date | None] = mapped_column(sa.Date)
    exited_on: Mapped[date | None] = mapped_column(sa.Date)
    exit_notice_until: Mapped[date | None] = mapped_column(sa.Date)  # last day of the exit's public notice
    policies_kept_until: Mapped[date | None] = mapped_column(sa.Date)
    closed_reason: Mapped[str | None] = mapped_column(sa.Text)
    version: Mapped[int] = mapped_column(sa.Integer, default=1)
    # the China date the record was entered (shared.clock): no typed date of its identification
    # (review, notice, objection) may lie before it. Whatever writes a household without one (a
    # split) gets the platform clock's date, in the configured zone (REGISTRY_TIME_ZONE); the server
    # default (a frozen migration's, Asia/Shanghai) only serves SQL that names no created_on.
    created_on: Mapped[date] = mapped_column(
        sa.Date,
        default=_office_today,
        server_default=sa.text("((now() AT TIME ZONE 'Asia/Shanghai')::date)"),
    )
    created_at: Mapped[datetime] = recorded_at()
    updated_at: Mapped[datetime] = recorded_at(onupdate=sa.func.now())


class Member(Base):
    __tablename__ = "member"
    __table_args__ = (
        # One person in at most one active household, registry-wide: a unique index on the keyed
        # hash over memberships that hold the identity (active member of a non-closed household).
        one_row_per("uq_member_identity_held", "resident_id_hash", where="holds_identity"),
        sa.Index("ix_member_resident_id_hash", "resident_id_hash"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    household_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("household.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(50))
    resident_id_cipher: Mapped[str] = mapped_column(sa.Text)
    resident_id_hash: Mapped[str] = mapped_column(sa.String(64))
    resident_id_masked: Mapped[str] = mapped_column(sa.String(18))
    birth_date: Mapped[date] = mapped_column(sa.Date)
    sex: Mapped[str] = mapped_column(sa.String(6))
    relation: Mapped[str] = mapped_column(sa.String(20))
    schooling: Mapped[str | None] = mapped_column(sa.String(30))
    health: Mapped[str | None] = mapped_column(sa.String(30))
    disability: Mapped[str | None] = mapped_column(sa.String(30))
    labour_capacity: Mapped[str] = mapped_column(sa.String(12))
    in_school: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    migrant_work: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    holds_identity: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    joined_reason: Mapped[str | None] = mapped_column(sa.String(30))
    left_reason: Mapped[str | None] = mapped_column(sa.String(30))
    left_on: Mapped[date | None] = mapped_column(sa.Date)


class IncomeRecord(Base):
    __tablename__ = "income_record"

    household_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("household.id"), primary_key=True)
    year: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    per_capita_income_fen: Mapped[int] = mapped_column(sa.BigInteger)
    version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default=sa.text("1"))


class Debt(Base):
    __tablename__ = "debt"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    household_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("household.id"), index=True)
    cause: Mapped[str] = mapped_column(sa.String(20))
    amount_fen: Mapped[int] = mapped_column(sa.BigInteger)
    settled: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    recorded_on: Mapped[date] = mapped_column(sa.Date)


class Objection(Base):
    __tablename__ = "objection"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    household_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("household.id"), index=True)
    lodged_on: Mapped[date] = mapped_column(sa.Date)
    content: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(12))  # open, upheld, dismissed
    resolution: Mapped[str | None] = mapped_column(sa.Text)
    resolved_on: Mapped[date | None] = mapped_column(sa.Date)


class LateEntry(Base):
    """A date entered more than the policy's tolerance after it happened (补录): who, why, when.
    Shown on the public notice board next to the notice it concerns."""

    __tablename__ = "late_entry"

    id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=True)
    household_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("household.id"), index=True)
    field: Mapped[str] = mapped_column(sa.String(40))  # review_held_on, notice_starts_on, objection_lodged_on
    entered_date: Mapped[date] = mapped_column(sa.Date)
    recorded_on: Mapped[date] = mapped_column(sa.Date)
    days_late: Mapped[int] = mapped_column(sa.Integer)
    tolerance_days: Mapped[int] = mapped_column(sa.Integer)
    reason: Mapped[str] = mapped_column(sa.Text)
    recorded_by: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = recorded_at()


class IdentityConflict(Base):
    """A person entered in one area while active in a household of another area the clerk may not
    read (one person, one household). Routed to the lowest level covering both areas."""

    __tablename__ = "identity_conflict"
    __table_args__ = (
        sa.Index("ix_identity_conflict_queue", "queue_prefix", "status"),
        sa.Index("ix_identity_conflict_hash", "resident_id_hash"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    status: Mapped[str] = mapped_column(sa.String(12))  # open, kept, moved, rejected
    resident_id_hash: Mapped[str] = mapped_column(sa.String(64))
    queue_prefix: Mapped[str] = mapped_column(sa.String(12))  # "" = national
    queue_level: Mapped[str] = mapped_column(sa.String(10))  # national, province, city, county, township
    held_household_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("household.id"))
    held_member_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("member.id"))
    held_area_code: Mapped[str] = mapped_column(sa.String(12))
    claim_kind: Mapped[str] = mapped_column(sa.String(12))  # household, member, import
    claim_area_code: Mapped[str] = mapped_column(sa.String(12))
    claim_household_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))  # adding a member
    claim_person: Mapped[dict[str, Any]] = mapped_column(JSONB)  # name, masked ID, relation as entered
    opened_by: Mapped[str] = mapped_column(sa.String(200))
    opened_on: Mapped[date] = mapped_column(sa.Date)
    resolved_by: Mapped[str | None] = mapped_column(sa.String(200))
    resolved_on: Mapped[date | None] = mapped_column(sa.Date)
    resolution_note: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = recorded_at()


class ExitRequest(Base):
    __tablename__ = "exit_request"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    household_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("household.id"), index=True)
    year: Mapped[int] = mapped_column(sa.Integer)
    status: Mapped[str] = mapped_column(sa.String(12))  # pending, verified, returned, void
    eligibility: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    requested_on: Mapped[date] = mapped_column(sa.Date)
    requested_by: Mapped[str] = mapped_column(sa.String(200))
    decided_on: Mapped[date | None] = mapped_column(sa.Date)
    dossier_id: Mapped[str | None] = mapped_column(sa.String(64))
    reason: Mapped[str | None] = mapped_column(sa.Text)


class RelapseCase(Base):
    __tablename__ = "relapse_case"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    household_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("household.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(12))  # open, approved, refused
    cause: Mapped[str] = mapped_column(sa.Text)
    cause_kind: Mapped[str | None] = mapped_column(sa.String(40))  # RELAPSE_CAUSES; routes the case
    opened_on: Mapped[date] = mapped_column(sa.Date)
    chain: Mapped[list[dict[str, str]]] = mapped_column(JSONB)  # the policy chain when opened
    decisions: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    plan_year: Mapped[int | None] = mapped_column(sa.Integer)


class EdgeHousehold(Base):
    """Monitored low-income household near the line (Quanzhou): watched, not registered."""

    __tablename__ = "edge_household"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    area_code: Mapped[AreaCodeIndexed]
    head_name: Mapped[str] = mapped_column(sa.String(50))
    head_id_cipher: Mapped[str] = mapped_column(sa.Text)
    head_id_hash: Mapped[str] = mapped_column(sa.String(64), index=True)
    head_id_masked: Mapped[str] = mapped_column(sa.String(18))
    persons: Mapped[int] = mapped_column(sa.Integer)
    per_capita_income_fen: Mapped[int | None] = mapped_column(sa.BigInteger)
    risk: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(12), default="monitoring")
    created_at: Mapped[datetime] = recorded_at()


class RollupCounter(Base):
    """Maintained counters: households and persons per (area prefix at every level, dimension, key).

    Updated in the same transaction as each change, so a county roll-up reads a few rows instead
    of scanning its households.
    """

    __tablename__ = "rollup_counter"

    area_prefix: Mapped[str] = mapped_column(sa.String(12), primary_key=True)
    dimension: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    households: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    persons: Mapped[int] = mapped_column(sa.BigInteger, default=0)


# Household numbers are handed out at registration from one sequence (autogenerate does not
# see sequences: the migration creates it by hand).
household_number_seq = sa.Sequence("household_number_seq", metadata=metadata)


# --- village and county exit (贫困村退出、贫困县摘帽; services/registry/area_exits) -------------
class AreaExitPolicyRow(Base):
    """Which criteria a village or county exits by, per area prefix, year and kind (policy data)."""

    __tablename__ = "area_exit_policy"
    __table_args__ = (sa.UniqueConstraint("area_prefix", "year", "kind"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    area_prefix: Mapped[str] = mapped_column(sa.String(12))
    year: Mapped[int] = mapped_column(sa.Integer)
    kind: Mapped[str] = mapped_column(sa.String(10))  # village | county
    source: Mapped[str] = mapped_column(sa.Text)
    criteria: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default=sa.text("1"))


class AreaExitRequest(Base):
    """A village's or county's exit request and its outcome; a verified one marks the area exited."""

    __tablename__ = "area_exit_request"
    __table_args__ = (
        # one request waiting per area, and an area exits once
        one_row_per("uq_area_exit_request_pending", "area_code", where="status = 'pending'"),
        one_row_per("uq_area_exit_request_verified", "area_code", where="status = 'verified'"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    area_code: Mapped[str] = mapped_column(sa.ForeignKey("area.code"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(10))  # village | county
    year: Mapped[int] = mapped_column(sa.Integer)
    status: Mapped[str] = mapped_column(sa.String(12))  # pending, verified, returned, void
    criteria: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)  # each criterion as assessed
    policy_source: Mapped[str] = mapped_column(sa.Text)  # the policy record it was assessed under
    poor_persons: Mapped[int] = mapped_column(sa.Integer)
    rural_population: Mapped[int | None] = mapped_column(sa.Integer)
    requested_on: Mapped[date] = mapped_column(sa.Date)
    requested_by: Mapped[str] = mapped_column(sa.String(200))
    decided_on: Mapped[date | None] = mapped_column(sa.Date)  # the exit date when verified
    dossier_id: Mapped[str | None] = mapped_column(sa.String(64))
    reason: Mapped[str | None] = mapped_column(sa.Text)  # why it was returned (or voided)


class SpreadsheetImport(Base):
    """A staged spreadsheet import (imports/): uploaded, validated row by row, then committed or
    cancelled. The same bytes (sha256) are one import per kind while it is not failed/cancelled."""

    __tablename__ = "spreadsheet_import"
    __table_args__ = (
        one_row_per(
            "uq_spreadsheet_import_sha256", "kind", "sha256", where="status NOT IN ('failed', 'cancelled')"
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    kind: Mapped[str] = mapped_column(sa.String(30))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    filename: Mapped[str | None] = mapped_column(sa.String(255))
    file_format: Mapped[str] = mapped_column(sa.String(8))  # xlsx | csv
    encoding: Mapped[str | None] = mapped_column(sa.String(20))  # csv: utf-8-sig | utf-8 | gb18030
    status: Mapped[str] = mapped_column(sa.String(12))
    uploaded_by: Mapped[str] = mapped_column(sa.String(200))
    area_scope: Mapped[str] = mapped_column(sa.String(12))  # the uploader's area prefix
    source_roll: Mapped[str | None] = mapped_column(sa.Text)
    reason: Mapped[str | None] = mapped_column(sa.Text)
    headers: Mapped[list[str]] = mapped_column(JSONB, default=list)
    rows_total: Mapped[int | None] = mapped_column(sa.Integer)  # known once the file is read through
    rows_validated: Mapped[int] = mapped_column(sa.Integer, default=0)
    rows_accepted: Mapped[int] = mapped_column(sa.Integer, default=0)
    rows_refused: Mapped[int] = mapped_column(sa.Integer, default=0)
    households_accepted: Mapped[int] = mapped_column(sa.Integer, default=0)
    rows_committed: Mapped[int] = mapped_column(sa.Integer, default=0)
    households_committed: Mapped[int] = mapped_column(sa.Integer, default=0)
    mode: Mapped[str | None] = mapped_column(sa.String(20))
    error: Mapped[str | None] = mapped_column(sa.Text)
    started_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    created_at: Mapped[datetime] = recorded_at()
    # the database's now() when the running step was asked for (shared.import_steps: real time)
    step_started_at: Mapped[datetime] = recorded_at()


class ImportRow(Base):
    """Staging: one row of an uploaded roll, COPYed in, checked in SQL, moved into place on commit."""

    __tablename__ = "import_row"
    __table_args__ = (
        sa.Index("ix_import_row_household", "import_id", "household_key"),
        sa.Index("ix_import_row_hash", "resident_id_hash"),
        sa.Index("uq_import_row_id", "id", unique=True),
    )

    import_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), sa.ForeignKey("spreadsheet_import.id", ondelete="CASCADE"), primary_key=True
    )
    row_no: Mapped[int] = mapped_column(sa.Integer, primary_key=True)  # the spreadsheet's row number
    cells: Mapped[list[str | None]] = mapped_column(JSONB)  # as read, for the report
    household_key: Mapped[str | None] = mapped_column(sa.String(60))
    area_code: Mapped[str | None] = mapped_column(sa.String(12))
    name: Mapped[str | None] = mapped_column(sa.String(50))
    resident_id_hash: Mapped[str | None] = mapped_column(sa.String(64))
    resident_id_cipher: Mapped[str | None] = mapped_column(sa.Text)
    resident_id_masked: Mapped[str | None] = mapped_column(sa.String(18))
    birth_date: Mapped[date | None] = mapped_column(sa.Date)
    sex: Mapped[str | None] = mapped_column(sa.String(6))
    relation: Mapped[str | None] = mapped_column(sa.String(20))
    labour_capacity: Mapped[str | None] = mapped_column(sa.String(12))
    poverty_causes: Mapped[list[str] | None] = mapped_column(ARRAY(sa.String(30)))
    batches: Mapped[list[str] | None] = mapped_column(ARRAY(sa.String(40)))
    year: Mapped[int | None] = mapped_column(sa.Integer)
    registered_on: Mapped[date | None] = mapped_column(sa.Date)
    reasons: Mapped[list[str]] = mapped_column(ARRAY(sa.Text), default=list)  # why refused, in Chinese
    status: Mapped[str] = mapped_column(sa.String(10), default="pending")  # pending | accepted | refused
    household_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    member_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    # a surrogate key the PII key rotation walks (the primary key is composite)
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(always=False))
    # kind-specific parsed values (incomes: amounts in fen; dibao: the civil-affairs line)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSONB)


class HouseholdTimelineEntry(Base):
    """A step in a household's path learned from another service's event (timeline/): pairing,
    visits, funds received, findings. The event id is the key, so a redelivery changes nothing."""

    __tablename__ = "household_timeline_entry"
    __table_args__ = (
        sa.Index("ix_household_timeline_household", "household_id", "occurred_at"),
        sa.Index("ix_household_timeline_ref", "ref"),
    )

    event_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    household_id: Mapped[str | None] = mapped_column(sa.String(64))  # null: a finding not (yet) traced
    area_code: Mapped[str | None] = mapped_column(sa.String(12))
    occurred_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    source: Mapped[str] = mapped_column(sa.String(20))  # pairing | funds | inspection
    kind: Mapped[str] = mapped_column(sa.String(100))  # the event type
    actor: Mapped[str | None] = mapped_column(sa.String(200))  # who: the helper, the cadre, the office
    ref: Mapped[str | None] = mapped_column(sa.String(200))  # what later events name it by
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
