"""Tables of the funds service (its own database, its own MetaData and Alembic history).

Money columns are BIGINT fen. The ledger is append-only: postings are never updated or deleted;
an account's ``balance_fen`` is a cache of its postings kept under a row lock, so a balance check
and the posting that changes it happen under the same lock.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.service_tables import AreaCodeIndexed, UuidPk, recorded_at, service_metadata

metadata = service_metadata()  # with the platform tables and the cadre projection


class Base(DeclarativeBase):
    metadata = metadata


class Account(Base):
    """A fund source (a budget that pays in), a holding account (special account, county pool) or the
    payout account paired with a holding account (money that has reached its beneficiaries)."""

    __tablename__ = "account"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('source', 'holding', 'payout')", name="kind"),
        sa.CheckConstraint("kind = 'source' OR balance_fen >= 0", name="non_negative"),
    )

    code: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    area_code: Mapped[AreaCodeIndexed]
    kind: Mapped[str] = mapped_column(sa.String(10))
    balance_fen: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    opened_on: Mapped[date] = mapped_column(sa.Date, server_default=sa.func.current_date())
    last_outflow_on: Mapped[date | None] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = recorded_at()


class Budget(Base):
    """A source's or account's budget for one year."""

    __tablename__ = "budget"
    __table_args__ = (
        sa.UniqueConstraint("account_code", "year"),
        sa.CheckConstraint("amount_fen >= 0", name="amount"),
    )

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    account_code: Mapped[str] = mapped_column(sa.ForeignKey("account.code"))
    year: Mapped[int] = mapped_column(sa.Integer)
    amount_fen: Mapped[int] = mapped_column(sa.BigInteger)
    # the ETag: a change sends it in If-Match
    version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")


class Scheme(Base):
    """Allocation policy as data: ``params`` is the scheme's dataclass as JSON; versions never change."""

    __tablename__ = "scheme"
    __table_args__ = (sa.UniqueConstraint("code", "version"),)

    id: Mapped[UuidPk]
    code: Mapped[str] = mapped_column(sa.String(80))
    version: Mapped[int] = mapped_column(sa.Integer)
    kind: Mapped[str] = mapped_column(sa.String(20))
    name: Mapped[str] = mapped_column(sa.String(200))
    area_code: Mapped[AreaCodeIndexed]
    params: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = recorded_at()


class Plan(Base):
    """A scheme version applied to an area's registered population; recomputed when it changes."""

    __tablename__ = "plan"
    __table_args__ = (sa.UniqueConstraint("scheme_id", "area_code"),)

    id: Mapped[UuidPk]
    scheme_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("scheme.id"))
    scheme_code: Mapped[str] = mapped_column(sa.String(80))
    scheme_kind: Mapped[str] = mapped_column(sa.String(20))
    area_code: Mapped[AreaCodeIndexed]
    area_prefix: Mapped[str] = mapped_column(sa.String(12), index=True)  # the subtree whose population counts
    total_fen: Mapped[int] = mapped_column(sa.BigInteger)
    people: Mapped[int] = mapped_column(sa.Integer)
    revision: Mapped[int] = mapped_column(sa.Integer, default=1)
    # The registered population changed since the last computation; the refresh job (or a payment
    # that needs the entitlement) recomputes it. Marking is cheap, so registry bursts stay cheap.
    stale: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    # a background recomputation the population could not be planned for (a pairing village without
    # its level, a town without an account): the problem, kept until a recomputation succeeds
    blocked: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    computed_at: Mapped[datetime] = recorded_at()


class PlanLine(Base):
    """Derived from the plan's scheme and population; replaced as a whole on recompute."""

    __tablename__ = "plan_line"
    __table_args__ = (sa.Index("ix_plan_line_beneficiary", "beneficiary_kind", "beneficiary_id"),)

    id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=True)
    plan_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    component: Mapped[str] = mapped_column(sa.String(80))
    payer: Mapped[str] = mapped_column(sa.String(80))
    payee: Mapped[str] = mapped_column(sa.String(80))
    year: Mapped[int | None] = mapped_column(sa.Integer)
    beneficiary_kind: Mapped[str] = mapped_column(sa.String(10))
    beneficiary_id: Mapped[str] = mapped_column(sa.String(80))
    amount_fen: Mapped[int] = mapped_column(sa.BigInteger)


class LedgerTransaction(Base):
    __tablename__ = "ledger_transaction"

    id: Mapped[UuidPk]
    kind: Mapped[str] = mapped_column(sa.String(20))  # receipt, transfer, disbursement, reversal
    area_code: Mapped[AreaCodeIndexed]
    plan_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("plan.id"))
    year: Mapped[int | None] = mapped_column(sa.Integer)
    memo: Mapped[str] = mapped_column(sa.Text, default="")
    reverses_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("ledger_transaction.id"), unique=True)
    actor: Mapped[str] = mapped_column(sa.String(200))
    booked_on: Mapped[date] = mapped_column(sa.Date, server_default=sa.func.current_date())
    created_at: Mapped[datetime] = recorded_at(index=True)


