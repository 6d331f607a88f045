"""gather: index raw rows by the delivery (batch) that brought them

Revision ID: 0002_gather
Revises: 0001
Create Date: 2026-11-22 20:05:00
"""

from alembic import op


revision = "0002_gather"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = ["attendance", "activity", "behaviour_answer", "indicator_value"]


def upgrade() -> None:
    # A corrected re-delivery looks up the rows of the scope's earlier batches.
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f"ix_{table}_batch_id"), ["batch_id"], unique=False)


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_batch_id"))
