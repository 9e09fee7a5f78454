"""Administration of a plan's structure: strands, sub-objectives and actions (add, rename, reorder, move, cancel)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from tracker.access import allow
from tracker.forms.admin_plans import CancelActionForm, MoveActionForm, NewActionForm, ObjectiveForm, StrandForm
from tracker.models import Action, Objective, Plan, Role, Status, Strand
from tracker.queries.admin_people import agency_choices, post_choices
from tracker.queries.admin_plans import objective_choices
from tracker.services.plans_admin import (
    PlanChangeRejected,
    add_action,
    add_objective,
    add_strand,
    cancel_action,
    edit_objective,
    move_action,
    move_action_in_order,
    move_objective,
    move_strand,
    rename_strand,
)
from tracker.views.admin import bp
from tracker.views.admin.common import actor, get_or_404, refuse


def _direction() -> str:
    direction = request.form.get("direction", "")
    if direction not in ("up", "down"):
        abort(400)
    return direction


def _to_plan(plan_id: int, anchor: str = ""):
    return redirect(url_for("admin.plan", plan_id=plan_id, _anchor=anchor or None))


# --- strands ------------------------------------------------------------------------------------


@bp.route("/plans/<int:plan_id>/strands/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def new_strand(plan_id: int):
    plan = get_or_404(Plan, plan_id)
    form = StrandForm()
    if form.validate_on_submit():
        try:
            strand = add_strand(actor(), plan, form.name.data or "")
        except PlanChangeRejected as error:
            refuse(form, "name", str(error))
        else:
            flash(f"Strand “{strand.name}” added.", "success")
            return _to_plan(plan.id, f"strand-{strand.id}")
    return render_template(
        "admin/form.html",
        form=form,
        title="Add a strand",
        caption=plan.name,
        back=url_for("admin.plan", plan_id=plan.id),
    )


@bp.route("/strands/<int:strand_id>/edit", methods=["GET", "POST"])
@allow(Role.ADMIN)
def edit_strand(strand_id: int):
    strand = get_or_404(Strand, strand_id)
    form = StrandForm(data={"name": strand.name})
    if form.validate_on_submit():
        try:
            rename_strand(actor(), strand, form.name.data or "")
        except PlanChangeRejected as error:
            refuse(form, "name", str(error))
        else:
            flash("The strand's name has been saved.", "success")
            return _to_plan(strand.plan_id, f"strand-{strand.id}")
    return render_template(
        "admin/form.html",
        form=form,
        title="Rename the strand",
        caption=strand.plan.name,
        back=url_for("admin.plan", plan_id=strand.plan_id),
    )


@bp.post("/strands/<int:strand_id>/move")
@allow(Role.ADMIN)
def move_strand_view(strand_id: int):
    strand = get_or_404(Strand, strand_id)
    move_strand(actor(), strand, _direction())
    return _to_plan(strand.plan_id, f"strand-{strand.id}")


# --- sub-objectives -----------------------------------------------------------------------------


@bp.route("/strands/<int:strand_id>/objectives/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def new_objective(strand_id: int):
    strand = get_or_404(Strand, strand_id)
    form = ObjectiveForm()
    if form.validate_on_submit():
        try:
            objective = add_objective(actor(), strand, form.number.data, form.statement.data or "")
        except PlanChangeRejected as error:
            refuse(form, "statement", str(error))
        else:
            flash("Sub-objective added.", "success")
            return _to_plan(strand.plan_id, f"objective-{objective.id}")
    return render_template(
        "admin/form.html",
        form=form,
        title="Add a sub-objective",
        caption=f"{strand.plan.name}: {strand.name}",
        back=url_for("admin.plan", plan_id=strand.plan_id),
    )


@bp.route("/objectives/<int:objective_id>/edit", methods=["GET", "POST"])
@allow(Role.ADMIN)
def edit_objective_view(objective_id: int):
    objective = get_or_404(Objective, objective_id)
    form = ObjectiveForm(data={"number": objective.number, "statement": objective.statement})
    if form.validate_on_submit():
        try:
            edit_objective(actor(), objective, form.number.data, form.statement.data or "")
        except PlanChangeRejected as error:
            refuse(form, "statement", str(error))
        else:
            flash("The sub-objective has been saved.", "success")
            return _to_plan(objective.strand.plan_id, f"objective-{objective.id}")
    return render_template(
        "admin/form.html",
        form=form,
        title="Change the sub-objective",
        caption=f"{objective.strand.plan.name}: {objective.strand.name}",
        back=url_for("admin.plan", plan_id=objective.strand.plan_id),
    )


@bp.post("/objectives/<int:objective_id>/move")
@allow(Role.ADMIN)
def move_objective_view(objective_id: int):
    objective = get_or_404(Objective, objective_id)
    move_objective(actor(), objective, _direction())
    return _to_plan(objective.strand.plan_id, f"objective-{objective.id}")


# --- actions ------------------------------------------------------------------------------------


@bp.route("/objectives/<int:objective_id>/actions/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def new_action(objective_id: int):
    objective = get_or_404(Objective, objective_id)
    form = NewActionForm()
    form.load_choices(post_choices(), agency_choices())
    if form.validate_on_submit():
        try:
            action = add_action(actor(), objective, form.new_action())
        except PlanChangeRejected as error:
            refuse(form, "text", str(error))
        else:
            flash(f"{action.label} added.", "success")
            return redirect(url_for("actions.show", action_id=action.id))
    return render_template(
        "admin/form.html",
        form=form,
        title="Add an action",
        caption=f"{objective.strand.plan.name}: {objective.title}",
        back=url_for("admin.plan", plan_id=objective.strand.plan_id),
    )


def _action_in_plan(action_id: int) -> Action:
    return get_or_404(Action, action_id)


@bp.route("/actions/<int:action_id>/move", methods=["GET", "POST"])
@allow(Role.ADMIN)
def move_action_view(action_id: int):
    action = _action_in_plan(action_id)
    plan_id = action.objective.strand.plan_id
    form = MoveActionForm(data={"objective": action.objective_id})
    # Only this plan's sub-objectives are offered, and only they are accepted: an id from another
    # plan typed into the form is refused with the list's message.
    form.objective.choices = objective_choices(plan_id)
    if form.validate_on_submit():
        objective = get_or_404(Objective, form.objective.data)
        try:
            move_action(actor(), action, objective, form.reason.data or "")
        except PlanChangeRejected as error:
            refuse(form, "objective", str(error))
        else:
            flash(f"{action.label} moved.", "success")
            return redirect(url_for("actions.show", action_id=action.id))
    return render_template(
        "admin/form.html",
        form=form,
        title="Move the action to another sub-objective",
        caption=action.label,
        back=url_for("actions.show", action_id=action.id),
    )


@bp.post("/actions/<int:action_id>/reorder")
@allow(Role.ADMIN)
def reorder_action(action_id: int):
    action = _action_in_plan(action_id)
    move_action_in_order(actor(), action, _direction())
    return _to_plan(action.objective.strand.plan_id, f"action-{action.id}")


@bp.route("/actions/<int:action_id>/cancel", methods=["GET", "POST"])
@allow(Role.ADMIN)
def cancel_action_view(action_id: int):
    action = _action_in_plan(action_id)
    if action.status is Status.CANCELLED:
        flash(f"{action.label} is already cancelled.", "info")
        return redirect(url_for("actions.show", action_id=action.id))
    form = CancelActionForm()
    if form.validate_on_submit():
        try:
            cancel_action(actor(), action, form.reason.data or "")
        except PlanChangeRejected as error:
            refuse(form, "reason", str(error))
        else:
            flash(f"{action.label} has been cancelled.", "success")
            return redirect(url_for("actions.show", action_id=action.id))
    return render_template(
        "admin/form.html",
        form=form,
        title=f"Cancel {action.label}",
        caption=action.objective.strand.plan.name,
        intro=action.text,
        warning="A cancelled action leaves the counts of live actions. It stays on the plan with its history.",
        back=url_for("actions.show", action_id=action.id),
        destructive=True,
    )
