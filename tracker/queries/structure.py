"""The plan's structure above an action (objective, strand, plan), as one FROM clause written once."""

from __future__ import annotations

from sqlalchemy import Join
from sqlalchemy.orm import join

from tracker.models import Action, Objective, Plan, Strand


def action_to_strand() -> Join:
    """Action joined to its objective and strand (the plan id is Strand.plan_id): select_from() this."""
    return join(Action, Objective, Objective.id == Action.objective_id).join(Strand, Strand.id == Objective.strand_id)


def action_to_plan() -> Join:
    """action_to_strand, and the plan itself."""
    return action_to_strand().join(Plan, Plan.id == Strand.plan_id)
