"""refusal counts: anonymous portal refusals counted per minute and source, not a row each

Revision ID: 0007_refusal_counts
Revises: 0006_short_links
Create Date: 2026-12-04 20:45:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0007_refusal_counts'
down_revision = '0006_short_links'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('refusal_count',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('minute', sa.DateTime(), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refusal_count')),
    sa.UniqueConstraint('minute', 'source', 'reason', name=op.f('uq_refusal_count_minute'))
    )
    with op.batch_alter_table('refusal_count', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refusal_count_minute'), ['minute'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('refusal_count', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_refusal_count_minute'))
    op.drop_table('refusal_count')
