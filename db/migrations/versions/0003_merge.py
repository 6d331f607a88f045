"""Merge the gathering, notification and portal branches into one head.

Revision ID: 0003_merge
Revises: 0002_gather, 0002_notifications, 0002_portal
"""

revision = "0003_merge"
down_revision = ("0002_gather", "0002_notifications", "0002_portal")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
