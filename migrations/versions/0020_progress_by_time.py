"""progress updates indexed by time, for who was updated in a reporting period as at a past day

Revision ID: 0020_progress_by_time
Revises: 0019_month_end_count_key
Create Date: 2026-12-07 22:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0020_progress_by_time'
down_revision = '0019_month_end_count_key'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_progress_update_created_action', 'progress_update', ['created_at', 'action_id'], unique=False)


def downgrade():
    op.drop_index('ix_progress_update_created_action', table_name='progress_update')
