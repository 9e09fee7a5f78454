"""Due dates that hold: owners ask to move one, the co-ordinator decides; a plan's reporting dates and reminders."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from tracker import clock
from tracker.access import allow
from tracker.extensions import db
from tracker.formatting import format_date
from tracker.forms.deadlines import (
    DeadlineSettingsForm,
    DecisionForm,
    DueDateChangeForm,
    DueDateRequestForm,
    ReportingDateForm,
)
from tracker.forms.fields import show_problems
from tracker.models import Action, DeadlineChange, Plan, RequestState, Role
from tracker.permissions import can_change_due_dates, can_request_due_date_change, can_view_action
from tracker.queries.deadlines import (
    ActionCycle,
    DeadlineRecord,
    action_cycle,
    deadline_record,
    deadline_request,
    pending_requests,
    recent_decisions,
    reporting_dates,
)
from tracker.services.deadlines import (
    approve_request,
    change_due_date_directly,
    refuse_request,
    request_due_date_change,
)
from tracker.services.refusal import Refused
from tracker.services.reporting import (
    add_reporting_date,
    remove_reporting_date,
    update_deadline_settings,
)

bp = Blueprint("deadlines", __name__)


# --- the action page's panel ---------------------------------------------------------------------


@dataclass(frozen=True)
class DeadlinePanel:
    record: DeadlineRecord
    cycle: ActionCycle | None
    can_change: bool  # administrator: changes the date directly
    can_request: bool  # owner of this action: asks for a new date


@bp.app_template_global("deadline_panel")
def deadline_panel(action_id: int) -> DeadlinePanel:
    """What templates/actions/_deadlines.html shows (a fixed handful of queries)."""
    can_change = can_change_due_dates(current_user)
    return DeadlinePanel(
        record=deadline_record(action_id),
        cycle=action_cycle(action_id, clock.today()),
        can_change=can_change,
        can_request=not can_change and can_request_due_date_change(current_user, action_id),
    )


# --- moving a due date ---------------------------------------------------------------------------


@bp.route("/actions/<int:action_id>/due-date", methods=["GET", "POST"])
@allow(Role.ADMIN, Role.OWNER)
def change_due_date(action_id: int):
    """Administrators change the date (with a reason); owners of the action ask the co-ordinator to."""
    action = db.session.get(Action, action_id)
    if action is None or not can_view_action(current_user, action):
        abort(404)
    direct = can_change_due_dates(current_user)
    if not direct and not can_request_due_date_change(current_user, action.id):
        abort(403)
    form = DueDateChangeForm() if direct else DueDateRequestForm()
    record = deadline_record(action.id)
    if form.validate_on_submit():
        new_date = form.new_due_date.data
        try:
            if direct:
                change_due_date_directly(action, new_date, current_user, form.reason.data or "")
                message = f"The due date of {action.label} is now {format_date(new_date)}."
            else:
                request_due_date_change(action, new_date, current_user, form.reason.data or "")
                message = (
                    f"Your request to move the due date to {format_date(new_date)} has been sent to the "
                    "co-ordinator. The due date stays as it is until they approve it."
                )
        except Refused as error:
            db.session.rollback()
            show_problems(form, {error.field: str(error)})
        else:
            flash(message, "success")
            return redirect(url_for("actions.show", action_id=action.id))
        action = db.session.get(Action, action_id)
    return render_template("deadlines/change.html", form=form, action=action, record=record, direct=direct)


# --- the co-ordinator's queue --------------------------------------------------------------------


@bp.get("/deadline-requests")
@allow(Role.ADMIN)
def requests():
    return render_template("deadlines/requests.html", pending=pending_requests(), decided=recent_decisions())


@bp.route("/deadline-requests/<int:change_id>", methods=["GET", "POST"])
@allow(Role.ADMIN)
def decide(change_id: int):
    row = deadline_request(change_id) or abort(404)
    form = DecisionForm()
    if row.event.state is RequestState.PENDING and form.validate_on_submit():
        change = db.session.get(DeadlineChange, change_id) or abort(404)
        try:
            if form.decision.data == "approve":
                approve_request(change, current_user, form.comment.data or "")
                message = f"Approved: the due date of {_row_label(row)} is now {format_date(row.event.new_due_date)}."
            else:
                refuse_request(change, current_user, form.comment.data or "")
                message = f"Refused: the due date of {_row_label(row)} stays as it was."
        except Refused as error:
            db.session.rollback()
            show_problems(form, {error.field: str(error)})
            row = deadline_request(change_id) or abort(404)
        else:
            flash(message, "success")
            return redirect(url_for("deadlines.requests"))
    return render_template("deadlines/decide.html", row=row, form=form, record=deadline_record(row.action_id))


def _row_label(row) -> str:
    return f"action {row.action_reference}" if row.action_reference else "the action"


# --- a plan's reporting dates and settings -------------------------------------------------------


@bp.route("/plans/<int:plan_id>/reporting-dates", methods=["GET", "POST"])
@allow(Role.ADMIN)
def reporting_dates_page(plan_id: int):
    plan = db.session.get(Plan, plan_id) or abort(404)
    form = ReportingDateForm()
    if form.validate_on_submit():
        try:
            added = add_reporting_date(
                plan, form.meeting_name.data or "", form.meeting_date.data, form.updates_due_date.data
            )
        except Refused as error:
            db.session.rollback()
            show_problems(form, {error.field: str(error)})
        else:
            flash(
                f"Added {added.meeting_name} on {format_date(added.meeting_date)}, "
                f"updates due by {format_date(added.updates_due_date)}.",
                "success",
            )
            return redirect(url_for("deadlines.reporting_dates_page", plan_id=plan.id))
    return render_template(
        "deadlines/reporting_dates.html",
        plan=plan,
        form=form,
        dates=reporting_dates(plan.id),
        today=clock.today(),
    )


@bp.post("/plans/<int:plan_id>/reporting-dates/<int:date_id>/remove")
@allow(Role.ADMIN)
def remove_reporting_date_page(plan_id: int, date_id: int):
    plan = db.session.get(Plan, plan_id) or abort(404)
    removed = remove_reporting_date(plan, date_id)
    if removed is not None:
        flash(f"Removed {removed.meeting_name} on {format_date(removed.meeting_date)}.", "success")
    return redirect(url_for("deadlines.reporting_dates_page", plan_id=plan.id))


@bp.route("/plans/<int:plan_id>/deadline-settings", methods=["GET", "POST"])
@allow(Role.ADMIN)
def settings(plan_id: int):
    plan = db.session.get(Plan, plan_id) or abort(404)
    form = DeadlineSettingsForm(obj=plan)
    if form.validate_on_submit():
        try:
            update_deadline_settings(
                plan,
                form.escalate_to_red_after_days.data,
                form.remind_due_within_days.data,
                form.remind_update_within_days.data,
            )
        except Refused as error:
            db.session.rollback()
            show_problems(form, {error.field: str(error)})
        else:
            flash("Escalation and reminder settings saved.", "success")
            return redirect(url_for("plans.show", plan_id=plan.id))
    return render_template("deadlines/settings.html", plan=plan, form=form)
