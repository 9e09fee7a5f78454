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
from tracker.views.past_view import BadAsAt, bad_as_at_page, read_past_view
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
    try:
        past = read_past_view(request)
    except BadAsAt as error:
        return bad_as_at_page(error, url_for("plans.show", plan_id=plan_id))
    args = request.args
    filters = ActionFilters(
        plan_id=plan.id,
        strand_id=read_int(args.get("strand")),
        rag=read_member(Rag, args.get("rag")),
        agency_id=read_int(args.get("agency")),
        as_at=past.day if past else None,
    )
    today = clock.today()
    day = past.day if past else today
    actions = list_actions(filters, current_user, today)
    strands, agencies = plan_filter_choices(plan.id)
    grouped = [
        (strand_name, [(objective, list(rows)) for objective, rows in groupby(strand_rows, key=_objective_key)])
        for strand_name, strand_rows in groupby(actions, key=lambda row: row.strand_name)
    ]
    cycle = current_cycle(plan, day)
    if past:
        # Whether each action shown owed an update then, from its state rebuilt as at that day.
        not_updated = {row.id for row in actions if cycle.needs_update(row.last_progress_at, row.status)}
    else:
        not_updated = plan_actions_needing_update(plan.id, current_user, today)
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
        today=day,
        past=past,
        past_args=past.query if past else {},
        today_link=url_for("plans.show", plan_id=plan.id),
        cycle=cycle,
        not_updated=not_updated,
    )


def _objective_key(row):
    return (row.objective_id, row.objective_number, row.objective_statement)
