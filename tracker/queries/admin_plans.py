"""Reads for the plan administration pages: a plan's whole structure in three queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import Action, Objective, Plan, Status, Strand


@dataclass
class ActionLine:
    id: int
    label: str
    text: str
    status: Status


@dataclass
class ObjectiveLine:
    id: int
    number: int | None
    statement: str
    title: str
    actions: list[ActionLine] = field(default_factory=list)


@dataclass
class StrandLine:
    id: int
    name: str
    objectives: list[ObjectiveLine] = field(default_factory=list)


def plan_structure(plan_id: int) -> list[StrandLine]:
    """The plan's strands, sub-objectives and actions in their order (cancelled actions included)."""
    strands = {
        strand.id: StrandLine(strand.id, strand.name)
        for strand in db.session.scalars(
            select(Strand).where(Strand.plan_id == plan_id).order_by(Strand.position, Strand.id)
        )
    }
    objectives: dict[int, ObjectiveLine] = {}
    for objective in db.session.scalars(
        select(Objective).where(Objective.strand_id.in_(list(strands))).order_by(Objective.position, Objective.id)
    ):
        line = ObjectiveLine(objective.id, objective.number, objective.statement, objective.title or "(no statement)")
        objectives[objective.id] = line
        strands[objective.strand_id].objectives.append(line)
    for action in db.session.scalars(
        select(Action).where(Action.objective_id.in_(list(objectives))).order_by(Action.position, Action.id)
    ):
        objectives[action.objective_id].actions.append(ActionLine(action.id, action.label, action.text, action.status))
    return list(strands.values())


def objective_choices(plan_id: int) -> list[tuple[int, str]]:
    """Every sub-objective of the plan as "Strand: 1. Statement", for moving an action."""
    rows = db.session.execute(
        select(Objective, Strand.name)
        .join(Strand, Objective.strand_id == Strand.id)
        .where(Strand.plan_id == plan_id)
        .order_by(Strand.position, Strand.id, Objective.position, Objective.id)
    ).all()
    return [
        (objective.id, f"{strand_name}: {_short(objective.title or '(no statement)')}")
        for objective, strand_name in rows
    ]


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def plans_for_admin() -> list[tuple[Plan, int]]:
    """Every plan (live first, then archived) with its number of actions."""
    counts = (
        select(Strand.plan_id, func.count(Action.id).label("actions"))
        .join(Objective, Objective.strand_id == Strand.id)
        .join(Action, Action.objective_id == Objective.id)
        .group_by(Strand.plan_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Plan, func.coalesce(counts.c.actions, 0))
        .outerjoin(counts, counts.c.plan_id == Plan.id)
        .order_by(Plan.archived_at.is_not(None), Plan.name)
    ).all()
    return [(plan, actions) for plan, actions in rows]
