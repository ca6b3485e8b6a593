"""each area's own rules as policy data: threshold comparisons, relapse routes by cause, policies kept
for years from the exit; pairing villages as a flag; the household's signed confirmation

Revision ID: 3d9b6f2e8a15
Revises: c4e8a2f61b93
Create Date: 2026-12-03 23:00:00
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "3d9b6f2e8a15"
down_revision: str | None = "c4e8a2f61b93"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# as in services/registry/policies/presets.py (a migration does not import application code);
# presets never overwrite a stored record, so records seeded before this revision get them here
_NATIONAL = {
    "exit_line": {
        "comparison": "above",
        "wording": "年人均纯收入稳定超过当年退出验收标准 (seed 003 wording as the default)",
    },
    "large_debt_limit": {
        "comparison": "at_or_above",
        "wording": "因病因学因房大额借贷(5万元以上) (seed 003)",
    },
    "exit_incidence": {"comparison": "at_or_below", "wording": "贫困发生率降至3%以下 (seed 003)"},
    "notice_min_days": {"comparison": "at_or_above", "wording": "公示期要在7天以上 (seed 004)"},
}
_GANSU = {
    "exit_line": {
        "comparison": "above",
        "wording": "该户年人均纯收入稳定超过当年省定退出验收标准 (seed 003 §六)",
    },
    "large_debt_limit": {
        "comparison": "at_or_above",
        "wording": "无因病因学因房大额借贷(5万元以上) (seed 003 §六)",
    },
    "exit_incidence": {
        "comparison": "at_or_below",
        "wording": "以贫困发生率降至3%以下为主要衡量标准 (seed 003 §六)",
    },
}
_KAIPING = {
    "exit_line": {
        "comparison": "at_or_above",
        "wording": "对当年达到或超过脱贫标准的帮扶对象进行核实公示并退出帮扶 (seed 004 §七(五))",
    },
    "notice_min_days": {"comparison": "at_or_above", "wording": "公示期要在7天以上 (seed 004 §五(一))"},
}
_GENERIC_ROUTES = [
    {"cause": "*", "route": "chain", "wording": "generic chain for every cause (OUTSIDE THE SEEDS)"}
]
_KAIPING_ROUTES = [
    {
        "cause": "major_natural_disaster",
        "route": "chain",
        "wording": "因重大自然灾害返贫的,应根据镇农办、民政等部门认定,由镇扶贫办申请,呈市扶贫部门审核,"
        "并经江门市级扶贫部门审定,才能纳入下年度脱贫计划 (seed 004 §七(五))",
    },
    {
        "cause": "*",
        "route": "identification",
        "wording": "贫困人口进出严格按“拟选对象、精准扶持、民主评议、公示公告”程序办理 (seed 004 §七(五))",
    },
]


def _set(prefix: str, year: int, column: str, value: object) -> None:
    op.get_bind().execute(
        sa.text(
            f"UPDATE registry_policy SET {column} = CAST(:v AS jsonb)"
            f" WHERE area_prefix = :p AND year = :y AND {column} IS NULL"
        ),
        {"v": json.dumps(value, ensure_ascii=False), "p": prefix, "y": year},
    )


def upgrade() -> None:
    op.add_column("registry_policy", sa.Column("comparisons", JSONB(), nullable=True))
    op.add_column("registry_policy", sa.Column("relapse_routes", JSONB(), nullable=True))
    op.add_column("registry_policy", sa.Column("policies_kept_years", sa.Integer(), nullable=True))
    # the fixed end date (2020-12-31) becomes a period counted from each exit: 3 years by default
    op.execute("UPDATE registry_policy SET policies_kept_years = 3 WHERE area_prefix = '' AND year = 2016")
    op.drop_column("registry_policy", "policies_kept_until")
    _set("", 2016, "comparisons", _NATIONAL)
    _set("62", 2016, "comparisons", _GANSU)
    _set("440783", 2016, "comparisons", _KAIPING)
    _set("", 2016, "relapse_routes", _GENERIC_ROUTES)
    _set("440783", 2016, "relapse_routes", _KAIPING_ROUTES)
    op.add_column(
        "area", sa.Column("pairing_village", sa.Boolean(), server_default=sa.text("false"), nullable=False)
    )
    op.execute("UPDATE area SET pairing_village = true WHERE pairing_dispatch_level IS NOT NULL")
    op.add_column("household", sa.Column("confirmation_signature", JSONB(), nullable=True))
    op.add_column("relapse_case", sa.Column("cause_kind", sa.String(length=40), nullable=True))


def downgrade() -> None:
    op.drop_column("relapse_case", "cause_kind")
    op.drop_column("household", "confirmation_signature")
    op.drop_column("area", "pairing_village")
    op.add_column("registry_policy", sa.Column("policies_kept_until", sa.Date(), nullable=True))
    op.execute(
        "UPDATE registry_policy SET policies_kept_until = '2020-12-31' WHERE area_prefix = '' AND year = 2016"
    )
    op.drop_column("registry_policy", "policies_kept_years")
    op.drop_column("registry_policy", "relapse_routes")
    op.drop_column("registry_policy", "comparisons")
