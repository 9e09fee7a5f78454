"""An action's own page."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user

from tracker import clock
from tracker.access import allow_signed_in
from tracker.extensions import db
from tracker.models import Action
from tracker.queries.actions import ActionFilters, list_actions

bp = Blueprint("actions", __name__)


@bp.get("/actions/<int:action_id>")
@allow_signed_in
def show(action_id: int):
    rows = list_actions(ActionFilters(action_ids=(action_id,)), current_user, clock.today())
    if not rows:
        abort(404)  # missing, or restricted from this user: neither is admitted to exist
    return render_template("actions/show.html", action=rows[0], record=db.session.get(Action, action_id))
