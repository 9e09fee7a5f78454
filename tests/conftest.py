"""Test fixtures: every database test runs on SQLite and on PostgreSQL, through the real migrations.

PostgreSQL comes from TEST_DATABASE_URL or the local server (postgres@127.0.0.1:5432/test);
each pytest worker gets a database of its own. Under CI=true it must be there: a missing
PostgreSQL fails the run instead of skipping.
"""

from __future__ import annotations

import contextvars
import os
import re
from collections.abc import Iterator
from datetime import date
from enum import Enum
from pathlib import Path
from urllib.parse import urlsplit

os.environ.setdefault("ARGON2_TIME_COST", "1")
os.environ.setdefault("ARGON2_MEMORY_COST_KIB", "1024")

import pytest
from bs4 import BeautifulSoup
from flask import Flask, has_app_context, url_for
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests import factories
from tracker import create_app
from tracker.extensions import db
from tracker.models import Role, User

IN_CI = os.environ.get("CI", "").lower() == "true"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _postgres_base_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL", DEFAULT_POSTGRES_URL)
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def _create_postgres_database(worker: str) -> str:
    base = make_url(_postgres_base_url())
    # TEST_DB_PREFIX keeps two checkouts' test runs on one server out of each other's way.
    name = f"{os.environ.get('TEST_DB_PREFIX', 'tracker_test')}_{worker}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        message = f"PostgreSQL is not reachable at {base.render_as_string(hide_password=True)}: {error}"
        if IN_CI:
            pytest.fail(message + " (CI=true requires it)")
        pytest.skip(message)
    finally:
        admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory, worker_id) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'tracker.db'}"
    return _create_postgres_database(worker_id)


@pytest.fixture(scope="session")
def _app(database_url, tmp_path_factory) -> Flask:
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-real-use",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "UPLOAD_FOLDER": str(tmp_path_factory.mktemp("evidence")),
        "SERVER_NAME": "tracker.test",
    })  # fmt: skip
    app.test_client_class = TrackerClient
    with app.app_context():
        upgrade()  # the real migrations, never create_all
    return app


def _empty_all_tables() -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(text(f"DELETE FROM {table}"))
    db.session.commit()


@pytest.fixture
def app(_app: Flask) -> Iterator[Flask]:
    """The app, inside an app context for the test's own database work; emptied afterwards."""
    with _app.app_context():
        yield _app
        db.session.rollback()
        _empty_all_tables()


@pytest.fixture
def backend(app) -> str:
    return db.engine.dialect.name


class TrackerClient(FlaskClient):
    """A test client whose requests run as they would in production.

    Each request gets a fresh app context (its own database session and its own Flask-Login
    user), even though the test holds one open; what the test set up is committed first.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            db.session.commit()
        response = contextvars.Context().run(super().open, *args, **kwargs)
        left = self.application.extensions.pop("uncommitted_requests", None)
        assert not left, "the request ended with changes that were neither committed nor rolled back"
        if has_app_context():
            db.session.expire_all()
            db.session.rollback()
        return response

    def csrf_token(self) -> str:
        page = self.get("/plans")
        if page.status_code != 200:
            page = self.get("/sign-in")
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True))
        if match is None:
            match = re.search(r'value="([^"]+)"[^>]*name="csrf_token"', page.get_data(as_text=True))
        assert match, "no CSRF token on the page"
        return match.group(1)

    def post_form(self, url: str, data: dict | None = None, **kwargs):
        """POST with a valid CSRF token, as a browser submitting the page's form would."""
        payload = {"csrf_token": self.csrf_token(), **(data or {})}
        return self.post(url, data=payload, **kwargs)

    def get_page(
        self, endpoint: str, _expected_status: int = 200, _expected_redirect: str | None = None, **values
    ) -> BeautifulSoup:
        """GET a page by endpoint name (values fill the route and the query string); see checked_page."""
        response = self.get(url_for(endpoint, **values))
        return checked_page(response, _expected_status, _expected_redirect)

    def post_page(
        self,
        endpoint: str,
        data: dict | None = None,
        _expected_status: int = 200,
        _expected_redirect: str | None = None,
        **values,
    ) -> BeautifulSoup:
        """POST the page's form (with its CSRF token) by endpoint name; see checked_page."""
        response = self.post_form(url_for(endpoint, **values), data)
        return checked_page(response, _expected_status, _expected_redirect)

    def sign_in(self, user: User, password: str = factories.PASSWORD):
        response = self.post_form("/sign-in", {"email": user.email, "password": password})
        assert response.status_code == 302, "sign-in failed"
        return response


