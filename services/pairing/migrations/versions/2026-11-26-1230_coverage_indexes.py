"""coverage counted in SQL: prefix indexes for area subtrees, the last visit, a cadre's load, a gap's episodes

Revision ID: 3b8f0d6c2a91
Revises: 5e7a9c1b3d62
Create Date: 2026-11-26 12:30:00

``area_code LIKE '440783%'`` can use a plain btree only under the "C" collation; the databases run
under C.UTF-8, so the subtree scans get ``varchar_pattern_ops`` indexes (partial where only live
rows are read, INCLUDE where that makes the scan index-only).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3b8f0d6c2a91"
down_revision: str | None = "5e7a9c1b3d62"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIVE_CADRE = "kind = 'cadre_household' AND ended_on IS NULL"
PREFIX = {"area_code": "varchar_pattern_ops"}


def upgrade() -> None:
    # Households of an area subtree, with what coverage reads of them (index-only).
    op.create_index(
        "ix_household_ref_area_prefix",
        "household_ref",
        ["area_code"],
        postgresql_ops=PREFIX,
        postgresql_include=["id", "status", "policies_kept_until"],
    )
    # Active cadre pairings of an area subtree (the household side of coverage, large areas).
    op.create_index(
        "ix_pairing_active_cadre_area_prefix",
        "pairing",
        ["area_code"],
        postgresql_ops=PREFIX,
        postgresql_include=["target_id", "started_on"],
        postgresql_where=sa.text(ACTIVE_CADRE),
    )
    # A cadre's active households (the cap): only the live rows, not every pairing ever made.
    op.create_index(
        "ix_pairing_active_cadre_helper", "pairing", ["helper_id"], postgresql_where=sa.text(ACTIVE_CADRE)
    )
    op.create_index("ix_helper_area_prefix", "helper", ["area_code"], postgresql_ops=PREFIX)
    op.create_index(
        "ix_area_ref_poor_village_prefix",
        "area_ref",
        ["code"],
        postgresql_ops={"code": "varchar_pattern_ops"},
        postgresql_where=sa.text("level = 'village' AND poor_village IS true"),
    )
    # A household's last visit: one index-only probe instead of reading all its visits.
    op.create_index("ix_visit_household_visited_on", "visit", ["household_id", "visited_on"])
    # Open gaps of an area subtree (closing the filled ones), and the next episode of a gap.
    op.create_index(
        "ix_coverage_gap_open_area_prefix",
        "coverage_gap",
        ["area_code"],
        postgresql_ops=PREFIX,
        postgresql_where=sa.text("closed_at IS NULL"),
    )
    op.create_index("ix_coverage_gap_identity_episode", "coverage_gap", ["kind", "subject_id", "episode"])


def downgrade() -> None:
    op.drop_index("ix_coverage_gap_identity_episode", table_name="coverage_gap")
    op.drop_index("ix_coverage_gap_open_area_prefix", table_name="coverage_gap")
    op.drop_index("ix_visit_household_visited_on", table_name="visit")
    op.drop_index("ix_area_ref_poor_village_prefix", table_name="area_ref")
    op.drop_index("ix_helper_area_prefix", table_name="helper")
    op.drop_index("ix_pairing_active_cadre_helper", table_name="pairing")
    op.drop_index("ix_pairing_active_cadre_area_prefix", table_name="pairing")
    op.drop_index("ix_household_ref_area_prefix", table_name="household_ref")
