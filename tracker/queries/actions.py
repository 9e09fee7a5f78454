"""Lists of actions with their owners and effective RAG, in three queries whatever their number."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Select, exists, or_, select

from tracker.extensions import db
from tracker.models import Action, ActionOwner, Agency, Objective, OwnerKind, Plan, Post, Rag, Status, Strand, User
from tracker.models.plan import action_partners
from tracker.permissions import visible_actions_clause
from tracker.rag import EffectiveRag, action_effective_rag_sql, effective_delivery_rag, is_overdue


@dataclass(frozen=True)
class ActionFilters:
    plan_id: int | None = None
    strand_id: int | None = None
    rag: Rag | None = None  # effective delivery RAG
    agency_id: int | None = None
    post_id: int | None = None
    action_ids: tuple[int, ...] | None = None


@dataclass
class ActionRow:
    id: int
    reference: str
    text: str
    expected_evidence: str
    expected_outcomes: str
    plan_id: int
    plan_name: str
    strand_id: int
    strand_name: str
    objective_id: int
    objective_number: int | None
    objective_statement: str
    due_date: date | None
    baseline_due_date: date | None
    timescale_text: str
    timescale_needs_review: bool
    status: Status
    delivery_rag: Rag
    outcome_rag: Rag
    is_restricted: bool
    updated_at: datetime
    effective: EffectiveRag
    is_overdue: bool
    accountable: list[str] = field(default_factory=list)
    responsible: list[str] = field(default_factory=list)
    partners: list[str] = field(default_factory=list)
    accountable_agencies: list[str] = field(default_factory=list)

    @property
    def owners(self) -> list[str]:
        return self.responsible + [name for name in self.accountable if name not in self.responsible]


def agency_involved_clause(agency_id: int):
    """An agency is involved in an action when one of its posts owns it or it is a partner."""
    owned = exists().where(
        ActionOwner.action_id == Action.id, ActionOwner.post_id == Post.id, Post.agency_id == agency_id
    )
    partner = exists().where(action_partners.c.action_id == Action.id, action_partners.c.agency_id == agency_id)
    return or_(owned, partner)


def _filtered(statement: Select, filters: ActionFilters, viewer: User, today: date) -> Select:
    statement = statement.where(visible_actions_clause(viewer))
    if filters.plan_id is not None:
        statement = statement.where(Strand.plan_id == filters.plan_id)
    if filters.strand_id is not None:
        statement = statement.where(Objective.strand_id == filters.strand_id)
    if filters.rag is not None:
        statement = statement.where(action_effective_rag_sql(today) == filters.rag.value)
    if filters.agency_id is not None:
        statement = statement.where(agency_involved_clause(filters.agency_id))
    if filters.post_id is not None:
        statement = statement.where(
            exists().where(ActionOwner.action_id == Action.id, ActionOwner.post_id == filters.post_id)
        )
    if filters.action_ids is not None:
        statement = statement.where(Action.id.in_(filters.action_ids))
    return statement


def _joined(statement: Select) -> Select:
    return (
        statement.join(Objective, Action.objective_id == Objective.id)
        .join(Strand, Objective.strand_id == Strand.id)
        .join(Plan, Strand.plan_id == Plan.id)
    )


def list_actions(filters: ActionFilters, viewer: User, today: date) -> list[ActionRow]:
    """Actions in plan order (strand, objective, action), with owners and partners attached."""
    base = _joined(
        select(
            Action.id,
            Action.reference,
            Action.text,
            Action.expected_evidence,
            Action.expected_outcomes,
            Plan.id.label("plan_id"),
            Plan.name.label("plan_name"),
            Strand.id.label("strand_id"),
            Strand.name.label("strand_name"),
            Objective.id.label("objective_id"),
            Objective.number.label("objective_number"),
            Objective.statement.label("objective_statement"),
            Action.due_date,
            Action.baseline_due_date,
            Action.timescale_text,
            Action.timescale_needs_review,
            Action.status,
            Action.delivery_rag,
            Action.outcome_rag,
            Action.is_restricted,
            Action.updated_at,
        )
    )
    statement = _filtered(base, filters, viewer, today).order_by(
        Plan.name, Strand.position, Objective.position, Action.position, Action.id
    )
    rows: dict[int, ActionRow] = {}
    for record in db.session.execute(statement):
        values = record._asdict()
        rows[record.id] = ActionRow(
            **values,
            effective=effective_delivery_rag(record.delivery_rag, record.status, record.due_date, today),
            is_overdue=is_overdue(record.status, record.due_date, today),
        )
    if not rows:
        return []

    # Owners and partners for exactly these actions: the same filter as a subquery, one query each.
    ids = _filtered(_joined(select(Action.id)), filters, viewer, today).scalar_subquery()
    owners = db.session.execute(
        select(ActionOwner.action_id, ActionOwner.kind, Post.name, Agency.name)
        .join(Post, ActionOwner.post_id == Post.id)
        .outerjoin(Agency, Post.agency_id == Agency.id)
        .where(ActionOwner.action_id.in_(ids))
        .order_by(ActionOwner.action_id, ActionOwner.position)
    )
    for action_id, kind, post_name, agency_name in owners:
        row = rows[action_id]
        if kind is OwnerKind.ACCOUNTABLE:
            row.accountable.append(post_name)
            if agency_name and agency_name not in row.accountable_agencies:
                row.accountable_agencies.append(agency_name)
        else:
            row.responsible.append(post_name)
    partners = db.session.execute(
        select(action_partners.c.action_id, Agency.name)
        .join(Agency, action_partners.c.agency_id == Agency.id)
        .where(action_partners.c.action_id.in_(ids))
        .order_by(Agency.name)
    )
    for action_id, agency_name in partners:
        rows[action_id].partners.append(agency_name)
    return list(rows.values())


@dataclass(frozen=True)
class Choice:
    id: int
    name: str


def plan_filter_choices(plan_id: int) -> tuple[list[Choice], list[Choice]]:
    """The strands of a plan and the agencies involved in it, for the filter menus."""
    strands = [Choice(*r) for r in db.session.execute(
        select(Strand.id, Strand.name).where(Strand.plan_id == plan_id).order_by(Strand.position)
    )]  # fmt: skip
    in_plan = _joined(select(Action.id)).where(Strand.plan_id == plan_id).scalar_subquery()
    owner_agencies = (
        select(Post.agency_id)
        .join(ActionOwner, ActionOwner.post_id == Post.id)
        .where(ActionOwner.action_id.in_(in_plan))
    )
    partner_agencies = select(action_partners.c.agency_id).where(action_partners.c.action_id.in_(in_plan))
    agencies = [Choice(*r) for r in db.session.execute(
        select(Agency.id, Agency.name)
        .where(or_(Agency.id.in_(owner_agencies), Agency.id.in_(partner_agencies)))
        .order_by(Agency.name)
    )]  # fmt: skip
    return strands, agencies
