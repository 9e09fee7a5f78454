"""The database connection drops in the middle of a request: a clear 503, nothing saved, and the next request works.

On PostgreSQL the request's server process is terminated (as a restart or failover would);
on SQLite the request's connection is closed under it.
"""

from datetime import date

import pytest
from sqlalchemy import create_engine, text

from tests import factories
from tests.integration.test_progress_updates import counts, open_form, owned_action, submit
from tracker.extensions import db
from tracker.models import Rag
from tracker.views import actions as actions_views

UNAVAILABLE = "Sorry, the service is unavailable"


def drop_connection() -> None:
    """Cut the connection the current request is using."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        killer = create_engine(db.engine.url, isolation_level="AUTOCOMMIT")
        try:
            with killer.connect() as other:
                other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        finally:
            killer.dispose()
    else:
        connection.connection.dbapi_connection.close()


@pytest.mark.parametrize("when", ["during the request", "at the commit"])
def test_a_dropped_connection_shows_unavailable_saves_nothing_and_the_next_request_works(
    app, client_as, pinned_today, monkeypatch, when
):
    pinned_today("2015-07-01")
    # As in production: an error after the view (the commit fails) goes to the error pages, not to the test.
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    client, action = owned_action(client_as, due_date=date(2015, 9, 30), delivery_rag=Rag.GREEN)
    form = open_form(client, action.id)
    before = counts()
    record = actions_views.record_progress_update

    def record_then_lose_the_database(*args, **kwargs):
        result = record(*args, **kwargs)  # the update is flushed: written, not yet committed
        drop_connection()
        if when == "during the request":
            db.session.execute(text("SELECT 1"))  # the view's next statement finds the connection gone
        return result  # otherwise the request's commit finds it gone

    monkeypatch.setattr(actions_views, "record_progress_update", record_then_lose_the_database)
    data = {"delivery_rag": "amber", "outcome_rag": "not_rated", "status": "in_progress", "commentary": "Lost?"}
    response = submit(client, action.id, form, **data)

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    html = response.get_data(as_text=True)
    assert f'<h1 class="govuk-heading-l">{UNAVAILABLE}</h1>' in html
    assert "Nothing was saved." in html
    assert counts() == before
    db.session.refresh(action)
    assert action.delivery_rag is Rag.GREEN

    # No restart: the next requests get a working connection, and the same update saves.
    monkeypatch.undo()
    pinned_today("2015-07-01")
    assert client.get(f"/actions/{action.id}").status_code == 200
    assert submit(client, action.id, **data).status_code == 302
    assert counts()[0] == before[0] + 1


def test_connections_killed_while_idle_are_replaced_before_use(app, board_client, backend):
    """A database restart kills every pooled connection; pool_pre_ping finds them dead and connects afresh."""
    if backend != "postgresql":
        pytest.skip("SQLite has no server to restart")
    assert board_client.get("/plans").status_code == 200
    killer = create_engine(db.engine.url, isolation_level="AUTOCOMMIT")
    try:
        with killer.connect() as other:
            killed = other.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalar()
    finally:
        killer.dispose()
    assert killed >= 1
    for _ in range(3):
        assert board_client.get("/plans").status_code == 200


def test_the_unavailable_page_needs_no_database_even_for_a_signed_in_person(app, board_client, monkeypatch):
    """When the database is down before the person is even looked up, the page still renders (no menu)."""
    from sqlalchemy.exc import OperationalError

    from tracker import security

    def database_down(_session_id):
        raise OperationalError("SELECT", {}, Exception("could not connect to server"))

    monkeypatch.setattr(security.login_manager, "_user_callback", database_down)
    response = board_client.get("/plans")
    assert response.status_code == 503
    assert UNAVAILABLE in response.get_data(as_text=True)


def test_other_database_errors_are_not_dressed_up_as_unavailable(app, client, monkeypatch):
    from sqlalchemy.exc import IntegrityError

    from tracker.views import system

    def broken(*_args, **_kwargs):
        raise IntegrityError("INSERT", {}, Exception("duplicate key"))

    monkeypatch.setattr(system, "jsonify", broken)
    with pytest.raises(IntegrityError):  # under TESTING an unexpected error reaches the test
        client.get("/healthz")
    factories.make_user()  # and the test's own session is still usable
