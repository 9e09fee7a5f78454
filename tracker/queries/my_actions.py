"""An owner's actions (those their posts hold), grouped by when they are due, in three queries;
and the figures owed for the measures their posts supply, in three more."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select

from tracker.cycles import cycle_starts, needs_update_sql
from tracker.extensions import db
from tracker.models import (
    CLOSED_STATUSES,
    Action,
    ActionOwner,
    Objective,
    OwnerKind,
    Plan,
    Post,
    Rag,
    Status,
    Strand,
    User,
    post_holders,
)
from tracker.models.plan import action_label
from tracker.permissions import held_by_clause, visible_actions_clause
from tracker.queries.measures import MeasureSummary, figures_owed
from tracker.queries.states import DUE_SOON_DAYS, DUE_SOON_WORDS
from tracker.queries.structure import action_to_plan
from tracker.rag import EffectiveRag, effective_delivery_rag, is_overdue


@dataclass
class MyActionRow:
    id: int
    reference: str
    text: str
    plan_name: str
    due_date: date | None
    status: Status
    delivery_rag: Rag
    outcome_rag: Rag
    is_restricted: bool
    last_progress_at: datetime | None
    needs_update: bool
    effective: EffectiveRag
    is_overdue: bool
    posts: list[str] = field(default_factory=list)  # "CSE Co-ordinator (accountable and responsible)"

    @property
    def label(self) -> str:
        """The same name the action's own page gives it."""
        return action_label(self.reference, self.text)


@dataclass(frozen=True)
class ActionGroup:
    key: str
    heading: str
    rows: list[MyActionRow]


@dataclass(frozen=True)
class MyActions:
    groups: list[ActionGroup]
    needing_update: int
    total: int
    figures_due: list[MeasureSummary] = field(default_factory=list)  # measures their posts supply, missing figures


GROUP_HEADINGS = {
    "overdue": "Overdue",
    "due_soon": DUE_SOON_WORDS,
    "later": "Due later",
    "undated": "No due date",
    "closed": "Complete or cancelled",
}


def group_of(row: MyActionRow, today: date) -> str:
    if row.status in CLOSED_STATUSES:
        return "closed"
    if row.is_overdue:
        return "overdue"
    if row.due_date is None:
        return "undated"
    if row.due_date <= today + timedelta(days=DUE_SOON_DAYS):
        return "due_soon"
    return "later"


def my_actions(user: User, today: date) -> MyActions:
    needs_update = needs_update_sql(cycle_starts(today))
    statement = (
        select(
            Action.id,
            Action.reference,
            Action.text,
            Plan.name.label("plan_name"),
            Action.due_date,
            Action.status,
            Action.delivery_rag,
            Action.outcome_rag,
            Action.is_restricted,
            Action.last_progress_at,
            needs_update.label("needs_update"),
        )
        .select_from(action_to_plan())
        .where(held_by_clause(user), visible_actions_clause(user))
        .order_by(Plan.name, Strand.position, Objective.position, Action.position, Action.id)
    )
    rows: dict[int, MyActionRow] = {}
    for record in db.session.execute(statement):
        values = record._asdict()
        values["needs_update"] = bool(record.needs_update)
        rows[record.id] = MyActionRow(
            **values,
            effective=effective_delivery_rag(record.delivery_rag, record.status, record.due_date, today),
            is_overdue=is_overdue(record.status, record.due_date, today),
        )
    if rows:
        held = db.session.execute(
            select(ActionOwner.action_id, ActionOwner.kind, Post.name)
            .join(Post, ActionOwner.post_id == Post.id)
            .join(post_holders, post_holders.c.post_id == Post.id)
            .where(post_holders.c.user_id == user.id)  # exactly the rows above, less any hidden from this user
            .order_by(ActionOwner.action_id, ActionOwner.position)
        )
        kinds: dict[int, dict[str, list[str]]] = {}
        for action_id, kind, post_name in held:
            if action_id not in rows:
                continue
            word = "responsible" if kind is OwnerKind.RESPONSIBLE else "accountable"
            kinds.setdefault(action_id, {}).setdefault(post_name, []).append(word)
        for action_id, by_post in kinds.items():
            rows[action_id].posts = [f"{name} ({' and '.join(sorted(words))})" for name, words in by_post.items()]

    grouped: dict[str, list[MyActionRow]] = {key: [] for key in GROUP_HEADINGS}
    for row in rows.values():
        grouped[group_of(row, today)].append(row)
    for key in ("overdue", "due_soon", "later"):
        grouped[key].sort(key=lambda r: r.due_date or date.max)  # stable: plan order within a day
    return MyActions(
        groups=[ActionGroup(key, GROUP_HEADINGS[key], grouped[key]) for key in GROUP_HEADINGS],
        needing_update=sum(1 for row in rows.values() if row.needs_update),
        total=len(rows),
        figures_due=figures_owed(user, today),
    )
