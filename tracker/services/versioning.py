"""No lost updates: a change made from a form opened at an older version of an action is refused.

Each form carries the action's version when it was opened. The services compare it before
changing anything, and SQLAlchemy's version_id_col catches the race where two saves pass that
check at once (the second UPDATE finds no row at the version it read: StaleDataError).
"""

from __future__ import annotations

from sqlalchemy.orm.exc import StaleDataError

from tracker.extensions import db
from tracker.models import Action


class StaleAction(Exception):
    """Someone changed the action after this form was opened; nothing was saved."""

    def __init__(self, action_id: int, opened_version: int | None) -> None:
        super().__init__(f"Action {action_id} changed since version {opened_version} was opened")
        self.action_id = action_id
        self.opened_version = opened_version


def is_current(action: Action, opened_version: int | None) -> bool:
    """Whether a form opened at this version may still change the action."""
    return opened_version is not None and opened_version == action.version


def check_version(action: Action, opened_version: int | None) -> None:
    if not is_current(action, opened_version):
        raise StaleAction(action.id, opened_version)


def flush_unless_stale(action: Action, opened_version: int | None) -> None:
    """Flush the session; on a lost race roll back and raise StaleAction.

    The UPDATE that carries the version check runs at flush, so the race is caught here,
    before the request commits (tracker/transactions.py).
    """
    action_id = action.id
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise StaleAction(action_id, opened_version) from None
