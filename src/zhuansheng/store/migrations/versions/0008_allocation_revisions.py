"""allocation revisions: every value an allocation has had

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 01:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "allocation_revisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("target_pk", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=60), nullable=False),
        sa.Column("source_kind", sa.String(length=10), nullable=False),
        sa.Column("source_name", sa.Text(), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=True),
        sa.Column("source_cell", sa.String(length=40), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_code"],
            ["regions.code"],
            name=op.f("fk_allocation_revisions_region_code_regions"),
        ),
        sa.ForeignKeyConstraint(
            ["target_pk"],
            ["targets.id"],
            name=op.f("fk_allocation_revisions_target_pk_targets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allocation_revisions")),
        sa.UniqueConstraint(
            "target_pk", "region_code", "revision", name=op.f("uq_allocation_revisions_target_pk")
        ),
    )
    op.create_index(
        "ix_allocation_revisions_lookup",
        "allocation_revisions",
        ["target_pk", "region_code"],
        unique=False,
    )
    # Allocations made before revisions were kept become their first revision.
    op.execute(
        "INSERT INTO allocation_revisions (target_pk, region_code, value, revision, recorded_at, "
        "recorded_by, source_kind, source_name, comment, synthetic) "
        "SELECT target_pk, region_code, value, 1, CURRENT_TIMESTAMP, '', 'legacy', source, '', "
        "synthetic FROM allocations"
    )


def downgrade() -> None:
    op.drop_index("ix_allocation_revisions_lookup", table_name="allocation_revisions")
    op.drop_table("allocation_revisions")
