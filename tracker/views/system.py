"""Health check, the favicon, and the GOV.UK Frontend's fonts and images."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, send_from_directory
from sqlalchemy import text

from tracker.access import public
from tracker.extensions import db

bp = Blueprint("system", __name__)


@bp.get("/healthz")
@public
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any database failure means "not healthy", never a stack trace
        current_app.logger.exception("Health check failed")
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


@bp.get("/assets/<path:filename>")
@public
def govuk_assets(filename: str):
    """govuk-frontend's CSS asks for its fonts and images under /assets."""
    return send_from_directory(current_app.static_folder + "/govuk/assets", filename, max_age=86400)


@bp.get("/favicon.ico")
@public
def favicon():
    """Browsers ask for /favicon.ico whatever the page links to: govuk-frontend's, from the built assets."""
    return send_from_directory(
        current_app.static_folder + "/govuk/assets/images", "favicon.ico", mimetype="image/x-icon", max_age=86400
    )
