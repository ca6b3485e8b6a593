"""Tables of the inspection service (its own database, its own MetaData and Alembic history).

Business dates are ``date``; times of record are timestamptz. Area codes are 12 digits, so an
area's subtree is a ``LIKE 'prefix%'`` match. Projections of other services' events end in
``_ref`` and are written only by consumers.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.clock import clock
from shared.service_tables import AreaCodeIndexed, UuidPk, one_row_per, recorded_at, service_metadata

metadata = service_metadata()  # with the platform tables and the cadre projection


class Base(DeclarativeBase):
    metadata = metadata
    type_annotation_map = {dict[str, Any]: JSONB, list[Any]: JSONB}


def _now() -> datetime:
    return clock.now()


class Created:
    # Set in Python too, so a flushed row can be read (and paged by) without a reload.
    created_at: Mapped[datetime] = recorded_at(default=_now)


# --- inspections and findings ------------------------------------------------------------
class Inspection(Created, Base):
    __tablename__ = "inspection"
    id: Mapped[UuidPk]
    area_code: Mapped[str] = mapped_column(sa.String(12), index=True)  # the inspecting office
    kind: Mapped[str] = mapped_column(sa.String(20))
    title: Mapped[str] = mapped_column(sa.String(200))
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date] = mapped_column(sa.Date)
    target_areas: Mapped[list[str]] = mapped_column(ARRAY(sa.String(12)))
    # The targets' subtree prefixes, so "does it target me or a place above me" is one array test.
    target_prefixes: Mapped[list[str]] = mapped_column(ARRAY(sa.String(12)), server_default="{}")
    team: Mapped[list[Any]]
    status: Mapped[str] = mapped_column(sa.String(20), default="planned")
    concluded_on: Mapped[date | None] = mapped_column(sa.Date)
    created_by: Mapped[str] = mapped_column(sa.String(200))


class Finding(Created, Base):
    __tablename__ = "finding"
    id: Mapped[UuidPk]
    inspection_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("inspection.id"), index=True)
    # (source, signal_key) of the signal that raised it; unique so a repeated signal raises nothing.
    source_key: Mapped[str | None] = mapped_column(sa.String(300), unique=True)
    area_code: Mapped[AreaCodeIndexed]
    category: Mapped[str] = mapped_column(sa.String(40))
    severity: Mapped[str] = mapped_column(sa.String(10))
    title: Mapped[str] = mapped_column(sa.String(300))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    responsible_unit: Mapped[str] = mapped_column(sa.String(200))
    responsible_person: Mapped[str | None] = mapped_column(sa.String(100))
    raised_on: Mapped[date] = mapped_column(sa.Date)
    deadline: Mapped[date] = mapped_column(sa.Date, index=True)
    status: Mapped[str] = mapped_column(sa.String(20), default="open")
    submitted_on: Mapped[date | None] = mapped_column(sa.Date)
    verified_on: Mapped[date | None] = mapped_column(sa.Date)
    raised_by: Mapped[str] = mapped_column(sa.String(200))


class Rectification(Created, Base):
    __tablename__ = "rectification"
    id: Mapped[UuidPk]
    finding_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("finding.id"), index=True)
    submitted_on: Mapped[date] = mapped_column(sa.Date)
    report: Mapped[str] = mapped_column(sa.Text)
    evidence: Mapped[list[Any]]
    submitted_by: Mapped[str] = mapped_column(sa.String(200))
    outcome: Mapped[str] = mapped_column(sa.String(20), default="pending")  # pending|accepted|rejected
    verified_by: Mapped[str | None] = mapped_column(sa.String(200))
    verified_on: Mapped[date | None] = mapped_column(sa.Date)
    verification_note: Mapped[str | None] = mapped_column(sa.Text)


class AccountabilityRecord(Created, Base):
    __tablename__ = "accountability_record"
    __table_args__ = (sa.UniqueConstraint("origin", "kind", "subject"),)
    id: Mapped[UuidPk]
    area_code: Mapped[AreaCodeIndexed]
    kind: Mapped[str] = mapped_column(
        sa.String(40)
    )  # bulletin | admonishment_interview | discipline_referral
    subject: Mapped[str] = mapped_column(sa.String(200))  # the unit, person or position held to account
    reason: Mapped[str] = mapped_column(sa.Text)
    # What earned it: "finding:<id>" or "assessment:<area>:<year>" (unique with kind+subject).
    origin: Mapped[str] = mapped_column(sa.String(100))
    finding_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("finding.id"), index=True)
    issued_on: Mapped[date] = mapped_column(sa.Date, index=True)


# --- exit sign-off --------------------------------------------------------------------------
class SignoffDossier(Created, Base):
    __tablename__ = "signoff_dossier"
    id: Mapped[UuidPk]
    exit_request_id: Mapped[str] = mapped_column(sa.String(100), unique=True)
    # household (4-3-4-2), village (贫困村退出) or county (贫困县摘帽): what the signers confirm
    kind: Mapped[str] = mapped_column(sa.String(10), default="household", server_default="household")
    household_id: Mapped[str | None] = mapped_column(sa.String(100), index=True)  # households only
    area_code: Mapped[str] = mapped_column(
        sa.String(12), index=True
    )  # the household's village, or the area exiting
    area_name: Mapped[str | None] = mapped_column(sa.String(200))  # villages and counties
    criteria: Mapped[list[Any] | None]  # villages and counties: each criterion as registry assessed it
    year: Mapped[int] = mapped_column(sa.Integer)
    member_count: Mapped[int] = mapped_column(sa.Integer)
    head_name_masked: Mapped[str | None] = mapped_column(sa.String(50))
    # The scheme in force when the dossier opened, frozen here so a later policy change never
    # rewrites what an open dossier still needs.
    scheme_code: Mapped[str] = mapped_column(sa.String(50))
    scheme: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(sa.String(20), default="open")
    closed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    refusal_reason: Mapped[str | None] = mapped_column(sa.Text)


class SignoffSchemeRecord(Base):
    """A place's own sign-off set (policy data); the longest area prefix wins, presets otherwise."""

    __tablename__ = "signoff_scheme"
    area_prefix: Mapped[str] = mapped_column(sa.String(12), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(10), primary_key=True, default="household")  # dossier kind
    code: Mapped[str] = mapped_column(sa.String(50))
    levels: Mapped[list[Any]]
    household_position: Mapped[str | None] = mapped_column(sa.String(60))
    set_by: Mapped[str] = mapped_column(sa.String(200))
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=_now, onupdate=_now)
    version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")  # the ETag (If-Match)


