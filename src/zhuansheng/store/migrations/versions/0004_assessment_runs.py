"""assessment runs

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "assessment_runs",
        sa.Column("run_id", sa.String(length=40), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("scheme_id", sa.String(length=60), nullable=False),
        sa.Column("scheme_version", sa.String(length=40), nullable=False),
        sa.Column("scheme_sha256", sa.String(length=64), nullable=False),
        sa.Column("scheme_text", sa.Text(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("sensitivity", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=60), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_assessment_runs")),
    )


def downgrade() -> None:
    op.drop_table("assessment_runs")
