"""Actions: an action's page, "my actions", recording progress, evidence, and the administrator's edit."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker import clock
from tracker.access import allow, allow_signed_in
from tracker.extensions import db
from tracker.forms.action_edit import ActionEditForm
from tracker.forms.progress import ProgressUpdateForm
from tracker.models import Action, Evidence, Role, User
from tracker.permissions import can_edit_action, can_update_action, can_verify_evidence, can_view_action
from tracker.queries import my_actions as my_actions_query
from tracker.queries.action_activity import action_evidence, action_history, action_updates
from tracker.queries.action_header import ActionHeader, action_header
from tracker.queries.actions import ActionFilters, list_actions
from tracker.services.action_edit import ActionEditRejected, edit_action
from tracker.services.evidence import content_disposition, download_name, open_file
from tracker.services.progress import ProgressRejected, record_progress_update, verify_evidence
from tracker.services.versioning import StaleAction, is_current
from tracker.views.past_view import BadAsAt, PastView, bad_as_at_page, read_past_view

bp = Blueprint("actions", __name__)

# How many recent changes to show after a conflict when the form did not say when it was opened.
RECENT_CHANGES = 10
# How much of a long-running action's record its page shows before offering the rest.
UPDATES_SHOWN = 50
HISTORY_SHOWN = 100


def _user() -> User:
    return current_user._get_current_object()  # the model itself, for services and permissions


def _action_row(action_id: int, past: PastView | None = None):
    """The action as list pages see it (owners, effective RAG), as it stood on a past day when asked.

    404 if missing or hidden from this user, or (in a past view) not yet added then.
    """
    filters = ActionFilters(action_ids=(action_id,), as_at=past.day if past else None)
    rows = list_actions(filters, _user(), clock.today())
    if not rows:
        abort(404)  # missing, or restricted from this user: neither is admitted to exist
    return rows[0]


def _action_to_update(action_id: int) -> Action:
    action = db.session.get(Action, action_id)
    if action is None or not can_view_action(_user(), action):
        abort(404)
    if not can_update_action(_user(), action):
        abort(403)
    return action


def _latest(rows: list, everything: bool, shown: int) -> tuple[list, bool]:
    """The rows to show and whether there are more (queried one past the limit)."""
    return (rows, False) if everything else (rows[:shown], len(rows) > shown)


@bp.get("/actions/<int:action_id>")
@allow_signed_in
def show(action_id: int):
    try:
        past = read_past_view(request)
    except BadAsAt as error:
        return bad_as_at_page(error, url_for("actions.show", action_id=action_id))
    row = _action_row(action_id, past)
    record = db.session.get(Action, action_id)
    until = past.moment if past else None
    evidence = action_evidence(action_id, until=until)
    # A long-running action keeps its page quick: the latest entries, with a link to all of them.
    all_updates, all_history = request.args.get("updates") == "all", request.args.get("history") == "all"
    updates, more_updates = _latest(
        action_updates(action_id, evidence, None if all_updates else UPDATES_SHOWN + 1, until=until),
        all_updates,
        UPDATES_SHOWN,
    )
    history, more_history = _latest(
        action_history(action_id, limit=None if all_history else HISTORY_SHOWN + 1, until=until),
        all_history,
        HISTORY_SHOWN,
    )
    # A past view is a record of what was: nothing on it can be changed.
    return render_template(
        "actions/show.html",
        action=row,
        record=record,
        updates=updates,
        more_updates=more_updates,
        shown_update_ids={update.id for update in updates},
        evidence=evidence,
        history=history,
        more_history=more_history,
        past=past,
        past_args=past.query if past else {},
        today_link=url_for("actions.show", action_id=action_id),
        can_update=past is None and can_update_action(_user(), record),
        can_edit=past is None and can_edit_action(_user()),
        can_verify=past is None and can_verify_evidence(_user()),
    )


@bp.get("/my-actions")
@allow_signed_in
def my_actions():
    user = _user()
    return render_template(
        "actions/my_actions.html",
        mine=my_actions_query.my_actions(user, clock.today()),
        posts=sorted(post.name for post in user.posts),
        can_update=user.role in (Role.OWNER, Role.ADMIN),
        today=clock.today(),
    )


def _changes_since(action_id: int, opened_at: datetime | None):
    if opened_at is None:
        return action_history(action_id, limit=RECENT_CHANGES)
    return action_history(action_id, since=opened_at)


def _header(action_id: int) -> ActionHeader:
    """The heading of a page about one action the view has already found and checked."""
    return action_header(action_id, clock.today()) or abort(404)


def _render_update(action: Action, form: ProgressUpdateForm):
    # Form errors are shown with 200, as GOV.UK services do: the page is the answer, not a failure.
    return render_template("actions/update.html", action=_header(action.id), record=action, form=form, conflict=None)


@bp.route("/actions/<int:action_id>/update", methods=["GET", "POST"])
@allow(Role.OWNER, Role.ADMIN)
def update(action_id: int):
    action = _action_to_update(action_id)
    if request.method == "GET":
        return _render_update(action, ProgressUpdateForm.for_action(action, clock.now()))

    form = ProgressUpdateForm()
    if not is_current(action, form.opened_version):
        # What changed comes first: the rules may read differently once the owner has seen it.
        return _render_conflict(action_id, form)
    form.validate_on_submit()
    if not form.shape_is_valid_for_rules():
        return _render_update(action, form)
    try:
        # The service checks the rules, also when the form refused something, so all is shown at once.
        record_progress_update(action, form.submission(), _user(), form.opened_version)
    except StaleAction:
        return _render_conflict(action_id, form)
    except ProgressRejected as rejected:
        form.add_problems(rejected.problems)
        return _render_update(action, form)
    flash("Your progress update has been saved.", "success")
    return redirect(url_for("actions.show", action_id=action_id, _anchor="updates"))


def _render_conflict(action_id: int, form: ProgressUpdateForm | ActionEditForm, template: str = "actions/update.html"):
    """Show who changed what since the form was opened; the user's own text stays in the form."""
    db.session.rollback()
    action = db.session.get(Action, action_id)
    if action is None:
        abort(404)
    changes = _changes_since(action_id, form.opened_time)
    form.stamp(action, clock.now())  # a second save is a decision made knowing these changes
    return render_template(template, action=_header(action_id), record=action, form=form, conflict=changes), 409


