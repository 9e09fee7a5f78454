"""The administration log: every change to plans, structure, posts, agencies and people, and administrators' changes to actions."""

from __future__ import annotations

from flask import render_template, request

from tracker.access import allow
from tracker.models import Role
from tracker.queries.admin_log import SHOWN, admin_log, log_filter_choices
from tracker.views.admin import bp


def _id_arg(name: str) -> int | None:
    value = request.args.get(name, "").strip()
    return int(value) if value.isdigit() and len(value) < 12 else None


@bp.get("/log")
@allow(Role.ADMIN)
def log_page():
    plan_id, person_id = _id_arg("plan"), _id_arg("person")
    plans, admins = log_filter_choices()
    return render_template(
        "admin/log.html",
        lines=admin_log(plan_id, person_id),
        plans=plans,
        admins=admins,
        plan_id=plan_id,
        person_id=person_id,
        shown=SHOWN,
    )
