"""township staff and village coordinators join the one-active-pairing indexes

Revision ID: 7c1d2e3f4a5b
Revises: 7f3280d9506c
Create Date: 2026-11-22 04:14:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7c1d2e3f4a5b"
down_revision: str | None = "7f3280d9506c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The "one active pairing" rules of services.pairing.pairings.rules.KIND_SPECS, frozen here.
ONE_PER_HELPER_WHERE = (
    "ended_on IS NULL AND kind IN ('first_secretary_village','work_team_village','doctor_village',"
    "'volunteer_team_household','county_county','township_staff','village_coordinator')"
)
ONE_PER_TARGET_WHERE = (
    "ended_on IS NULL AND kind IN ('cadre_household','first_secretary_village','work_team_village',"
    "'doctor_village','enterprise_village','chamber_village','overseas_chinese_village','county_county',"
    "'village_coordinator')"
)
PREVIOUS_HELPER_WHERE = (
    "ended_on IS NULL AND kind IN ('first_secretary_village','work_team_village','doctor_village',"
    "'volunteer_team_household','county_county')"
)
PREVIOUS_TARGET_WHERE = (
    "ended_on IS NULL AND kind IN ('cadre_household','first_secretary_village','work_team_village',"
    "'doctor_village','enterprise_village','chamber_village','overseas_chinese_village','county_county')"
)


def _recreate(helper_where: str, target_where: str) -> None:
    op.drop_index("uq_pairing_active_helper", table_name="pairing")
    op.drop_index("uq_pairing_active_target", table_name="pairing")
    op.create_index(
        "uq_pairing_active_helper",
        "pairing",
        ["kind", "helper_id"],
        unique=True,
        postgresql_where=sa.text(helper_where),
    )
    op.create_index(
        "uq_pairing_active_target",
        "pairing",
        ["kind", "target_id"],
        unique=True,
        postgresql_where=sa.text(target_where),
    )


def upgrade() -> None:
    _recreate(ONE_PER_HELPER_WHERE, ONE_PER_TARGET_WHERE)


def downgrade() -> None:
    _recreate(PREVIOUS_HELPER_WHERE, PREVIOUS_TARGET_WHERE)
