"""Administrators read who signed in, who failed and what was locked (/admin/sign-in-events)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from tracker.access import allow
from tracker.models import Role
from tracker.queries.sign_in_events import sign_in_events

bp = Blueprint("sign_in_events", __name__, url_prefix="/admin")


@bp.get("/sign-in-events")
@allow(Role.ADMIN)
def index():
    before = request.args.get("before", "")
    if before and not (before.isascii() and before.isdigit() and len(before) < 10):
        abort(404)
    page = sign_in_events(before_id=int(before) if before else None)
    return render_template("admin/sign_in_events.html", page=page, is_first_page=not before)
