"""dashboard: a data version per plan

A change to one action moves on only its plan's number, so the dashboard recounts that plan
alone and keeps what it counted for the others.

Revision ID: 0005_plan_data_versions
Revises: 0004_history_indexes
Create Date: 2026-11-22 06:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_plan_data_versions'
down_revision = '0004_history_indexes'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'plan_data_version',
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ['plan_id'], ['plan.id'], name=op.f('fk_plan_data_version_plan_id_plan'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('plan_id', name=op.f('pk_plan_data_version')),
    )


def downgrade():
    op.drop_table('plan_data_version')
