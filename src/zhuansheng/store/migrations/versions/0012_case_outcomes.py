"""rectification cases: expected 亩均税收 after, what uses the freed land, verification date;
evidence files of progress updates

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08 03:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("expected_tax_per_mu", sa.Float(), nullable=True))
        batch.add_column(sa.Column("land_use", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("verified_on", sa.Date(), nullable=True))
    # a case verified before this column existed was verified on the day of its last event
    op.execute(
        "UPDATE cases SET verified_on = (SELECT MAX(e.at) FROM case_events e "
        "WHERE e.case_id = cases.id AND e.to_status = 'verified') WHERE status = 'verified'"
    )
    op.create_table(
        "case_evidence",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "case_id", sa.Integer(), sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "event_id",
            sa.Integer(),
            sa.ForeignKey("case_events.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("stored_name", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
    )
    op.create_index("ix_case_evidence_case_id", "case_evidence", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_case_evidence_case_id", table_name="case_evidence")
    op.drop_table("case_evidence")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("verified_on")
        batch.drop_column("land_use")
        batch.drop_column("expected_tax_per_mu")
