"""assessment runs record whether their scheme was a draft

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 01:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("assessment_runs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("draft", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("assessment_runs", schema=None) as batch_op:
        batch_op.drop_column("draft")
