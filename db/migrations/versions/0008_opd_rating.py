"""opd rating: each OPD's organisation rating per period, for the predikat distribution check

Revision ID: 0008_opd_rating
Revises: 0007_refusal_counts
Create Date: 2026-12-04 20:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0008_opd_rating'
down_revision = '0007_refusal_counts'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'opd_rating',
        sa.Column('period', sa.String(length=7), nullable=False),
        sa.Column('opd_code', sa.String(length=32), nullable=False),
        sa.Column('rating', sa.String(length=16), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('set_by', sa.String(length=64), nullable=False),
        sa.Column('set_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('period', 'opd_code', name=op.f('pk_opd_rating')),
    )


def downgrade() -> None:
    op.drop_table('opd_rating')
