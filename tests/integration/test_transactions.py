"""The one transaction rule: services flush, a request commits once on success, anything else rolls back."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Response
from sqlalchemy import func, select

from tests import factories
from tracker import transactions
from tracker.extensions import db
from tracker.models import Agency

ROOT = Path(__file__).resolve().parents[2]


def _agencies() -> int:
    return db.session.scalar(select(func.count()).select_from(Agency))


@pytest.mark.parametrize(("status", "kept"), [(200, 1), (302, 1), (400, 0), (403, 0), (409, 0), (500, 0)])
def test_a_request_commits_only_a_success_or_a_redirect(app, status, kept):
    with app.test_request_context("/"):
        factories.make_agency("Changed during the request")  # flushed, as a service leaves it
        app.process_response(Response(status=status))
    db.session.remove()
    assert _agencies() == kept


def test_work_outside_the_database_is_undone_when_the_request_rolls_back(app):
    undone = []
    with app.test_request_context("/"):
        factories.make_agency()
        transactions.on_rollback(lambda: undone.append("file removed"))
        app.process_response(Response(status=409))
    assert undone == ["file removed"]


def test_work_outside_the_database_is_kept_when_the_request_commits(app):
    undone = []
    with app.test_request_context("/"):
        factories.make_agency()
        transactions.on_rollback(lambda: undone.append("file removed"))
        app.process_response(Response(status=200))
        db.session.rollback()  # a later rollback of a new, empty transaction undoes nothing
    assert undone == []


def test_the_test_client_catches_a_request_that_leaves_changes_uncommitted(app):
    with app.app_context():
        factories.make_agency()  # flushed and then the context ends with no commit
    assert app.extensions.pop("uncommitted_requests") == [True]


@pytest.mark.parametrize("package", ["services", "views", "queries", "forms", "reports", "importers"])
def test_only_requests_and_jobs_commit(package):
    """Services flush and views leave committing to the request; jobs and commands commit (jobs.py, cli.py)."""
    folder = ROOT / "tracker" / package
    committing = sorted(
        path.relative_to(ROOT).as_posix() for path in folder.rglob("*.py") if ".commit()" in path.read_text()
    )
    assert committing == []
