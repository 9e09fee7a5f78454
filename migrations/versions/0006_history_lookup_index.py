"""history: the (action, field, time) index ends with the id

Rebuilding a past day reads, per action and field, the latest entry at or before a moment, in
the order (created_at, id). With the id in the index PostgreSQL reads that one entry straight off
it instead of fetching and sorting every earlier entry of the action's field.

Revision ID: 0006_history_lookup_index
Revises: 0005_plan_data_versions
Create Date: 2026-11-22 07:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_history_lookup_index'
down_revision = '0005_plan_data_versions'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('history_entry', schema=None) as batch_op:
        batch_op.create_index(
            'ix_history_entry_action_field_at_id', ['action_id', 'field', 'created_at', 'id'], unique=False
        )
        batch_op.drop_index('ix_history_entry_action_field_at')


def downgrade():
    with op.batch_alter_table('history_entry', schema=None) as batch_op:
        batch_op.create_index('ix_history_entry_action_field_at', ['action_id', 'field', 'created_at'], unique=False)
        batch_op.drop_index('ix_history_entry_action_field_at_id')
