"""short links: each portal link gets a short code for its paper form (<portal>/s/<code>)

Links issued before have no code and keep working by their long form.

Revision ID: 0006_short_links
Revises: 0005_fairness
Create Date: 2026-12-03 15:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0006_short_links'
down_revision = '0005_fairness'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('portal_link', schema=None) as batch_op:
        batch_op.add_column(sa.Column('short_code', sa.String(length=16), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_portal_link_short_code'), ['short_code'])


def downgrade() -> None:
    with op.batch_alter_table('portal_link', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_portal_link_short_code'), type_='unique')
        batch_op.drop_column('short_code')
