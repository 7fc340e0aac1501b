"""major projects: size class, official in charge, planned dates, monthly investment plans

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 01:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from zhuansheng.programme import size_classes

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.add_column(sa.Column("size_class", sa.String(length=12), nullable=True))
        batch.add_column(sa.Column("official_in_charge", sa.String(length=60), nullable=True))
        batch.add_column(sa.Column("official_post", sa.String(length=120), nullable=True))
        batch.add_column(sa.Column("planned_start_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("planned_completion_on", sa.Date(), nullable=True))
    # projects already in the register get their class from the shipped thresholds
    classes = size_classes()
    when = " ".join(
        f"WHEN planned_investment_wan >= {c.min_investment_wan!r} THEN '{c.id}'"
        for c in classes[:-1]
    )
    op.execute(f"UPDATE projects SET size_class = CASE {when} ELSE '{classes[-1].id}' END")
    op.create_table(
        "project_plans",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("planned_wan", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_project_plans_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_plans")),
        sa.UniqueConstraint("project_id", "month", name=op.f("uq_project_plans_project_id")),
    )


def downgrade() -> None:
    op.drop_table("project_plans")
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("planned_completion_on")
        batch.drop_column("planned_start_on")
        batch.drop_column("official_post")
        batch.drop_column("official_in_charge")
        batch.drop_column("size_class")
