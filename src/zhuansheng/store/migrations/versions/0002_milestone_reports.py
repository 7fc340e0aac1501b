"""milestone reports

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 22:01:13.705249
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "milestone_reports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("target_pk", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column("reported_by", sa.String(length=60), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_code"], ["regions.code"], name=op.f("fk_milestone_reports_region_code_regions")
        ),
        sa.ForeignKeyConstraint(
            ["target_pk"],
            ["targets.id"],
            name=op.f("fk_milestone_reports_target_pk_targets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_milestone_reports")),
    )
    with op.batch_alter_table("milestone_reports", schema=None) as batch_op:
        batch_op.create_index("ix_milestone_reports_lookup", ["target_pk", "period"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("milestone_reports", schema=None) as batch_op:
        batch_op.drop_index("ix_milestone_reports_lookup")

    op.drop_table("milestone_reports")
