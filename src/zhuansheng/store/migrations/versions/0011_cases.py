"""the rectification case lifecycle: plan, measure, version; event actions; dismissal reasons

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 03:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("measure", sa.String(16), nullable=True))
        batch.add_column(sa.Column("actions", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("responsible", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("planned_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("expected_land_mu", sa.Float(), nullable=True))
        batch.add_column(sa.Column("expected_energy_tce", sa.Float(), nullable=True))
        batch.add_column(sa.Column("progress", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("case_events") as batch:
        batch.add_column(sa.Column("action", sa.String(12), nullable=True))
        batch.add_column(sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("screening_candidates") as batch:
        batch.add_column(sa.Column("dismiss_reason", sa.String(20), nullable=True))
        batch.add_column(sa.Column("reviewed_by", sa.String(60), nullable=True))
    # a listed case is a confirmed one; its measure is the outcome it was listed for
    op.execute("UPDATE cases SET status = 'confirmed' WHERE status = 'listed'")
    op.execute("UPDATE cases SET measure = outcome WHERE measure IS NULL")


def downgrade() -> None:
    op.execute("UPDATE cases SET status = 'listed' WHERE status IN ('confirmed', 'reopened')")
    with op.batch_alter_table("screening_candidates") as batch:
        batch.drop_column("reviewed_by")
        batch.drop_column("dismiss_reason")
    with op.batch_alter_table("case_events") as batch:
        batch.drop_column("recorded_at")
        batch.drop_column("action")
    with op.batch_alter_table("cases") as batch:
        for col in (
            "version", "progress", "expected_energy_tce", "expected_land_mu",
            "planned_on", "responsible", "actions", "measure",
        ):  # fmt: skip
            batch.drop_column(col)
