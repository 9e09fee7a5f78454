"""dashboard: the strands' counts keyed by day and rating first, so the trend sums them in key order

Revision ID: 0019_month_end_count_key
Revises: 0018_month_end_counts
Create Date: 2026-12-07 21:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019_month_end_count_key'
down_revision = '0018_month_end_counts'
branch_labels = None
depends_on = None

NEW_KEY = ('month_end', 'rag', 'strand_id', 'is_restricted')
OLD_KEY = ('month_end', 'strand_id', 'is_restricted', 'rag')


def _table(key) -> sa.Table:
    return sa.Table(
        'month_end_count',
        sa.MetaData(),
        sa.Column('month_end', sa.Date(), nullable=False),
        sa.Column('strand_id', sa.Integer(), sa.ForeignKey('strand.id', ondelete='CASCADE',
                                                           name='fk_month_end_count_strand_id_strand'),
                  nullable=False),
        sa.Column('is_restricted', sa.Boolean(), nullable=False),
        sa.Column('rag', sa.String(length=20), nullable=False),
        sa.Column('actions', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(*key, name='pk_month_end_count'),
        sqlite_with_rowid=False,
    )


def _rekey(key) -> None:
    # The trend sums the rows of some days by day and rating: in this key's order the sum needs no
    # sorting (SQLite keeps the rows in key order; PostgreSQL reads the key's index in order).
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite cannot change a key in place: the table is made again, its rows copied.
        with op.batch_alter_table('month_end_count', copy_from=_table(key), recreate='always'):
            pass
    else:
        op.drop_constraint('pk_month_end_count', 'month_end_count', type_='primary')
        op.create_primary_key('pk_month_end_count', 'month_end_count', list(key))


def upgrade():
    _rekey(NEW_KEY)


def downgrade():
    _rekey(OLD_KEY)
