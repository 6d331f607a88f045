"""notifications: claimed_at, so a send is claimed by one process at a time

Revision ID: 0002_notifications
Revises: 0001
Create Date: 2026-11-22 21:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_notifications"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_column("claimed_at")
