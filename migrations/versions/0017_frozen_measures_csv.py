"""frozen reports keep the measures CSV

Revision ID: 0017_frozen_measures_csv
Revises: 0016_action_month_ends
Create Date: 2026-11-29 15:20:01.576162

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017_frozen_measures_csv'
down_revision = '0016_action_month_ends'
branch_labels = None
depends_on = None


def upgrade():
    # Nullable: reports frozen before this keep exactly the files they were frozen with, and no more.
    with op.batch_alter_table('frozen_report', schema=None) as batch_op:
        batch_op.add_column(sa.Column('measures_csv', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('measures_csv_sha256', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('frozen_report', schema=None) as batch_op:
        batch_op.drop_column('measures_csv_sha256')
        batch_op.drop_column('measures_csv')
