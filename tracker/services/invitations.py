"""Inviting someone: an account with their role and posts, and a link by email to set their password.

The link works once and expires after 7 days; the co-ordinator can send a new one (the old one
stops working) or withdraw it. Accepting sets the password; the view then signs them in.
"""

from __future__ import annotations

from collections.abc import Sequence

from tracker import clock
from tracker.models import AccountToken, Role, TokenPurpose, User
from tracker.services import account_tokens
from tracker.services.account_tokens import TokenRefused
from tracker.services.accounts import AccountError, new_account, set_password
from tracker.services.admin_log import log_change
from tracker.services.people import describe_posts, posts_by_id


def invite(actor: User | None, email: str, name: str, role: Role, post_ids: Sequence[int]) -> tuple[User, str]:
    """The new (invited) account and the raw token for its link; raises AccountError."""
    user = new_account(email, name, role)
    user.posts = posts_by_id(post_ids)
    log_change(
        actor, "user", user.id, user.name, "invited", None, f"{user.email}, {role.label}, {describe_posts(user)}"
    )
    return user, account_tokens.issue(user, TokenPurpose.INVITATION)


def resend(actor: User, user: User) -> str:
    """A fresh link for someone who has not accepted yet; the earlier link stops working."""
    if not user.is_invited:
        raise AccountError(f"{user.name} has already set a password: there is no invitation to send again")
    log_change(actor, "user", user.id, user.name, "invitation", None, "sent again")
    return account_tokens.issue(user, TokenPurpose.INVITATION)


def withdraw(actor: User, user: User, reason: str = "") -> None:
    if account_tokens.withdraw_open(user, TokenPurpose.INVITATION) == 0:
        raise AccountError(f"{user.name} has no invitation waiting to be accepted")
    log_change(actor, "user", user.id, user.name, "invitation", "sent", "withdrawn", reason=reason)


def invitation_for(raw: str) -> AccountToken:
    """The invitation this link carries, if it can still be accepted (TokenRefused otherwise)."""
    token = account_tokens.check(raw, TokenPurpose.INVITATION)
    if not account_tokens.owner(token).is_enabled:
        raise TokenRefused("This invitation is for an account that has been disabled. Contact the board business team.")
    return token


def accept(raw: str, password: str) -> User:
    """Set the invited person's password from their link (once); raises TokenRefused or AccountError."""
    token = invitation_for(raw)
    user = account_tokens.owner(token)
    set_password(user, password)
    account_tokens.use(token)
    user.last_signed_in_at = clock.now()
    log_change(user, "user", user.id, user.name, "invitation", "sent", "accepted")
    return user
