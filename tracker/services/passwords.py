"""Forgotten passwords: a single-use reset link by email, working for an hour.

Asking says the same whatever the email: whether an account exists is never revealed.
"""

from __future__ import annotations

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import AccountToken, TokenPurpose, User
from tracker.services import account_tokens
from tracker.services.account_tokens import TokenRefused
from tracker.services.accounts import normalise_email, set_password
from tracker.services.admin_log import log_change


def request_reset(email: str) -> tuple[User, str] | None:
    """The account and the raw token to email, or None when there is no enabled account to reset."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None or not user.is_enabled or user.is_invited:
        return None
    return user, account_tokens.issue(user, TokenPurpose.PASSWORD_RESET)


def reset_for(raw: str) -> AccountToken:
    token = account_tokens.check(raw, TokenPurpose.PASSWORD_RESET)
    if not account_tokens.owner(token).is_enabled:
        raise TokenRefused(
            "This account has been disabled, so its password cannot be reset. Contact the board business team."
        )
    return token


def reset(raw: str, password: str) -> User:
    """Set a new password from the link (once); raises TokenRefused or AccountError."""
    token = reset_for(raw)
    user = account_tokens.owner(token)
    set_password(user, password)
    account_tokens.use(token)
    log_change(user, "user", user.id, user.name, "password", None, "reset by email link")
    return user
