"""What each role may see and change, in one place for pages, downloads and reports."""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, or_, select, true

from tracker.extensions import db
from tracker.models import Action, ActionOwner, Role, User, post_holders


def sees_restricted(user: User) -> bool:
    """Restricted actions (sensitive operational detail) are hidden from scrutiny councillors."""
    return user.role is not Role.SCRUTINY


def visible_actions_clause(user: User) -> ColumnElement[bool]:
    return true() if sees_restricted(user) else Action.is_restricted.is_(False)


def can_view_action(user: User, action: Action) -> bool:
    return sees_restricted(user) or not action.is_restricted


def held_by_clause(user: User) -> ColumnElement[bool]:
    """Actions one of the user's posts owns, as accountable or responsible (ownership follows the post)."""
    return exists().where(
        ActionOwner.action_id == Action.id,
        ActionOwner.post_id == post_holders.c.post_id,
        post_holders.c.user_id == user.id,
    )


def holds_action(user: User, action: Action) -> bool:
    held = {post.id for post in user.posts}
    return any(owner.post_id in held for owner in action.owners)


def can_update_action(user: User, action: Action) -> bool:
    """Owners record progress on the actions their posts hold; administrators on any.

    Board members and scrutiny councillors read only, even if they happen to hold a post.
    """
    if user.role is Role.ADMIN:
        return True
    return user.role is Role.OWNER and holds_action(user, action)


def can_edit_action(user: User) -> bool:
    """Only administrators change the action itself: its text, owners, partners, due date, restriction."""
    return user.role is Role.ADMIN


def can_verify_evidence(user: User) -> bool:
    """The co-ordinator (an administrator) checks evidence; until then it is self-reported."""
    return user.role is Role.ADMIN


def can_see_measure(user: User, is_restricted: bool) -> bool:
    """Restricted measures are hidden as restricted actions are."""
    return sees_restricted(user) or not is_restricted


def can_define_measures(user: User) -> bool:
    return user.role is Role.ADMIN


def can_enter_figures(user: User, post_id: int | None) -> bool:
    """A measure's figures are entered by whoever holds the post that supplies it, or an administrator."""
    if user.role is Role.ADMIN:
        return True
    return user.role is Role.OWNER and post_id is not None and any(post.id == post_id for post in user.posts)


def holds_owning_post(user: User, action_id: int) -> bool:
    """holds_action for an action not loaded: one query."""
    return db.session.scalar(select(Action.id).where(Action.id == action_id, held_by_clause(user))) is not None


def can_change_due_dates(user: User) -> bool:
    """Administrators move due dates themselves (with a reason) and decide owners' requests."""
    return can_edit_action(user)


def can_request_due_date_change(user: User, action_id: int) -> bool:
    """An action owner may ask to move the due date of an action one of their posts owns."""
    return user.role is Role.OWNER and holds_owning_post(user, action_id)


def action_visible_to_role_sql(role_column) -> ColumnElement[bool]:
    """sees_restricted as SQL over a user's role column, for queries about many people at once."""
    return or_(role_column != Role.SCRUTINY.value, Action.is_restricted.is_(False))
