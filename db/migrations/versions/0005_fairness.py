"""fairness: the review each candidate is decided in, acting heads, selection notes, evidence,
data objections and their corrections

Existing candidates are decided in their OPD's review (review_scope = opd_code), as before.

Revision ID: 0005_fairness
Revises: 0004_raw_nip_first
Create Date: 2026-12-03 10:24:27
"""

from alembic import op
import sqlalchemy as sa


revision = '0005_fairness'
down_revision = '0004_raw_nip_first'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('selection_note',
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('review_scope', sa.String(length=32), nullable=False),
    sa.Column('members', sa.Integer(), nullable=False),
    sa.Column('sufficient', sa.Integer(), nullable=False),
    sa.Column('below_floor', sa.Integer(), nullable=False),
    sa.Column('proposed', sa.Integer(), nullable=False),
    sa.Column('floor', sa.Float(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('period', 'review_scope', name=op.f('pk_selection_note'))
    )
    op.create_table('data_objection',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('scope_code', sa.String(length=32), nullable=False),
    sa.Column('nip', sa.String(length=32), nullable=False),
    sa.Column('defence_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('row_ref', sa.String(length=64), nullable=False),
    sa.Column('claim', sa.String(length=32), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['defence_id'], ['decision.id'], name=op.f('fk_data_objection_defence_id_decision')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_objection'))
    )
    with op.batch_alter_table('data_objection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_data_objection_nip'), ['nip'], unique=False)
        batch_op.create_index(batch_op.f('ix_data_objection_period'), ['period'], unique=False)

    op.create_table('evidence',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('scope_code', sa.String(length=32), nullable=False),
    sa.Column('nip', sa.String(length=32), nullable=False),
    sa.Column('defence_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('media_type', sa.String(length=32), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('stored_as', sa.String(length=300), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.Column('uploaded_by', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['defence_id'], ['decision.id'], name=op.f('fk_evidence_defence_id_decision')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence')),
    sa.UniqueConstraint('period', 'scope_code', 'nip', 'sha256', name='uq_evidence_file')
    )
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_nip'), ['nip'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_period'), ['period'], unique=False)

    op.create_table('data_correction',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('nip', sa.String(length=32), nullable=False),
    sa.Column('objection_id', sa.Integer(), nullable=False),
    sa.Column('ruling_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('row_key', sa.String(length=200), nullable=False),
    sa.Column('before', sa.JSON(), nullable=False),
    sa.Column('after', sa.JSON(), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['objection_id'], ['data_objection.id'], name=op.f('fk_data_correction_objection_id_data_objection')),
    sa.ForeignKeyConstraint(['ruling_id'], ['decision.id'], name=op.f('fk_data_correction_ruling_id_decision')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_correction')),
    sa.UniqueConstraint('objection_id', name=op.f('uq_data_correction_objection_id'))
    )
    with op.batch_alter_table('data_correction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_data_correction_nip'), ['nip'], unique=False)
        batch_op.create_index(batch_op.f('ix_data_correction_period'), ['period'], unique=False)

    with op.batch_alter_table('candidate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_scope', sa.String(length=32), nullable=True))
    op.execute("UPDATE candidate SET review_scope = opd_code")
    with op.batch_alter_table('candidate', schema=None) as batch_op:
        batch_op.alter_column('review_scope', existing_type=sa.String(length=32), nullable=False)
        batch_op.create_index(batch_op.f('ix_candidate_review_scope'), ['review_scope'], unique=False)

    with op.batch_alter_table('opd', schema=None) as batch_op:
        batch_op.add_column(sa.Column('head_acting', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('opd', schema=None) as batch_op:
        batch_op.drop_column('head_acting')

    with op.batch_alter_table('candidate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_candidate_review_scope'))
        batch_op.drop_column('review_scope')

    with op.batch_alter_table('data_correction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_data_correction_period'))
        batch_op.drop_index(batch_op.f('ix_data_correction_nip'))

    op.drop_table('data_correction')
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_period'))
        batch_op.drop_index(batch_op.f('ix_evidence_nip'))

    op.drop_table('evidence')
    with op.batch_alter_table('data_objection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_data_objection_period'))
        batch_op.drop_index(batch_op.f('ix_data_objection_nip'))

    op.drop_table('data_objection')
    op.drop_table('selection_note')
