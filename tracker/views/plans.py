"""The plans list and a plan page with its strands, objectives and actions."""

from __future__ import annotations

from itertools import groupby

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from tracker import clock
from tracker.access import allow_signed_in
from tracker.cycles import current_cycle
from tracker.extensions import db
from tracker.models import RAG_ORDER, Action, Objective, Plan, Rag, Strand
from tracker.permissions import visible_actions_clause
from tracker.queries.actions import ActionFilters, list_actions, plan_filter_choices
from tracker.queries.deadlines import plan_actions_needing_update

bp = Blueprint("plans", __name__)


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "").strip()
    # isascii: "²" and other Unicode digits pass isdigit() but not int(); the length keeps it a database integer.
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


def _rag_arg() -> Rag | None:
    try:
        return Rag(request.args.get("rag", "").strip())
    except ValueError:
        return None


@bp.get("/")
@allow_signed_in
def index():
    if "actions.my_actions" in bp_endpoints() and current_user.posts:
        return redirect(url_for("actions.my_actions"))
    return redirect(url_for("plans.list_plans"))


def bp_endpoints() -> set[str]:
    from flask import current_app

    return set(current_app.view_functions)


@bp.get("/plans")
@allow_signed_in
def list_plans():
    counts = (
        select(Strand.plan_id, func.count(Action.id).label("actions"))
        .join(Objective, Objective.strand_id == Strand.id)
        .join(Action, Action.objective_id == Objective.id)
        .where(visible_actions_clause(current_user))
        .group_by(Strand.plan_id)
        .subquery()
    )
    plans = db.session.execute(
        select(Plan, func.coalesce(counts.c.actions, 0))
        .outerjoin(counts, counts.c.plan_id == Plan.id)
        .order_by(Plan.name)
    ).all()
    return render_template("plans/index.html", plans=plans)


@bp.get("/plans/<int:plan_id>")
@allow_signed_in
def show(plan_id: int):
    plan = db.session.get(Plan, plan_id) or abort(404)
    filters = ActionFilters(plan_id=plan.id, strand_id=_int_arg("strand"), rag=_rag_arg(), agency_id=_int_arg("agency"))
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
