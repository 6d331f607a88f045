"""send claims: who holds a notification claim, and when a send became uncertain

A claim records the claiming process ("host:pid"): a claim of a process that is gone is taken
over at once, not after CLAIM_STALE_AFTER. `uncertain_at` records that a send may have
reached its channel before its process died; it was retried with the same idempotency key.

Revision ID: 0009_send_claims
Revises: 0008_opd_rating
Create Date: 2026-12-04 20:20:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0009_send_claims'
down_revision = '0008_opd_rating'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('uncertain_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_column('uncertain_at')
        batch_op.drop_column('claimed_by')
