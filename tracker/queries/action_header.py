"""One action's heading, for the pages that work on it (recording progress, editing): one query.

The list machinery (tracker/queries/actions.py) reads owners, partners and past views for any
number of actions; a form about one action needs only its words, plan and ratings now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Action, Plan, Rag
from tracker.queries.structure import action_to_plan
from tracker.rag import EffectiveRag, effective_delivery_rag, is_overdue


@dataclass(frozen=True)
class ActionHeader:
    id: int
    text: str
    plan_id: int
    plan_name: str
    due_date: date | None
    outcome_rag: Rag
    effective: EffectiveRag
    is_overdue: bool


def action_header(action_id: int, today: date) -> ActionHeader | None:
    """The action's words, plan, due date and ratings as shown today; None if there is no such action."""
    row = db.session.execute(
        select(
            Action.id,
            Action.text,
            Plan.id,
            Plan.name,
            Action.due_date,
            Action.status,
            Action.delivery_rag,
            Action.outcome_rag,
        )
        .select_from(action_to_plan())
        .where(Action.id == action_id)
    ).one_or_none()
    if row is None:
        return None
    action_id, text, plan_id, plan_name, due_date, status, delivery_rag, outcome_rag = row
    return ActionHeader(
        id=action_id,
        text=text,
        plan_id=plan_id,
        plan_name=plan_name,
        due_date=due_date,
        outcome_rag=outcome_rag,
        effective=effective_delivery_rag(delivery_rag, status, due_date, today),
        is_overdue=is_overdue(status, due_date, today),
    )
