"""submission events remember the newest observation at each step

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 01:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("submission_events") as batch:
        batch.add_column(sa.Column("observation_mark", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("submission_events") as batch:
        batch.drop_column("observation_mark")