@bp.route("/actions/<int:action_id>/edit", methods=["GET", "POST"])
@allow(Role.ADMIN)
def edit(action_id: int):
    action = db.session.get(Action, action_id) or abort(404)
    if request.method == "GET":
        form = ActionEditForm.for_action(action, clock.now())
        return render_template("actions/edit.html", action=_header(action_id), record=action, form=form, conflict=None)

    form = ActionEditForm()
    form.load_choices()
    if not is_current(action, form.opened_version):
        return _render_conflict(action_id, form, "actions/edit.html")
    if form.validate_on_submit():
        try:
            changed = edit_action(action, form.edit(), _user(), form.opened_version)
        except StaleAction:
            return _render_conflict(action_id, form, "actions/edit.html")
        except ActionEditRejected as rejected:
            form.add_problems(rejected.problems)
        else:
            flash("The action has been changed." if changed else "Nothing was changed.", "success")
            return redirect(url_for("actions.show", action_id=action_id, _anchor="history"))
    return render_template("actions/edit.html", action=_header(action_id), record=action, form=form, conflict=None)


def _visible_evidence(evidence_id: int) -> Evidence:
    evidence = db.session.get(Evidence, evidence_id)
    action = db.session.get(Action, evidence.action_id) if evidence else None
    if evidence is None or action is None or not can_view_action(_user(), action):
        abort(404)
    return evidence


@bp.get("/evidence/<int:evidence_id>/download")
@allow_signed_in
def download_evidence(evidence_id: int):
    evidence = _visible_evidence(evidence_id)
    if evidence.kind != "file" or not evidence.stored_name:
        abort(404)
    stored = open_file(evidence.stored_name, evidence.storage)
    if stored is None:
        current_app.logger.error("Evidence %s: stored file %s is missing", evidence.id, evidence.stored_name)
        abort(404)
    name = download_name(evidence.original_filename, evidence.content_type)
    # Sent a part at a time from whichever store holds it; the headers are the same for all.
    response = Response(
        stored.chunks, mimetype=evidence.content_type or "application/octet-stream", direct_passthrough=True
    )
    response.content_length = stored.size
    response.headers["Content-Disposition"] = content_disposition(name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/evidence/<int:evidence_id>/verify")
@allow(Role.ADMIN)
def verify(evidence_id: int):
    evidence = _visible_evidence(evidence_id)
    action_id = evidence.action_id
    title = evidence.title
    if verify_evidence(evidence, _user()):
        flash(f"“{title}” is marked as verified.", "success")
    else:
        flash(f"“{title}” was already verified.", "info")
    return redirect(url_for("actions.show", action_id=action_id, _anchor="evidence"))