class Posting(Base):
    __tablename__ = "posting"
    __table_args__ = (sa.CheckConstraint("amount_fen <> 0", name="non_zero"),)

    id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=True)
    transaction_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("ledger_transaction.id"), index=True)
    account_code: Mapped[str] = mapped_column(sa.ForeignKey("account.code"), index=True)
    amount_fen: Mapped[int] = mapped_column(sa.BigInteger)


class Beneficiary(Base):
    """Projection of registry households and villages: ids, area, counts, status. No resident IDs."""

    __tablename__ = "beneficiary"

    kind: Mapped[str] = mapped_column(sa.String(10), primary_key=True)  # household | village
    ref_id: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    area_code: Mapped[AreaCodeIndexed]
    status: Mapped[str] = mapped_column(sa.String(20))
    member_count: Mapped[int] = mapped_column(sa.Integer, default=0)
    member_ids: Mapped[list[str]] = mapped_column(JSONB, default=list)
    batches: Mapped[list[str]] = mapped_column(JSONB, default=list)  # 一批 tags: some schemes count only some
    category: Mapped[str | None] = mapped_column(sa.String(20))  # villages: pairing dispatch level
    pairing_village: Mapped[bool] = mapped_column(
        sa.Boolean, default=False, server_default=sa.false()
    )  # 帮扶村
    name: Mapped[str | None] = mapped_column(
        sa.String(200)
    )  # villages: the place name; households: masked head
    policies_kept_until: Mapped[date | None] = mapped_column(sa.Date)
    # time of the newest registry event applied: an older one redelivered late must not undo it
    event_time: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    updated_at: Mapped[datetime] = recorded_at(onupdate=sa.func.now())


class Disbursement(Base):
    __tablename__ = "disbursement"
    __table_args__ = (
        sa.Index("ix_disbursement_beneficiary", "beneficiary_kind", "beneficiary_id"),
        sa.CheckConstraint("amount_fen > 0", name="positive"),
    )

    id: Mapped[UuidPk]
    area_code: Mapped[AreaCodeIndexed]
    plan_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("plan.id"))
    beneficiary_kind: Mapped[str] = mapped_column(sa.String(10))
    beneficiary_id: Mapped[str] = mapped_column(sa.String(80))
    component: Mapped[str | None] = mapped_column(sa.String(80))
    year: Mapped[int | None] = mapped_column(sa.Integer)
    amount_fen: Mapped[int] = mapped_column(sa.BigInteger)
    from_account: Mapped[str] = mapped_column(sa.ForeignKey("account.code"))
    transaction_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("ledger_transaction.id"))
    reversed_by: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("ledger_transaction.id"))
    paid_on: Mapped[date] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = recorded_at(index=True)


class Project(Base):
    __tablename__ = "project"
    __table_args__ = (sa.CheckConstraint("budget_fen >= 0", name="budget"),)

    id: Mapped[UuidPk]
    name: Mapped[str] = mapped_column(sa.String(200))
    area_code: Mapped[str] = mapped_column(sa.String(12), index=True)  # the village it serves
    category: Mapped[str] = mapped_column(sa.String(40))
    budget_fen: Mapped[int] = mapped_column(sa.BigInteger)
    funding_account: Mapped[str] = mapped_column(sa.ForeignKey("account.code"))
    status: Mapped[str] = mapped_column(sa.String(20), default="proposed")
    version: Mapped[int] = mapped_column(sa.Integer, default=1)  # the ETag: updates send it in If-Match
    approved_by: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = recorded_at()


class ProjectHousehold(Base):
    """A household that develops or joins a project (seed 004 四(三): 发展或参与…产业项目)."""

    __tablename__ = "project_household"

    project_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("project.id"), primary_key=True)
    household_id: Mapped[str] = mapped_column(sa.String(80), primary_key=True, index=True)
    added_by: Mapped[str] = mapped_column(sa.String(200))
    added_at: Mapped[datetime] = recorded_at()


class Notice(Base):
    """A village's public notice of funds and projects; ``content`` is what the board shows."""

    __tablename__ = "notice"

    id: Mapped[UuidPk]
    area_code: Mapped[AreaCodeIndexed]
    title: Mapped[str] = mapped_column(sa.String(200))
    published_on: Mapped[date] = mapped_column(sa.Date)
    notice_days: Mapped[int] = mapped_column(sa.Integer)
    content: Mapped[dict[str, Any]] = mapped_column(JSONB)
    # published_on entered later than the policy tolerates (补录): who, when, why (shared.backdating)
    late_entry: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    closed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    created_at: Mapped[datetime] = recorded_at()


