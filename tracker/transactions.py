"""The one transaction rule: services change the session and flush; a request commits once.

A request that changes data commits after its response is ready, and only when that response
is a success or a redirect (2xx/3xx); any other response, or an error, rolls everything back,
except a refusal (4xx) whose request asked to keep what it counted (keep_on_refusal).
Command-line jobs commit in their command. Nothing else calls commit.

Work outside the database that must not outlive a rolled-back transaction (an evidence file
written to storage) registers an undo with on_rollback().
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from tracker.extensions import db

_UNDO = "tracker_undo_on_rollback"
_UNSAVED = "tracker_flushed_not_committed"
_KEEP_ON_REFUSAL = "tracker_keep_on_refusal"


def on_rollback(undo: Callable[[], None]) -> None:
    """Run undo if the current transaction is rolled back instead of committed."""
    db.session.info.setdefault(_UNDO, []).append(undo)


def keep_on_refusal() -> None:
    """Commit this request's changes even if its response refuses it (4xx): a throttle's count of a refused
    attempt (a link that does not work) must outlive the refusal, or guessing would never be counted."""
    db.session.info[_KEEP_ON_REFUSAL] = True


def has_uncommitted_changes(session: Session) -> bool:
    """Whether the session holds changes, flushed or not, that no commit has saved."""
    return bool(session.new or session.dirty or session.deleted or session.info.get(_UNSAVED))


@event.listens_for(Session, "after_flush")
def _remember_flush(session: Session, _context) -> None:
    session.info[_UNSAVED] = True


@event.listens_for(Session, "after_commit")
def _forget_after_commit(session: Session) -> None:
    session.info.pop(_UNSAVED, None)
    session.info.pop(_UNDO, None)
    session.info.pop(_KEEP_ON_REFUSAL, None)


@event.listens_for(Session, "after_rollback")
def _undo_after_rollback(session: Session) -> None:
    session.info.pop(_UNSAVED, None)
    session.info.pop(_KEEP_ON_REFUSAL, None)
    for undo in session.info.pop(_UNDO, []):
        try:
            undo()
        except Exception:  # an undo that fails must not hide the error that caused the rollback
            current_app.logger.exception("Could not undo work after a rollback")


def _commit_on_success(response: Response) -> Response:
    if 200 <= response.status_code < 400 or (
        400 <= response.status_code < 500 and db.session.info.get(_KEEP_ON_REFUSAL)
    ):
        db.session.commit()
    else:
        db.session.rollback()
    return response


def _check_nothing_left(_exception: BaseException | None) -> None:
    """Tests: record any request that ends with changes no commit saved (a view that wrote after its response)."""
    if has_uncommitted_changes(db.session):
        current_app.extensions.setdefault("uncommitted_requests", []).append(True)
        db.session.rollback()


def init_app(app: Flask) -> None:
    app.after_request(_commit_on_success)
    if app.testing:
        # Registered after Flask-SQLAlchemy's own teardown, so it runs first, before the session goes.
        app.teardown_appcontext(_check_nothing_left)
