"""Statements whose spelling differs between SQLite and PostgreSQL, written once."""

from __future__ import annotations

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite

from tracker.extensions import db


def insert_ignoring_duplicates(table: Table):
    """INSERT ... ON CONFLICT DO NOTHING: a second writer of the same unique key adds nothing."""
    if db.session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    return sqlite.insert(table).on_conflict_do_nothing()
