"""dashboard: each action's state at each month end replaces the data versions and kept trend points

The dashboard counts afresh on every view; the trend and past views read the month-end states the
nightly job writes.

Revision ID: 0016_action_month_ends
Revises: 0015_evidence_storage
Create Date: 2026-11-29 15:40:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0016_action_month_ends"
down_revision = "0015_evidence_storage"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_table("plan_data_version")
    op.drop_table("data_version")
    op.drop_table("rag_trend_point")
    op.create_table(
        "action_month_end",
        sa.Column("month_end", sa.Date(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("delivery_rag", sa.String(length=20), nullable=False),
        sa.Column("outcome_rag", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("rag", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"], ["action.id"], name=op.f("fk_action_month_end_action_id_action"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("month_end", "action_id", name=op.f("pk_action_month_end")),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_action_month_end_action_id", "action_month_end", ["action_id", "month_end"], unique=False)
    op.create_index("ix_action_month_end_rag", "action_month_end", ["month_end", "rag", "action_id"], unique=False)


def downgrade():
    op.drop_index("ix_action_month_end_rag", table_name="action_month_end")
    op.drop_index("ix_action_month_end_action_id", table_name="action_month_end")
    op.drop_table("action_month_end")
    op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_version")),
    )
    op.create_table(
        "rag_trend_point",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=200), nullable=False),
        sa.Column("moment", sa.DateTime(), nullable=False),
        sa.Column("red", sa.Integer(), nullable=False),
        sa.Column("amber", sa.Integer(), nullable=False),
        sa.Column("green", sa.Integer(), nullable=False),
        sa.Column("blue", sa.Integer(), nullable=False),
        sa.Column("not_rated", sa.Integer(), nullable=False),
        sa.Column("history_high", sa.Integer(), nullable=False),
        sa.Column("actions_high", sa.Integer(), nullable=False),
        sa.Column("actions_count", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rag_trend_point")),
        sa.UniqueConstraint("scope", "moment", name=op.f("uq_rag_trend_point_scope_moment")),
    )
    op.create_table(
        "plan_data_version",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name=op.f("fk_plan_data_version_plan_id_plan"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("plan_id", name=op.f("pk_plan_data_version")),
    )
