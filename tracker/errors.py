"""Friendly error pages: one handler for every error a person may meet."""

from __future__ import annotations

from flask import Flask, current_app, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from tracker.extensions import db

MESSAGES = {
    400: ("There is a problem with your request", "Go back and try again. If it happens again, contact the board business team."),
    403: ("You do not have permission to see this page", "If you think you should, contact the board business team to check your role and posts."),
    404: ("Page not found", "If you typed the web address, check it is correct. If you pasted it, check you copied the entire address."),
    405: ("There is a problem with your request", "Go back and try again."),
    413: ("The file is too large", "Go back and choose a file smaller than 20 MB."),
    429: ("Too many attempts", "Wait a minute, then try again."),
    500: ("Sorry, there is a problem with the service", "Try again later. Nothing you entered in the last step has been saved."),
}  # fmt: skip


def _render(code: int, heading: str | None = None, body: str | None = None):
    default_heading, default_body = MESSAGES.get(code, MESSAGES[500])
    return render_template("errors/error.html", heading=heading or default_heading, body=body or default_body), code


def handle_http_error(error: HTTPException):
    code = error.code or 500
    if code >= 500:
        db.session.rollback()
    if code == 413 and request.endpoint == "imports.upload":
        return _render(
            413,
            "The file is too large to import",
            "Go back and choose a file smaller than 20 MB. For a large plan, save only its table as a CSV file and upload that.",
        )
    return _render(code)


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
    if not app.config.get("TESTING") or app.config.get("SHOW_500_PAGE"):
        app.register_error_handler(Exception, handle_unexpected)