class SignoffSignature(Base):
    __tablename__ = "signoff_signature"
    __table_args__ = (sa.UniqueConstraint("dossier_id", "position"),)
    id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=True)
    dossier_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("signoff_dossier.id"), index=True)
    level: Mapped[str] = mapped_column(sa.String(20))
    position: Mapped[str] = mapped_column(sa.String(60))
    decision: Mapped[str] = mapped_column(sa.String(10))  # signed | refused
    reason: Mapped[str | None] = mapped_column(sa.Text)
    signer_sub: Mapped[str] = mapped_column(sa.String(200))
    signer_name: Mapped[str | None] = mapped_column(sa.String(100))
    signer_area: Mapped[str] = mapped_column(sa.String(12))
    signed_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=_now)


# --- third-party sampling -------------------------------------------------------------------
class EvaluationSample(Created, Base):
    __tablename__ = "evaluation_sample"
    id: Mapped[UuidPk]
    area_code: Mapped[AreaCodeIndexed]
    year: Mapped[int] = mapped_column(sa.Integer)
    seed: Mapped[str] = mapped_column(sa.String(200))
    rate_numerator: Mapped[int] = mapped_column(sa.Integer)
    rate_denominator: Mapped[int] = mapped_column(sa.Integer)
    min_per_village: Mapped[int] = mapped_column(
        sa.Integer
    )  # per stratum: village (households), county (villages)
    population: Mapped[int] = mapped_column(sa.Integer)
    # what is drawn: exited households (per village) or exited villages (per county)
    unit: Mapped[str] = mapped_column(sa.String(10), default="household", server_default="household")
    created_by: Mapped[str] = mapped_column(sa.String(200))


