"""Administration of plans: create, rename, archive and restore."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for

from tracker.access import allow
from tracker.forms.admin_plans import ArchiveForm, PlanForm
from tracker.models import Plan, Role
from tracker.queries.admin_plans import plan_structure, plans_for_admin
from tracker.services.plans_admin import PlanChangeRejected, PlanSettings, create_plan, rename_plan, set_archived
from tracker.views.admin import bp
from tracker.views.admin.common import actor, get_or_404, refuse


@bp.get("/plans")
@allow(Role.ADMIN)
def plans():
    return render_template("admin/plans.html", plans=plans_for_admin())


@bp.route("/plans/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def new_plan():
    form = PlanForm()
    if form.validate_on_submit():
        try:
            plan = create_plan(
                actor(), PlanSettings(name=form.name.data or "", description=form.description.data or "")
            )
        except PlanChangeRejected as error:
            refuse(form, "name", str(error))
        else:
            flash(f"Plan “{plan.name}” created. Add its strands next.", "success")
            return redirect(url_for("admin.plan", plan_id=plan.id))
    return render_template(
        "admin/form.html",
        form=form,
        title="Create a plan",
        intro="Reporting dates and reminder settings can be set on the plan once it is created.",
        back=url_for("admin.plans"),
    )


@bp.get("/plans/<int:plan_id>")
@allow(Role.ADMIN)
def plan(plan_id: int):
    plan = get_or_404(Plan, plan_id)
    return render_template("admin/plan.html", plan=plan, strands=plan_structure(plan.id))


@bp.route("/plans/<int:plan_id>/edit", methods=["GET", "POST"])
@allow(Role.ADMIN)
def edit_plan(plan_id: int):
    plan = get_or_404(Plan, plan_id)
    form = PlanForm(data={"name": plan.name, "description": plan.description})
    if form.validate_on_submit():
        try:
            rename_plan(actor(), plan, form.name.data or "", form.description.data or "")
        except PlanChangeRejected as error:
            refuse(form, "name", str(error))
        else:
            flash("The plan's name and description have been saved.", "success")
            return redirect(url_for("admin.plan", plan_id=plan.id))
    return render_template(
        "admin/form.html",
        form=form,
        title="Rename the plan",
        caption=plan.name,
        back=url_for("admin.plan", plan_id=plan.id),
    )


@bp.route("/plans/<int:plan_id>/archive", methods=["GET", "POST"])
@allow(Role.ADMIN)
def archive_plan(plan_id: int):
    plan = get_or_404(Plan, plan_id)
    form = ArchiveForm()
    archived = plan.archived_at is not None
    form.submit.label.text = "Restore plan" if archived else "Archive plan"
    if form.validate_on_submit():
        set_archived(actor(), plan, not archived, form.reason.data or "")
        flash(f"“{plan.name}” has been {'restored' if archived else 'archived'}.", "success")
        return redirect(url_for("admin.plan", plan_id=plan.id))
    return render_template(
        "admin/form.html",
        form=form,
        title=f"{'Restore' if archived else 'Archive'} {plan.name}",
        caption=plan.name,
        intro=(
            "The plan comes back into the dashboard's default view."
            if archived
            else "An archived plan leaves the dashboard's default view and the plans list's current plans. "
            "Its actions and all their history stay readable; nothing is deleted. You can restore it later."
        ),
        warning=None if archived else "Owners will no longer see this plan among current plans.",
        back=url_for("admin.plan", plan_id=plan.id),
    )
