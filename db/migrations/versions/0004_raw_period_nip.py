"""raw tables: one (period, nip) index instead of separate period and nip indexes

A month's gathering looks rows up by period and NIP. With separate indexes and no statistics
yet (a table filling up during the load), PostgreSQL picked the period index and scanned the
whole month for each OPD; the composite index is chosen on sight. Behaviour and indicator
rows already have a unique (period, nip, ...) index that serves the same lookups. Fewer
indexes also make the bulk COPY cheaper.

Revision ID: 0004_raw_period_nip
Revises: 0003_merge
"""

from alembic import op

revision = "0004_raw_period_nip"
down_revision = "0003_merge"
branch_labels = None
depends_on = None

COMPOSITE = ["attendance", "activity"]
ALL = ["attendance", "activity", "behaviour_answer", "indicator_value"]


def upgrade() -> None:
    for table in ALL:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f"ix_{table}_period")
            batch_op.drop_index(f"ix_{table}_nip")
            if table in COMPOSITE:
                batch_op.create_index(f"ix_{table}_period_nip", ["period", "nip"], unique=False)


def downgrade() -> None:
    for table in ALL:
        with op.batch_alter_table(table, schema=None) as batch_op:
            if table in COMPOSITE:
                batch_op.drop_index(f"ix_{table}_period_nip")
            batch_op.create_index(f"ix_{table}_nip", ["nip"], unique=False)
            batch_op.create_index(f"ix_{table}_period", ["period"], unique=False)
