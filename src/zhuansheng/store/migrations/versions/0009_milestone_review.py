"""milestone reports by responsible units: review, evidence files, department units

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 01:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Reports written before review existed came from the demo build and stood as accepted.
    columns = [
        sa.Column("unit", sa.String(length=60), nullable=False, server_default=""),
        sa.Column("review_status", sa.String(length=12), nullable=False, server_default="accepted"),
        sa.Column("reviewed_by", sa.String(length=60), nullable=False, server_default=""),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("return_reason", sa.Text(), nullable=False, server_default=""),
    ]
    with op.batch_alter_table("milestone_reports", schema=None) as batch_op:
        for column in columns:
            batch_op.add_column(column)
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("units", sa.JSON(), nullable=False, server_default="[]"))
    op.create_table(
        "milestone_evidence",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("stored_name", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["milestone_reports.id"],
            name=op.f("fk_milestone_evidence_report_id_milestone_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_milestone_evidence")),
    )
    op.create_index(
        op.f("ix_milestone_evidence_report_id"), "milestone_evidence", ["report_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_milestone_evidence_report_id"), table_name="milestone_evidence")
    op.drop_table("milestone_evidence")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("units")
    with op.batch_alter_table("milestone_reports", schema=None) as batch_op:
        for column in ("return_reason", "reviewed_at", "reviewed_by", "review_status", "unit"):
            batch_op.drop_column(column)
