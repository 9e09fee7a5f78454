"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from tracker.extensions import db


def test_models_and_migrations_agree(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "render_as_batch": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_migrations_go_down_and_up_again(app):
    db.session.remove()
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    assert "action" in inspect(db.engine).get_table_names()
