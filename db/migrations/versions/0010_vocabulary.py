"""vocabulary: stored statuses and decision values are checked by the database

Every stored status and decision value is one of kinerja.domain's enums; the values are written
out here (a migration is frozen: the enums may grow later, through a migration of their own).
SQLite gets the constraints through batch mode (the table is copied), PostgreSQL through ALTER.

Revision ID: 0010_vocabulary
Revises: 0009_send_claims
Create Date: 2026-12-04 20:40:00
"""

from alembic import op


revision = '0010_vocabulary'
down_revision = '0009_send_claims'
branch_labels = None
depends_on = None


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


REVIEW_STAGES = ('awaiting_selection', 'awaiting_defence', 'done', 'no_decision', 'not_assessable')
DECISION_KINDS = (
    'selection', 'warning', 'defence', 'verdict', 'outcome', 'publication', 'no_decision',
    'extension', 'objection', 'rescore', 'correction',
)
# The values of the decisions that affect a person, per kind (other kinds carry free values).
DECISION_VALUES = {
    'selection': ('selected', 'not_selected'),
    'warning': ('issued',),
    'defence': ('submitted',),
    'verdict': ('accepted', 'rejected'),
    'outcome': ('published', 'not_published'),
    'objection': ('accepted', 'rejected'),
}
CHECKS = {
    # table: [(constraint name, condition)]
    'review': [('stage', _in('stage', REVIEW_STAGES))],
    'decision': [
        ('kind', _in('kind', DECISION_KINDS)),
        (
            'value',
            ' AND '.join(
                f"(kind <> '{kind}' OR {_in('value', values)})"
                for kind, values in DECISION_VALUES.items()
            ),
        ),
    ],
    'period': [('status', _in('status', ('open', 'reviewing', 'closed')))],
    'draft': [('status', _in('status', ('draft', 'approved', 'rejected', 'withdrawn')))],
    'source_batch': [('status', _in('status', ('loaded', 'failed')))],
    'notification': [('status', _in('status', ('pending', 'sending', 'sent', 'failed', 'uncertain')))],
}


def upgrade() -> None:
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, condition in checks:
                batch_op.create_check_constraint(name, condition)


def downgrade() -> None:
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, _ in checks:
                batch_op.drop_constraint(batch_op.f(f'ck_{table}_{name}'), type_='check')