class EvaluationItem(Base):
    __tablename__ = "evaluation_item"
    __table_args__ = (
        sa.UniqueConstraint("sample_id", "household_id"),
        # a village sample's items are villages (no household): each village once
        one_row_per("uq_evaluation_item_village", "sample_id", "village_code", where="household_id IS NULL"),
    )
    id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=True)
    sample_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("evaluation_sample.id"), index=True)
    household_id: Mapped[str | None] = mapped_column(sa.String(100))  # None: the item is the village
    village_code: Mapped[str] = mapped_column(sa.String(12))
    verdict: Mapped[str | None] = mapped_column(sa.String(20))
    note: Mapped[str | None] = mapped_column(sa.Text)
    evaluated_by: Mapped[str | None] = mapped_column(sa.String(200))
    evaluated_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class EvaluationOmission(Created, Base):
    """Poor households the evaluator found outside the roll (漏评), counted per village."""

    __tablename__ = "evaluation_omission"
    __table_args__ = (sa.UniqueConstraint("sample_id", "village_code"),)
    id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=True)
    sample_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("evaluation_sample.id"), index=True)
    village_code: Mapped[str] = mapped_column(sa.String(12))
    households: Mapped[int] = mapped_column(sa.Integer)
    note: Mapped[str | None] = mapped_column(sa.Text)


# --- assessment -----------------------------------------------------------------------------
class ReductionTarget(Base):
    __tablename__ = "reduction_target"
    area_code: Mapped[str] = mapped_column(sa.String(12), primary_key=True)
    year: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    people: Mapped[int] = mapped_column(sa.Integer)
    set_by: Mapped[str] = mapped_column(sa.String(200))
    version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")  # the ETag (If-Match)


class AssessmentResult(Created, Base):
    __tablename__ = "assessment"
    __table_args__ = (sa.UniqueConstraint("area_code", "year"),)
    id: Mapped[UuidPk]
    area_code: Mapped[AreaCodeIndexed]
    level: Mapped[str] = mapped_column(sa.String(20))
    year: Mapped[int] = mapped_column(sa.Integer)
    qualitative_score: Mapped[int | None] = mapped_column(sa.Integer)
    score: Mapped[str] = mapped_column(sa.String(10))  # decimal text, two places
    rating: Mapped[str] = mapped_column(sa.String(20))
    missed_target: Mapped[bool] = mapped_column(sa.Boolean)
    indicators: Mapped[list[Any]]
    missing: Mapped[list[Any]]
    assessed_by: Mapped[str] = mapped_column(sa.String(200))


# --- complaints (12317) --------------------------------------------------------------------
class Complaint(Created, Base):
    __tablename__ = "complaint"
    id: Mapped[UuidPk]
    area_code: Mapped[AreaCodeIndexed]
    category: Mapped[str] = mapped_column(sa.String(40))
    summary: Mapped[str] = mapped_column(sa.String(300))
    details: Mapped[str] = mapped_column(sa.Text, default="")
    channel: Mapped[str] = mapped_column(sa.String(20), default="12317")
    anonymous: Mapped[bool] = mapped_column(sa.Boolean)
    complainant_name_enc: Mapped[str | None] = mapped_column(sa.Text)  # PiiCipher
    complainant_phone_enc: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(20), default="received")
    urgency: Mapped[str | None] = mapped_column(sa.String(20))
    received_on: Mapped[date] = mapped_column(sa.Date, index=True)
    deadline: Mapped[date | None] = mapped_column(sa.Date)
    assigned_to: Mapped[str | None] = mapped_column(sa.String(200))
    resolution: Mapped[str | None] = mapped_column(sa.Text)
    resolved_on: Mapped[date | None] = mapped_column(sa.Date)


