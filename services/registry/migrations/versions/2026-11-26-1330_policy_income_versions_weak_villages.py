"""policy and income versions (If-Match); village collective-income thresholds as policy data

Revision ID: 5c2e8a41d9b7
Revises: a7c0e5d1b301
Create Date: 2026-11-26 13:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5c2e8a41d9b7"
down_revision: str | None = "a7c0e5d1b301"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# as in services/registry/policies/presets.py (a migration does not import application code)
QUANZHOU_2018_NOTE = "; villages with collective operating income 1万元以下 are weak this year (seed 002 §六)"


def upgrade() -> None:
    # Rows written before this revision start at version 1, like a row created now.
    op.add_column("registry_policy", sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    op.add_column("income_record", sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    op.add_column("registry_policy", sa.Column("weak_village_income_fen", sa.BigInteger(), nullable=True))
    op.add_column("registry_policy", sa.Column("weak_village_income_inclusive", sa.Boolean(), nullable=True))
    op.create_check_constraint(
        "weak_village_threshold_pair",
        "registry_policy",
        "(weak_village_income_fen IS NULL) = (weak_village_income_inclusive IS NULL)",
    )
    op.create_index(
        "ix_area_village_code",
        "area",
        ["code"],
        postgresql_ops={"code": "text_pattern_ops"},
        postgresql_where=sa.text("level = 'village'"),
    )
    # Databases seeded before this revision hold Quanzhou's 2018 record without the threshold
    # (seed 002: 1万元以下 this year); presets never overwrite a record, so set it here unless an
    # admin already did. The 2019 record (3万元以下) is new and the presets insert it on start.
    op.execute(
        "UPDATE registry_policy SET weak_village_income_fen = 1000000, weak_village_income_inclusive = true,"
        f" source = source || '{QUANZHOU_2018_NOTE}'"
        " WHERE area_prefix = '3505' AND year = 2018 AND weak_village_income_fen IS NULL"
    )


def downgrade() -> None:
    op.drop_index("ix_area_village_code", table_name="area")
    op.drop_constraint("ck_registry_policy_weak_village_threshold_pair", "registry_policy", type_="check")
    op.drop_column("registry_policy", "weak_village_income_inclusive")
    op.drop_column("registry_policy", "weak_village_income_fen")
    op.drop_column("income_record", "version")
    op.drop_column("registry_policy", "version")
