"""When an analysis was handed to the queue's broker, so a job recorded by an API process that died before
sending it is sent again (``JobStore.resume``).

Revision ID: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("analyses") as table:
        table.add_column(sa.Column("sent_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    with op.batch_alter_table("analyses") as table:
        table.drop_column("sent_at")
