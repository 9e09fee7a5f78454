"""all partners: "All agencies" is a flag on the action, not an agency

Revision ID: 0012_all_partners
Revises: 0007_aliases
Create Date: 2026-11-29 13:10:00

Imports stored "All agencies" / "All partners" as an agency, so it was listed in agency filters
and counted as a partner that could be behind. It means every partner agency: the actions that
named it get action.all_partners, the posts said to belong to it belong to no agency, and the
pseudo-agency (with its partner links and aliases) is removed.
"""
import re

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012_all_partners'
down_revision = '0008_history_owners'
branch_labels = None
depends_on = None

# As tracker/importers/names.py (ALL_PARTNERS_KEYS, name_key); copied so this migration never changes.
ALL_PARTNERS_KEYS = {"allagencies", "allpartners", "allpartneragencies"}
ALL_PARTNERS_WRITTEN = "All agencies"


def _name_key(name):
    return re.sub(r"[^a-z0-9]", "", name.lower())


def upgrade():
    # A plain ADD COLUMN: a batch rebuild of the action table on SQLite (which an expression as the
    # default would force) drops the old table, and with foreign keys on that deletes every row
    # that refers to an action (owners, partners, history).
    op.add_column('action', sa.Column('all_partners', sa.Boolean(), server_default='0', nullable=False))

    connection = op.get_bind()
    agency = sa.table('agency', sa.column('id', sa.Integer), sa.column('name', sa.String))
    action = sa.table('action', sa.column('id', sa.Integer), sa.column('all_partners', sa.Boolean))
    action_partner = sa.table('action_partner', sa.column('action_id', sa.Integer), sa.column('agency_id', sa.Integer))
    post = sa.table('post', sa.column('id', sa.Integer), sa.column('agency_id', sa.Integer))
    agency_alias = sa.table('agency_alias', sa.column('agency_id', sa.Integer))

    pseudo = [row.id for row in connection.execute(sa.select(agency.c.id, agency.c.name))
              if _name_key(row.name) in ALL_PARTNERS_KEYS]
    if not pseudo:
        return
    named_it = sa.select(action_partner.c.action_id).where(action_partner.c.agency_id.in_(pseudo))
    connection.execute(sa.update(action).where(action.c.id.in_(named_it)).values(all_partners=sa.true()))
    connection.execute(sa.delete(action_partner).where(action_partner.c.agency_id.in_(pseudo)))
    connection.execute(sa.update(post).where(post.c.agency_id.in_(pseudo)).values(agency_id=None))
    connection.execute(sa.delete(agency_alias).where(agency_alias.c.agency_id.in_(pseudo)))
    connection.execute(sa.delete(agency).where(agency.c.id.in_(pseudo)))


def downgrade():
    # Back to an agency called "All agencies" linked as a partner to every action that had the flag.
    # (Which posts belonged to it is not kept: they stay without an agency.)
    connection = op.get_bind()
    agency = sa.table('agency', sa.column('id', sa.Integer), sa.column('name', sa.String))
    action = sa.table('action', sa.column('id', sa.Integer), sa.column('all_partners', sa.Boolean))
    action_partner = sa.table('action_partner', sa.column('action_id', sa.Integer), sa.column('agency_id', sa.Integer))
    flagged = [row.id for row in connection.execute(sa.select(action.c.id).where(action.c.all_partners.is_(True)))]
    if flagged:
        agency_id = connection.execute(
            sa.select(agency.c.id).where(agency.c.name == ALL_PARTNERS_WRITTEN)
        ).scalar()
        if agency_id is None:
            connection.execute(sa.insert(agency).values(name=ALL_PARTNERS_WRITTEN))
            agency_id = connection.execute(
                sa.select(agency.c.id).where(agency.c.name == ALL_PARTNERS_WRITTEN)
            ).scalar()
        connection.execute(
            sa.insert(action_partner),
            [{"action_id": action_id, "agency_id": agency_id} for action_id in flagged],
        )
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35 or later), not a batch rebuild: see upgrade().
    op.drop_column('action', 'all_partners')