def _path_and_query(url: str) -> str:
    """ "/plans?x=1" from an address with or without scheme and host (url_for in tests gives both)."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def checked_page(response, expected_status: int = 200, expected_redirect: str | None = None) -> BeautifulSoup:
    """Check the status (or, when given, the redirect's target), then parse the page.

    A page has exactly one h1 and a title that says something; a redirect is checked by where
    it goes (its path and query string), when given, and its body returned unchecked.
    """
    if expected_redirect is not None:
        assert response.status_code in (301, 302, 303), (response.status_code, expected_redirect)
        assert _path_and_query(response.location) == _path_and_query(expected_redirect), (
            response.location,
            expected_redirect,
        )
        return BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert response.status_code == expected_status, (response.status_code, response.location)
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    if 300 <= expected_status < 400:
        return page  # a redirect, wherever it goes: no page of its own
    headings = page.select("h1")
    assert len(headings) == 1, f"a page has one h1, not {len(headings)}: {[h.text.strip() for h in headings]}"
    title = page.select_one("title")
    assert title is not None and title.text.strip(), "the page has no title"
    return page


@pytest.fixture
def client(app) -> TrackerClient:
    return app.test_client()


def _client_for(app, role: Role, **user_fields) -> TrackerClient:
    user = factories.make_user(role=role, **user_fields)
    client = app.test_client()
    client.sign_in(user)
    client.user = user  # type: ignore[attr-defined]
    return client


@pytest.fixture
def admin_client(app) -> TrackerClient:
    return _client_for(app, Role.ADMIN)


@pytest.fixture
def owner_client(app) -> TrackerClient:
    return _client_for(app, Role.OWNER)


@pytest.fixture
def board_client(app) -> TrackerClient:
    return _client_for(app, Role.BOARD)


@pytest.fixture
def scrutiny_client(app) -> TrackerClient:
    return _client_for(app, Role.SCRUTINY)


@pytest.fixture
def client_as(app):
    """client_as(Role.OWNER, posts=[post]) -> a signed-in client for a new user."""

    def make(role: Role, **user_fields) -> TrackerClient:
        return _client_for(app, role, **user_fields)

    return make


@pytest.fixture
def coventry(app):
    """The Coventry 2015 plan, loaded through the demo loader (and so the CSV import path)."""
    from tracker.demo import load_demo_plan

    result = load_demo_plan()
    db.session.commit()
    return result.plan


@pytest.fixture
def pinned_today(monkeypatch):
    """pinned_today("2015-09-30") sets the tracker's clock for the test."""

    def pin(day: str) -> None:
        monkeypatch.setenv("TRACKER_TODAY", day)

    return pin


ROOT = Path(__file__).resolve().parent.parent


def _readable(value) -> str | None:
    if isinstance(value, date):  # a datetime is a date too
        return value.isoformat()
    if isinstance(value, str | int | float | bool | Enum) or value is None:
        return str(value.value if isinstance(value, Enum) else value)
    if isinstance(value, list | tuple | set | frozenset):
        parts = [_readable(item) for item in value]
        if None in parts:
            return None
        # A set's order changes from one process to the next (string hashing is salted): sort it.
        return ",".join(sorted(parts) if isinstance(value, set | frozenset) else parts)
    if isinstance(value, dict):
        parts = [_readable(item) for item in value.values()]
        return None if None in parts else ";".join(f"{key}={part}" for key, part in zip(value, parts, strict=True))
    return None


def pytest_make_parametrize_id(config, val, argname):
    """Test ids as readable text (2015-07-01, "31,2,2016", "reason=x") where pytest would number them.

    Only values that read the same in every process: the ids must match across xdist workers
    (scripts/check_test_ids.py). Anything else is left to pytest, or to the test's own ids=.
    """
    if isinstance(val, date | list | tuple | set | frozenset | dict):
        return _readable(val)
    return None
