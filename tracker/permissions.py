"""What each role may see and change, in one place for pages, downloads and reports."""

from __future__ import annotations

from sqlalchemy import ColumnElement, true

from tracker.models import Action, Role, User


def sees_restricted(user: User) -> bool:
    """Restricted actions (sensitive operational detail) are hidden from scrutiny councillors."""
    return user.role is not Role.SCRUTINY


def visible_actions_clause(user: User) -> ColumnElement[bool]:
    return true() if sees_restricted(user) else Action.is_restricted.is_(False)


def can_view_action(user: User, action: Action) -> bool:
    return sees_restricted(user) or not action.is_restricted
