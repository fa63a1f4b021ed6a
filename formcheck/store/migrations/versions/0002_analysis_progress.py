"""An analysis's progress and worker on its row, so any API process can report a job a queue worker runs.

Revision ID: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("analyses") as table:
        table.add_column(sa.Column("progress", sa.Float, nullable=False, server_default="0"))
        table.add_column(sa.Column("frames_done", sa.Integer, nullable=False, server_default="0"))
        table.add_column(sa.Column("stage", sa.String(16)))
        table.add_column(sa.Column("worker", sa.String(255)))


def downgrade() -> None:
    with op.batch_alter_table("analyses") as table:
        for column in ("worker", "stage", "frames_done", "progress"):
            table.drop_column(column)
