"""a household's last visit kept on its projection (household_ref.last_visit_on), maintained by triggers

Revision ID: c4d2f8a61e07
Revises: a7c0e5d1b303
Create Date: 2026-11-26 13:30:00

Coverage's visit-interval rule reads the latest ``visited_on`` of *any* visit of the household (any
kind, confirmed or not, by any cadre; the cadre's pairing start is taken at read time by
``GREATEST(started_on, last_visit_on)``). Reading it per household was one index probe per paired
household (850,000 for a province). The value now sits on ``household_ref`` and the database keeps
it, in the transaction of the write, whatever writes the visit (single record, offline batch, a
resend, a bulk load):

- after INSERT on visit (per statement, over the inserted rows): raised to the newest inserted
  date, never lowered, so an older visit uploaded late by an offline phone changes nothing;
- after UPDATE or DELETE on visit: recounted from the visits of the households touched (there is
  no such API today; a correction or an erasure must not leave a stale date behind);
- before INSERT on household_ref: taken from the visits already stored, so the order in which a
  projection and its visits arrive does not matter.

The value needs no pairing: a hand-over or a new cadre changes ``started_on``, read as before.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c4d2f8a61e07"
down_revision: str | None = "a7c0e5d1b303"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PREFIX = {"area_code": "varchar_pattern_ops"}

RAISE = """
CREATE FUNCTION household_last_visit_raise() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Only ever forward: a late upload of an older visit leaves the date alone. Under READ
    -- COMMITTED a concurrent raise of the same row is re-checked on the newest version.
    UPDATE household_ref AS h SET last_visit_on = n.last_on
    FROM (SELECT household_id, max(visited_on) AS last_on FROM inserted_visits GROUP BY household_id) AS n
    WHERE h.id = n.household_id AND (h.last_visit_on IS NULL OR h.last_visit_on < n.last_on);
    RETURN NULL;
END $$
"""

RECOUNT = """
CREATE FUNCTION household_last_visit_recount() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        UPDATE household_ref AS h
        SET last_visit_on = (SELECT max(v.visited_on) FROM visit AS v WHERE v.household_id = h.id)
        WHERE h.id IN (SELECT household_id FROM old_visits UNION SELECT household_id FROM new_visits);
    ELSE
        UPDATE household_ref AS h
        SET last_visit_on = (SELECT max(v.visited_on) FROM visit AS v WHERE v.household_id = h.id)
        WHERE h.id IN (SELECT household_id FROM old_visits);
    END IF;
    RETURN NULL;
END $$
"""

FROM_VISITS = """
CREATE FUNCTION household_last_visit_from_visits() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.last_visit_on := (SELECT max(v.visited_on) FROM visit AS v WHERE v.household_id = NEW.id);
    RETURN NEW;
END $$
"""

TRIGGERS = [
    "CREATE TRIGGER visit_last_visit_insert AFTER INSERT ON visit REFERENCING NEW TABLE AS inserted_visits"
    " FOR EACH STATEMENT EXECUTE FUNCTION household_last_visit_raise()",
    "CREATE TRIGGER visit_last_visit_update AFTER UPDATE ON visit"
    " REFERENCING OLD TABLE AS old_visits NEW TABLE AS new_visits"
    " FOR EACH STATEMENT EXECUTE FUNCTION household_last_visit_recount()",
    "CREATE TRIGGER visit_last_visit_delete AFTER DELETE ON visit REFERENCING OLD TABLE AS old_visits"
    " FOR EACH STATEMENT EXECUTE FUNCTION household_last_visit_recount()",
    "CREATE TRIGGER household_ref_last_visit BEFORE INSERT ON household_ref"
    " FOR EACH ROW EXECUTE FUNCTION household_last_visit_from_visits()",
]

BACKFILL = """
UPDATE household_ref AS h SET last_visit_on = v.last_on
FROM (SELECT household_id, max(visited_on) AS last_on FROM visit GROUP BY household_id) AS v
WHERE h.id = v.household_id
"""


def _prefix_index(include: list[str]) -> None:
    op.create_index(
        "ix_household_ref_area_prefix",
        "household_ref",
        ["area_code"],
        postgresql_ops=PREFIX,
        postgresql_include=include,
    )


def upgrade() -> None:
    op.add_column("household_ref", sa.Column("last_visit_on", sa.Date(), nullable=True))
    for sql in (RAISE, RECOUNT, FROM_VISITS, *TRIGGERS):
        op.execute(sql)
    # The triggers exist and the ALTER above holds household_ref exclusively, so no visit written
    # from here on is missed by the backfill.
    op.execute(BACKFILL)
    # The subtree scan stays index-only with the new column.
    op.drop_index("ix_household_ref_area_prefix", table_name="household_ref")
    _prefix_index(["id", "status", "policies_kept_until", "last_visit_on"])


def downgrade() -> None:
    op.drop_index("ix_household_ref_area_prefix", table_name="household_ref")
    _prefix_index(["id", "status", "policies_kept_until"])
    op.execute("DROP TRIGGER household_ref_last_visit ON household_ref")
    for name in ("visit_last_visit_delete", "visit_last_visit_update", "visit_last_visit_insert"):
        op.execute(f"DROP TRIGGER {name} ON visit")
    for name in (
        "household_last_visit_from_visits",
        "household_last_visit_recount",
        "household_last_visit_raise",
    ):
        op.execute(f"DROP FUNCTION {name}()")
    op.drop_column("household_ref", "last_visit_on")
