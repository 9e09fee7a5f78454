"""The plans list and a plan page with its strands, objectives and actions."""

from __future__ import annotations

from itertools import groupby

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user

from tracker import clock
from tracker.access import allow_signed_in
from tracker.cycles import current_cycle
from tracker.extensions import db
from tracker.models import RAG_ORDER, Plan, Rag
from tracker.queries.actions import ActionFilters, list_actions, plan_filter_choices
from tracker.queries.deadlines import plan_actions_needing_update
from tracker.queries.plans import plans_with_action_counts
from tracker.views.query_args import read_int, read_member

bp = Blueprint("plans", __name__)


@bp.get("/")
@allow_signed_in
def index():
    if current_user.posts:
        return redirect(url_for("actions.my_actions"))
    return redirect(url_for("plans.list_plans"))


@bp.get("/plans")
@allow_signed_in
def list_plans():
    return render_template("plans/index.html", plans=plans_with_action_counts(current_user))


@bp.get("/plans/<int:plan_id>")
@allow_signed_in
def show(plan_id: int):
    plan = db.session.get(Plan, plan_id) or abort(404)
    args = request.args
    filters = ActionFilters(
        plan_id=plan.id,
        strand_id=read_int(args.get("strand")),
        rag=read_member(Rag, args.get("rag")),
        agency_id=read_int(args.get("agency")),
    )
    today = clock.today()
    actions = list_actions(filters, current_user, today)
    strands, agencies = plan_filter_choices(plan.id)
    grouped = [
        (strand_name, [(objective, list(rows)) for objective, rows in groupby(strand_rows, key=_objective_key)])
        for strand_name, strand_rows in groupby(actions, key=lambda row: row.strand_name)
    ]
    return render_template(
        "plans/show.html",
        plan=plan,
        grouped=grouped,
        count=len(actions),
        filters=filters,
        strands=strands,
        agencies=agencies,
        rags=RAG_ORDER,
        filtered=any(v is not None for v in (filters.strand_id, filters.rag, filters.agency_id)),
        today=today,
        cycle=current_cycle(plan, today),
        not_updated=plan_actions_needing_update(plan.id, current_user, today),
    )


def _objective_key(row):
    return (row.objective_id, row.objective_number, row.objective_statement)
