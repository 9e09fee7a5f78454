"""Setting up and running a plan: the plan itself, its strands and sub-objectives, and its actions.

Changes to actions go through the history writer (services/history.py); changes to everything
else go to the administration log. Nothing that has history is deleted: a plan is archived,
an action is cancelled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from tracker import clock
from tracker.extensions import db
from tracker.models import (
    Action,
    ActionOwner,
    Agency,
    Objective,
    OwnerKind,
    Plan,
    Post,
    Status,
    Strand,
    User,
)
from tracker.services.admin_log import log_change
from tracker.services.history import apply_changes, record_event

MAX_NAME_LENGTH = 200
MAX_TEXT_LENGTH = 5000


class PlanChangeRejected(ValueError):
    """The change breaks a rule; the message says what to do instead."""


def _name(value: str, what: str) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise PlanChangeRejected(f"Enter the {what}")
    if len(value) > MAX_NAME_LENGTH:
        raise PlanChangeRejected(f"The {what} must be {MAX_NAME_LENGTH} characters or fewer")
    return value


def _text(value: str, what: str, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise PlanChangeRejected(f"Enter the {what}")
    if len(value) > MAX_TEXT_LENGTH:
        raise PlanChangeRejected(f"The {what} must be {MAX_TEXT_LENGTH:,} characters or fewer")
    return value


# --- plans ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanSettings:
    name: str
    description: str = ""
    escalate_to_red_after_days: int | None = None
    remind_due_within_days: int = 14
    remind_update_within_days: int = 7


def _plan_name_free(name: str, plan: Plan | None) -> None:
    statement = select(Plan.id).where(func.lower(Plan.name) == name.lower())
    if plan is not None:
        statement = statement.where(Plan.id != plan.id)
    if db.session.scalar(statement) is not None:
        raise PlanChangeRejected(f"There is already a plan called “{name}”. Choose another name")


def create_plan(actor: User, settings: PlanSettings) -> Plan:
    name = _name(settings.name, "plan's name")
    _plan_name_free(name, None)
    plan = Plan(
        name=name,
        description=_text(settings.description, "description"),
        escalate_to_red_after_days=settings.escalate_to_red_after_days,
        remind_due_within_days=settings.remind_due_within_days,
        remind_update_within_days=settings.remind_update_within_days,
    )
    db.session.add(plan)
    db.session.flush()
    log_change(actor, "plan", plan.id, plan.name, "created", None, plan.name, plan_id=plan.id)
    return plan


def rename_plan(actor: User, plan: Plan, name: str, description: str) -> None:
    name = _name(name, "plan's name")
    description = _text(description, "description")
    if name != plan.name:
        _plan_name_free(name, plan)
        log_change(actor, "plan", plan.id, plan.name, "name", plan.name, name, plan_id=plan.id)
        plan.name = name
    if description != plan.description:
        log_change(actor, "plan", plan.id, plan.name, "description", plan.description, description, plan_id=plan.id)
        plan.description = description
    db.session.flush()


def set_archived(actor: User, plan: Plan, archived: bool, reason: str = "") -> None:
    """Archive a plan that has ended (it leaves the dashboard's default view), or bring it back."""
    if (plan.archived_at is not None) == archived:
        return
    log_change(
        actor,
        "plan",
        plan.id,
        plan.name,
        "archived",
        plan.archived_at is not None,
        archived,
        reason=reason,
        plan_id=plan.id,
    )
    plan.archived_at = clock.now() if archived else None
    db.session.flush()


# --- strands and sub-objectives ---------------------------------------------------------------


def _strand_name_free(plan: Plan, name: str, strand: Strand | None) -> None:
    statement = select(Strand.id).where(Strand.plan_id == plan.id, func.lower(Strand.name) == name.lower())
    if strand is not None:
        statement = statement.where(Strand.id != strand.id)
    if db.session.scalar(statement) is not None:
        raise PlanChangeRejected(f"{plan.name} already has a strand called “{name}”. Choose another name")


def add_strand(actor: User, plan: Plan, name: str) -> Strand:
    name = _name(name, "strand's name")
    _strand_name_free(plan, name, None)
    strand = Strand(plan=plan, name=name, position=max((s.position for s in plan.strands), default=-1) + 1)
    db.session.add(strand)
    db.session.flush()
    log_change(actor, "strand", strand.id, strand.name, "created", None, strand.name, plan_id=plan.id)
    return strand


def rename_strand(actor: User, strand: Strand, name: str) -> None:
    name = _name(name, "strand's name")
    if name == strand.name:
        return
    _strand_name_free(strand.plan, name, strand)
    log_change(actor, "strand", strand.id, strand.name, "name", strand.name, name, plan_id=strand.plan_id)
    strand.name = name
    db.session.flush()


def _objective_fields(number: int | None, statement: str) -> tuple[int | None, str]:
    if number is not None and not 0 <= number < 10_000:
        raise PlanChangeRejected("Enter a number between 0 and 9999, or leave the number out")
    statement = _text(statement, "sub-objective")
    if not statement and number is None:
        raise PlanChangeRejected("Enter the sub-objective, its number, or both")
    return number, statement


def add_objective(actor: User, strand: Strand, number: int | None, statement: str) -> Objective:
    number, statement = _objective_fields(number, statement)
    objective = Objective(
        strand=strand,
        number=number,
        statement=statement,
        position=max((o.position for o in strand.objectives), default=-1) + 1,
    )
    db.session.add(objective)
    db.session.flush()
    log_change(
        actor, "objective", objective.id, objective.title, "created", None, objective.title, plan_id=strand.plan_id
    )
    return objective


def edit_objective(actor: User, objective: Objective, number: int | None, statement: str) -> None:
    number, statement = _objective_fields(number, statement)
    old = objective.title
    objective.number, objective.statement = number, statement
    if objective.title != old:
        log_change(
            actor, "objective", objective.id, old, "title", old, objective.title, plan_id=objective.strand.plan_id
        )
    db.session.flush()


def _move_in(items: list, item, direction: str) -> bool:
    """Move item one place up or down among its siblings (positions renumbered 0..n-1); False at an end."""
    ordered = sorted(items, key=lambda x: (x.position, x.id))
    index = ordered.index(item)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(ordered):
        return False
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, sibling in enumerate(ordered):
        sibling.position = position
    db.session.flush()
    return True


def move_strand(actor: User, strand: Strand, direction: str) -> None:
    if _move_in(strand.plan.strands, strand, direction):
        log_change(
            actor, "strand", strand.id, strand.name, "position", None, strand.position + 1, plan_id=strand.plan_id
        )


def move_objective(actor: User, objective: Objective, direction: str) -> None:
    if _move_in(objective.strand.objectives, objective, direction):
        log_change(
            actor, "objective", objective.id, objective.title, "position", None, objective.position + 1,
            plan_id=objective.strand.plan_id,
        )  # fmt: skip


# --- actions ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewAction:
    text: str
    reference: str = ""
    expected_evidence: str = ""
    expected_outcomes: str = ""
    responsible_post_ids: Sequence[int] = ()
    accountable_post_ids: Sequence[int] = ()
    partner_agency_ids: Sequence[int] = ()
    due_date: date | None = None
    is_restricted: bool = False


def add_action(actor: User, objective: Objective, new: NewAction) -> Action:
    """A new action at the end of the sub-objective, recorded as created in its history."""
    text = _text(new.text, "action", required=True)
    reference = " ".join(new.reference.split())
    if len(reference) > 20:
        raise PlanChangeRejected("The reference must be 20 characters or fewer")
    wanted = [*new.responsible_post_ids, *new.accountable_post_ids]
    posts = {p.id: p for p in db.session.scalars(select(Post).where(Post.id.in_(wanted)))}
    partners = list(
        db.session.scalars(select(Agency).where(Agency.id.in_(list(new.partner_agency_ids))).order_by(Agency.name))
    )
    action = Action(
        objective=objective,
        reference=reference,
        text=text,
        expected_evidence=_text(new.expected_evidence, "evidence expected"),
        expected_outcomes=_text(new.expected_outcomes, "outcomes expected"),
        due_date=new.due_date,
        baseline_due_date=new.due_date,
        status=Status.NOT_STARTED,
        is_restricted=new.is_restricted,
        position=max((a.position for a in objective.actions), default=-1) + 1,
        partners=partners,
    )
    position = 0
    kinds = ((OwnerKind.RESPONSIBLE, new.responsible_post_ids), (OwnerKind.ACCOUNTABLE, new.accountable_post_ids))
    for kind, ids in kinds:
        for post_id in dict.fromkeys(ids):
            if post_id in posts:
                action.owners.append(ActionOwner(post=posts[post_id], kind=kind, position=position))
                position += 1
    db.session.add(action)
    db.session.flush()
    record_event(action, "created", None, None, actor, f"Added to {objective.strand.plan.name}")
    db.session.flush()
    return action


def move_action(actor: User, action: Action, objective: Objective, reason: str = "") -> None:
    """Move an action to another sub-objective of the same plan (to the end of its list)."""
    if objective.strand.plan_id != action.objective.strand.plan_id:
        raise PlanChangeRejected("Choose a sub-objective in the action's own plan")
    if objective.id == action.objective_id:
        return
    position = max((a.position for a in objective.actions), default=-1) + 1
    apply_changes(action, {"objective_id": objective.id}, actor, reason.strip())
    action.position = position
    db.session.flush()
    db.session.expire(action, ["objective"])


def move_action_in_order(actor: User, action: Action, direction: str) -> None:
    objective = action.objective
    if _move_in(objective.actions, action, direction):
        log_change(
            actor, "objective", objective.id, objective.title, "order of actions", None,
            f"{action.label} moved {direction}", plan_id=objective.strand.plan_id,
        )  # fmt: skip


def cancel_action(actor: User, action: Action, reason: str) -> None:
    """Cancel with a reason: the action leaves the live counts and shows as cancelled; its record stays."""
    reason = _text(reason, "reason for cancelling the action", required=True)
    if action.status is Status.CANCELLED:
        raise PlanChangeRejected("This action is already cancelled")
    apply_changes(action, {"status": Status.CANCELLED}, actor, reason)
    db.session.flush()
