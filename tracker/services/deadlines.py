"""Moving an action's due date: always with a reason, always recorded, baseline kept."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select, update

from tracker import clock
from tracker.extensions import db
from tracker.formatting import format_date
from tracker.history_values import DEADLINE_APPROVED, DEADLINE_REFUSED, DEADLINE_REQUEST
from tracker.models import Action, DeadlineChange, RequestState, User
from tracker.services.history import apply_changes, record_event
from tracker.services.refusal import Refused


def set_due_date(
    action: Action,
    new_due_date: date,
    actor: User | None,
    reason: str,
    change: DeadlineChange | None = None,
) -> DeadlineChange:
    """Give the action a new due date.

    Used for an administrator's direct change (change=None: recorded as a change they made and
    agreed themselves) and when the co-ordinator approves an owner's request (change given).
    The baseline due date never moves; the first date set becomes the baseline if none was.
    """
    reason = reason.strip()
    if not reason:
        raise Refused("Enter the reason for changing the due date", "reason")
    now = clock.now()
    if change is None:
        change = DeadlineChange(
            action_id=action.id,
            requested_by_id=actor.id if actor else None,
            requested_at=now,
            old_due_date=action.due_date,
            new_due_date=new_due_date,
            reason=reason,
            state=RequestState.APPROVED,
            decided_by_id=actor.id if actor else None,
            decided_at=now,
        )
        db.session.add(change)
    if action.baseline_due_date is None:
        action.baseline_due_date = action.due_date or new_due_date
    apply_changes(action, {"due_date": new_due_date}, actor, reason)
    # A timescale the import could not read ("Ongoing", "Summer term") is settled by an agreed
    # date: the words stay as the plan wrote them, but nobody need check them any more.
    action.timescale_needs_review = False
    # A new date in the future ends the overdue episode; a later slip is a new one.
    if new_due_date >= clock.today():
        action.auto_amber_recorded_for = None
        action.auto_red_recorded_for = None
    return change


def change_due_date_directly(action: Action, new_due_date: date, actor: User, reason: str) -> DeadlineChange:
    """An administrator's own change of due date, which must be a change."""
    if new_due_date == action.due_date:
        raise Refused("Enter a date different from the current due date", "new_due_date")
    return set_due_date(action, new_due_date, actor, reason)


# --- an owner asks, the co-ordinator decides ------------------------------------------------

REQUEST_EVENT = DEADLINE_REQUEST
APPROVED_EVENT = DEADLINE_APPROVED
REFUSED_EVENT = DEADLINE_REFUSED


def pending_request(action_id: int) -> DeadlineChange | None:
    return db.session.scalar(
        select(DeadlineChange).where(
            DeadlineChange.action_id == action_id, DeadlineChange.state == RequestState.PENDING
        )
    )


def _example_date(today: date) -> str:
    example = today + timedelta(days=60)
    return f"{example.day} {example.month} {example.year}"


def request_due_date_change(action: Action, new_due_date: date, requester: User, reason: str) -> DeadlineChange:
    """An owner asks for a new due date; nothing moves until the co-ordinator approves it."""
    today = clock.today()
    reason = reason.strip()
    if new_due_date <= today:
        raise Refused(f"Enter a new due date in the future, for example {_example_date(today)}", "new_due_date")
    if new_due_date == action.due_date:
        raise Refused("Enter a date different from the current due date", "new_due_date")
    if not reason:
        raise Refused("Enter why the due date needs to move", "reason")
    if pending_request(action.id) is not None:
        raise Refused(
            "A request to move this due date is already waiting for the co-ordinator. "
            "Wait for their decision before asking again."
        )
    change = DeadlineChange(
        action_id=action.id,
        requested_by_id=requester.id,
        requested_at=clock.now(),
        old_due_date=action.due_date,
        new_due_date=new_due_date,
        reason=reason,
        state=RequestState.PENDING,
    )
    db.session.add(change)
    record_event(action, REQUEST_EVENT, action.due_date, new_due_date, requester, reason)
    return change


def _decide(change: DeadlineChange, state: RequestState, decider: User, comment: str) -> None:
    """Close a pending request, atomically: of two co-ordinators deciding at once, only one succeeds."""
    decided = db.session.execute(
        update(DeadlineChange)
        .where(DeadlineChange.id == change.id, DeadlineChange.state == RequestState.PENDING)
        .values(state=state, decided_by_id=decider.id, decided_at=clock.now(), decision_comment=comment)
        .execution_options(synchronize_session=False)
    )
    if decided.rowcount != 1:
        raise Refused("This request has already been decided. Go back to the list of requests to see it.")
    db.session.refresh(change)


def approve_request(change: DeadlineChange, decider: User, comment: str = "") -> None:
    """Agree the new date: the action's due date moves (baseline kept) and the history shows who agreed."""
    comment = comment.strip()
    if change.new_due_date < clock.today():
        raise Refused(
            f"The requested date, {format_date(change.new_due_date)}, has already passed. "
            "Refuse this request and ask the owner for a new date, or change the due date yourself.",
            "decision",
        )
    action = db.session.get(Action, change.action_id)
    if action is None:
        raise Refused("This action no longer exists.")
    _decide(change, RequestState.APPROVED, decider, comment)
    record_event(action, APPROVED_EVENT, action.due_date, change.new_due_date, decider, comment)
    change.old_due_date = action.due_date  # the date it actually moved from, if it changed meanwhile
    set_due_date(action, change.new_due_date, decider, change.reason, change=change)


def refuse_request(change: DeadlineChange, decider: User, comment: str) -> None:
    """Say no, with the reason the owner will read; the due date stays as it is."""
    comment = comment.strip()
    if not comment:
        raise Refused("Enter why the request is refused, so the owner knows what to do next", "comment")
    action = db.session.get(Action, change.action_id)
    if action is None:
        raise Refused("This action no longer exists.")
    _decide(change, RequestState.REFUSED, decider, comment)
    record_event(action, REFUSED_EVENT, action.due_date, change.new_due_date, decider, comment)
