"""selection brief: the Markdown above a review's selection form, written by the cycle

Revision ID: 0011_selection_brief
Revises: 0010_vocabulary
Create Date: 2026-12-06 23:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0011_selection_brief'
down_revision = '0010_vocabulary'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ADD COLUMN: SQLite needs no table copy for it
    op.add_column('review', sa.Column('selection_brief', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('review') as batch:
        batch.drop_column('selection_brief')
