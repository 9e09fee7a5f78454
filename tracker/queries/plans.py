"""Reads for the plans list: each plan with how many of its actions the viewer may see (one query)."""

from __future__ import annotations

from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import Action, Objective, Plan, Strand, User
from tracker.permissions import visible_actions_clause


def plans_with_action_counts(viewer: User) -> list[tuple[Plan, int]]:
    """Every plan by name, with the number of its actions the viewer may see."""
    counts = (
        select(Strand.plan_id, func.count(Action.id).label("actions"))
        .join(Objective, Objective.strand_id == Strand.id)
        .join(Action, Action.objective_id == Objective.id)
        .where(visible_actions_clause(viewer))
        .group_by(Strand.plan_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Plan, func.coalesce(counts.c.actions, 0))
        .outerjoin(counts, counts.c.plan_id == Plan.id)
        .order_by(Plan.name)
    )
    return [(plan, count) for plan, count in rows]
