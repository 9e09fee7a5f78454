"""dashboard: each strand's actions by rating at each month end, so the trend reads a few rows

Revision ID: 0018_month_end_counts
Revises: 0017_frozen_measures_csv
Create Date: 2026-12-07 18:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_month_end_counts'
down_revision = '0017_frozen_measures_csv'
branch_labels = None
depends_on = None


def upgrade():
    # Empty at first: the nightly job (or `flask --app wsgi dashboard month-ends`) fills it, and
    # until then the trend counts each action's month-end row, as before.
    op.create_table(
        'month_end_count',
        sa.Column('month_end', sa.Date(), nullable=False),
        sa.Column('strand_id', sa.Integer(), nullable=False),
        sa.Column('is_restricted', sa.Boolean(), nullable=False),
        sa.Column('rag', sa.String(length=20), nullable=False),
        sa.Column('actions', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['strand_id'], ['strand.id'], name=op.f('fk_month_end_count_strand_id_strand'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('month_end', 'strand_id', 'is_restricted', 'rag', name=op.f('pk_month_end_count')),
        # Stored in key order on SQLite, so a month's rows are read straight off.
        sqlite_with_rowid=False,
    )


def downgrade():
    op.drop_table('month_end_count')
