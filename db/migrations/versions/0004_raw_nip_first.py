"""raw tables: indexes lead with the NIP; no period index

Gathering looks a month's rows up by NIP for one OPD at a time. While a month is being loaded
the planner has no statistics for it and took a period index as selective, scanning the whole
month once per OPD (quadratic: minutes at 50,000 employees). Indexes that lead with the NIP
leave it no such choice. A month is read whole for scoring, for which a period index brings
nothing; fewer indexes also make the bulk COPY cheaper.

Revision ID: 0004_raw_nip_first
Revises: 0003_merge
"""

from alembic import op

revision = "0004_raw_nip_first"
down_revision = "0003_merge"
branch_labels = None
depends_on = None

ALL = ["attendance", "activity", "behaviour_answer", "indicator_value"]
UNIQUE = {
    "behaviour_answer": ("uq_behaviour_answer", ["period", "nip", "rater_nip", "item"]),
    "indicator_value": ("uq_indicator_value", ["period", "nip", "kind"]),
}


def _nip_first(columns: list[str]) -> list[str]:
    return ["nip", "period", *columns[2:]]


def upgrade() -> None:
    for table in ALL:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f"ix_{table}_period")
            batch_op.drop_index(f"ix_{table}_nip")
            if table in UNIQUE:
                name, columns = UNIQUE[table]
                batch_op.drop_constraint(name, type_="unique")
                batch_op.create_unique_constraint(name, _nip_first(columns))
            if table == "activity":
                batch_op.create_index("ix_activity_nip_work_date", ["nip", "work_date"])


def downgrade() -> None:
    for table in ALL:
        with op.batch_alter_table(table, schema=None) as batch_op:
            if table == "activity":
                batch_op.drop_index("ix_activity_nip_work_date")
            if table in UNIQUE:
                name, columns = UNIQUE[table]
                batch_op.drop_constraint(name, type_="unique")
                batch_op.create_unique_constraint(name, columns)
            batch_op.create_index(f"ix_{table}_nip", ["nip"], unique=False)
            batch_op.create_index(f"ix_{table}_period", ["period"], unique=False)
