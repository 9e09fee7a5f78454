"""Single-use links sent by email (invitations, password resets).

The link carries a random token; only its SHA-256 is stored, and it is found by that hash, so
there is no comparison of secrets to time and a copy of the table opens nothing. A token works
once, until it expires or is withdrawn.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select, update

from tracker import clock
from tracker.extensions import db
from tracker.models import AccountToken, TokenPurpose, User

LIFETIMES = {TokenPurpose.INVITATION: timedelta(days=7), TokenPurpose.PASSWORD_RESET: timedelta(hours=1)}


class TokenRefused(ValueError):
    """The link cannot be used; the message says why and what to do."""


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue(user: User, purpose: TokenPurpose) -> str:
    """A fresh token for the user; any earlier open one of the same purpose stops working. Returns the raw token."""
    withdraw_open(user, purpose)
    raw = secrets.token_urlsafe(32)
    now = clock.now()
    db.session.add(
        AccountToken(
            purpose=purpose,
            user_id=user.id,
            token_hash=_digest(raw),
            created_at=now,
            expires_at=now + LIFETIMES[purpose],
        )
    )
    db.session.flush()
    return raw


def withdraw_open(user: User, purpose: TokenPurpose) -> int:
    """Withdraw the user's unused tokens of this purpose; returns how many there were."""
    result = db.session.execute(
        update(AccountToken)
        .where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
            AccountToken.withdrawn_at.is_(None),
        )
        .values(withdrawn_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def open_token(user: User, purpose: TokenPurpose) -> AccountToken | None:
    """The user's usable token of this purpose, if any (for "invitation sent, expires ..." on their page)."""
    return db.session.scalar(
        select(AccountToken)
        .where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
            AccountToken.withdrawn_at.is_(None),
            AccountToken.expires_at > clock.now(),
        )
        .order_by(AccountToken.id.desc())
        .limit(1)
    )


def check(raw: str, purpose: TokenPurpose) -> AccountToken:
    """The token this link carries, if it can still be used; TokenRefused otherwise."""
    token = db.session.scalar(select(AccountToken).where(AccountToken.token_hash == _digest(raw or "")))
    what = "invitation" if purpose is TokenPurpose.INVITATION else "password reset"
    if token is None or token.purpose is not purpose:
        raise TokenRefused(f"This {what} link is not recognised. Check you copied the whole link from the email.")
    if token.used_at is not None:
        raise TokenRefused(f"This {what} link has already been used. Each link works once.")
    if token.withdrawn_at is not None:
        raise TokenRefused(f"This {what} link has been withdrawn or replaced by a newer one.")
    if token.expires_at <= clock.now():
        raise TokenRefused(f"This {what} link has expired.")
    return token


def use(token: AccountToken) -> None:
    """Mark the token used, once: of two requests racing with one link, only one gets through."""
    result = db.session.execute(
        update(AccountToken)
        .where(AccountToken.id == token.id, AccountToken.used_at.is_(None), AccountToken.withdrawn_at.is_(None))
        .values(used_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise TokenRefused("This link has already been used. Each link works once.")


def owner(token: AccountToken) -> User:
    user = db.session.get(User, token.user_id)
    if user is None:  # the account went with its tokens (cascade), so this is a link to nothing
        raise TokenRefused("This link is not recognised. Check you copied the whole link from the email.")
    return user
