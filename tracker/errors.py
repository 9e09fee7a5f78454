"""Friendly error pages: one handler for every error a person may meet."""

from __future__ import annotations

from flask import Flask, current_app, g, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from tracker.evidence_store import StoreUnavailable
from tracker.extensions import db, login_manager

MESSAGES = {
    400: ("There is a problem with your request", "Go back and try again. If it happens again, contact the board business team."),
    403: ("You do not have permission to see this page", "If you think you should, contact the board business team to check your role and posts."),
    404: ("Page not found", "If you typed the web address, check it is correct. If you pasted it, check you copied the entire address."),
    405: ("There is a problem with your request", "Go back and try again."),
    413: ("The file is too large", "Go back and choose a file smaller than 20 MB."),
    429: ("Too many attempts", "Wait a minute, then try again."),
    500: ("Sorry, there is a problem with the service", "Try again later. Nothing you entered in the last step has been saved."),
    503: ("Sorry, the service is unavailable", "Nothing was saved. Try again in a few minutes. If it keeps happening, contact the board business team."),
}  # fmt: skip

RETRY_AFTER_SECONDS = "60"


def _render(code: int, heading: str | None = None, body: str | None = None):
    default_heading, default_body = MESSAGES.get(code, MESSAGES[500])
    return render_template("errors/error.html", heading=heading or default_heading, body=body or default_body), code


def handle_http_error(error: HTTPException):
    code = error.code or 500
    if code >= 500:
        db.session.rollback()
    if isinstance(error, InternalServerError) and _database_unavailable(error.original_exception):
        # The database failed after the view, as the request committed.
        return _unavailable(error.original_exception)
    if code == 413 and request.endpoint == "imports.upload":
        return _render(
            413,
            "The file is too large to import",
            "Go back and choose a file smaller than 20 MB. For a large plan, save only its table as a CSV file and upload that.",
        )
    return _render(code)


def _database_unavailable(error: BaseException | None) -> bool:
    """The database could not be reached or dropped the connection: a fault of the moment, not of the request."""
    if not isinstance(error, DBAPIError):
        return False
    return error.connection_invalidated or isinstance(error, (OperationalError, InterfaceError))


def _unavailable(error: BaseException, what: str = "Database"):
    current_app.logger.error("%s unavailable; the request was rolled back: %s", what, error)
    # The session's transaction died with its connection; rolling back lets the next request start clean.
    db.session.rollback()
    # The page must not need the database: shown as to someone signed out (no menu to look up).
    g._login_user = login_manager.anonymous_user()
    page, status = _render(503)
    return page, status, {"Retry-After": RETRY_AFTER_SECONDS}


def handle_database_error(error: DBAPIError):
    if _database_unavailable(error):
        return _unavailable(error)
    raise error  # any other database error is a bug: the usual 500 page (and a failing test)


def handle_evidence_store_error(error: StoreUnavailable):
    return _unavailable(error, "Evidence storage")


def handle_csrf_error(_error: CSRFError):
    db.session.rollback()
    return _render(
        400,
        "Your form could not be saved",
        "The page had expired or was opened in another window. Go back, reload the page and try again.",
    )


def handle_unexpected(error: Exception):
    current_app.logger.exception("Unhandled error", exc_info=error)
    db.session.rollback()
    return handle_http_error(InternalServerError(original_exception=error))


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(DBAPIError, handle_database_error)
    app.register_error_handler(StoreUnavailable, handle_evidence_store_error)
    if not app.config.get("TESTING") or app.config.get("SHOW_500_PAGE"):
        app.register_error_handler(Exception, handle_unexpected)
