"""Moving an action's due date: always with a reason, always recorded, baseline kept."""

from __future__ import annotations

from datetime import date

from tracker import clock
from tracker.extensions import db
from tracker.models import Action, DeadlineChange, RequestState, User
from tracker.services.history import apply_changes


class DeadlineError(ValueError):
    pass


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
        raise DeadlineError("Enter the reason for changing the due date")
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
    # A new date in the future ends the overdue episode; a later slip is a new one.
    if new_due_date >= clock.today():
        action.auto_amber_recorded_for = None
        action.auto_red_recorded_for = None
    return change