# --- projections of other services' events ------------------------------------------------
class AreaRef(Base):
    __tablename__ = "area_ref"
    code: Mapped[str] = mapped_column(sa.String(12), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    level: Mapped[str] = mapped_column(sa.String(20))
    rural_population: Mapped[int | None] = mapped_column(sa.Integer)


class HouseholdRef(Base):
    __tablename__ = "household_ref"
    household_id: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    area_code: Mapped[AreaCodeIndexed]
    status: Mapped[str] = mapped_column(sa.String(30))
    member_count: Mapped[int] = mapped_column(sa.Integer)
    exited_on: Mapped[date | None] = mapped_column(sa.Date)
    # 脱贫不脱政策: the last day an exited household keeps its policies (and its cadre), as registry
    # set it from the exit and carried it in registry.household.exited.v1
    policies_kept_until: Mapped[date | None] = mapped_column(sa.Date)


class AreaExitRef(Base):
    """Villages and counties the registry marked exited (registry.area.exited.v1)."""

    __tablename__ = "area_exit_ref"
    area_code: Mapped[str] = mapped_column(sa.String(12), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(10))  # village | county
    year: Mapped[int] = mapped_column(sa.Integer)  # the year assessed
    exited_on: Mapped[date] = mapped_column(sa.Date)
    exit_request_id: Mapped[str] = mapped_column(sa.String(100))


class PairingRef(Base):
    __tablename__ = "pairing_ref"
    pairing_id: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(60))
    area_code: Mapped[AreaCodeIndexed]
    helper_id: Mapped[str] = mapped_column(sa.String(100))
    target_id: Mapped[str] = mapped_column(sa.String(100), index=True)
    is_open: Mapped[bool] = mapped_column(sa.Boolean)


class VisitRef(Base):
    __tablename__ = "visit_ref"
    visit_id: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    household_id: Mapped[str] = mapped_column(sa.String(100), index=True)
    area_code: Mapped[AreaCodeIndexed]
    visited_on: Mapped[date] = mapped_column(sa.Date)
    # satisfied / basically_satisfied / dissatisfied (pairing.visit.recorded.v2); null: not asked,
    # or a version 1 event
    satisfaction: Mapped[str | None] = mapped_column(sa.String(32))


class DisbursementRef(Base):
    __tablename__ = "disbursement_ref"
    disbursement_id: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    area_code: Mapped[AreaCodeIndexed]
    amount_fen: Mapped[int] = mapped_column(sa.BigInteger)
    year: Mapped[int] = mapped_column(sa.Integer)
    # China date of the recording event (the event carries no payment date); null for rows
    # projected before this column existed, which no quarter can then place.
    recorded_on: Mapped[date | None] = mapped_column(sa.Date, index=True)


class FundPlanRef(Base):
    __tablename__ = "fund_plan_ref"
    plan_id: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    area_code: Mapped[AreaCodeIndexed]
    total_fen: Mapped[int] = mapped_column(sa.BigInteger)
    year: Mapped[int] = mapped_column(sa.Integer)


class RollMovementRef(Base):
    """One dated change of the poverty roll as registry reported it (registered, exited,
    relapsed, removed), kept where it happened, so a period's flows can be counted later.
    Keyed by the event id: a redelivered event adds nothing."""

    __tablename__ = "roll_movement_ref"
    event_id: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    household_id: Mapped[str] = mapped_column(sa.String(100), index=True)
    area_code: Mapped[AreaCodeIndexed]
    kind: Mapped[str] = mapped_column(sa.String(20))  # registered | exited | relapsed | removed
    origin: Mapped[str | None] = mapped_column(sa.String(20))  # registered: identification|split|import
    happened_on: Mapped[date] = mapped_column(sa.Date, index=True)
    persons: Mapped[int] = mapped_column(sa.Integer)


# --- quarterly progress reports -------------------------------------------------------------
class ProgressReportSubmission(Base):
    """A quarterly progress report frozen when an area submitted it upward. A correction is a new
    version (with its reason) that supersedes the previous one; versions are never changed."""

    __tablename__ = "progress_report_submission"
    __table_args__ = (sa.UniqueConstraint("area_code", "year", "quarter", "version"),)
    id: Mapped[UuidPk]
    area_code: Mapped[AreaCodeIndexed]
    year: Mapped[int] = mapped_column(sa.Integer)
    quarter: Mapped[int] = mapped_column(sa.Integer)
    version: Mapped[int] = mapped_column(sa.Integer)
    supersedes_id: Mapped[uuid.UUID | None] = mapped_column()  # the version this one corrects
    correction_reason: Mapped[str | None] = mapped_column(sa.Text)
    note: Mapped[str | None] = mapped_column(sa.Text)
    figures: Mapped[dict[str, Any]]
    deadline: Mapped[date] = mapped_column(sa.Date)
    submitted_on: Mapped[date] = mapped_column(sa.Date)
    late: Mapped[bool] = mapped_column(sa.Boolean)
    submitted_by: Mapped[str] = mapped_column(sa.String(200))
    submitted_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=_now)