class Objection(Base):
    __tablename__ = "objection"

    id: Mapped[UuidPk]
    notice_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("notice.id"), index=True)
    lodged_on: Mapped[date] = mapped_column(sa.Date)
    text: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(10), default="open")
    resolution: Mapped[str | None] = mapped_column(sa.Text)


class Anomaly(Base):
    __tablename__ = "anomaly"

    id: Mapped[UuidPk]
    signal_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    area_code: Mapped[AreaCodeIndexed]
    amount_fen: Mapped[int] = mapped_column(sa.BigInteger)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB)
    detected_at: Mapped[datetime] = recorded_at()


class BudgetDeclaration(Base):
    """What an area's finance office declares for a year: the increase in its local general public
    budget revenue (negative if it fell) and the idle (stock) funds it recovered. Budget rules read it."""

    __tablename__ = "budget_declaration"
    __table_args__ = (sa.CheckConstraint("recovered_idle_funds_fen >= 0", name="recovered"),)

    area_code: Mapped[str] = mapped_column(sa.String(12), primary_key=True)
    year: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    local_revenue_increase_fen: Mapped[int] = mapped_column(sa.BigInteger)
    recovered_idle_funds_fen: Mapped[int] = mapped_column(sa.BigInteger)
    version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")  # the ETag
    declared_by: Mapped[str] = mapped_column(sa.String(200))
    updated_at: Mapped[datetime] = recorded_at(onupdate=sa.func.now())


class AssetIncomeAgreement(Base):
    """A four-party asset-income agreement (资产收益扶贫): a loan placed with an enterprise or
    cooperative that pays the households a guaranteed minimum plus a dividend every year."""

    __tablename__ = "asset_income_agreement"
    __table_args__ = (
        sa.CheckConstraint("principal_fen > 0", name="principal"),
        sa.CheckConstraint("term_years > 0", name="term"),
        sa.CheckConstraint("guaranteed_return_fen >= 0", name="guaranteed"),
        sa.CheckConstraint("dividend_rate_bp >= 0", name="rate"),
    )

    id: Mapped[UuidPk]
    area_code: Mapped[str] = mapped_column(sa.String(12), index=True)  # the county that signed
    name: Mapped[str] = mapped_column(sa.String(200))
    government: Mapped[str] = mapped_column(sa.String(200))
    bank: Mapped[str] = mapped_column(sa.String(200))
    enterprise: Mapped[str] = mapped_column(sa.String(200))
    enterprise_kind: Mapped[str] = mapped_column(sa.String(20))  # enterprise | cooperative
    households: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)  # [{household_id, shares}]
    principal_fen: Mapped[int] = mapped_column(sa.BigInteger)
    start_year: Mapped[int] = mapped_column(sa.Integer)
    term_years: Mapped[int] = mapped_column(sa.Integer)
    guaranteed_return_fen: Mapped[int] = mapped_column(sa.BigInteger)  # 保底, a year, for all households
    dividend_rate_bp: Mapped[int] = mapped_column(sa.Integer)  # 分红, of the loan a year
    policy_code: Mapped[str | None] = mapped_column(sa.String(80))  # the floor it was checked against
    policy_version: Mapped[int | None] = mapped_column(sa.Integer)
    minimum_dividend_bp: Mapped[int | None] = mapped_column(sa.Integer)
    payer_account: Mapped[str] = mapped_column(sa.ForeignKey("account.code"))  # the enterprise (source)
    holding_account: Mapped[str] = mapped_column(sa.ForeignKey("account.code"))  # paid into, paid out of
    signed_on: Mapped[date] = mapped_column(sa.Date)
    created_by: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = recorded_at()


class AssetIncomeDistribution(Base):
    """One year's payment by the enterprise and its split to the households (once per year)."""

    __tablename__ = "asset_income_distribution"
    __table_args__ = (
        sa.UniqueConstraint("agreement_id", "year"),
        sa.CheckConstraint("amount_fen > 0", name="positive"),
    )

    id: Mapped[UuidPk]
    agreement_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("asset_income_agreement.id"), index=True)
    year: Mapped[int] = mapped_column(sa.Integer)
    due_fen: Mapped[int] = mapped_column(sa.BigInteger)
    amount_fen: Mapped[int] = mapped_column(sa.BigInteger)
    receipt_transaction_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("ledger_transaction.id"))
    # [{household_id, shares, amount_fen, disbursement_id}]
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    distributed_on: Mapped[date] = mapped_column(sa.Date)
    actor: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = recorded_at()
