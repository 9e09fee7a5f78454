"""A throttle on the pages that send or open account links: forgotten password, invitation and reset.

Counted in the database, in the sign-in throttle's counters (sign_in_throttle, scopes LINK_EMAIL
and LINK_ADDRESS), so every gunicorn worker and app server counts together. Per email address:
reset links asked for it and new passwords tried through its links (ACCOUNT_LINK_MAX_PER_EMAIL);
per client address: the same from that address, and links refused there, guessed or stale
(ACCOUNT_LINK_MAX_PER_ADDRESS). Past either limit within SIGN_IN_THROTTLE_WINDOW_MINUTES, the
pages refuse for SIGN_IN_LOCK_MINUTES, before any email is sent or any password checked, and the
lock is kept among the sign-in events administrators read. This keeps the pages from emailing one
person again and again, from testing many addresses or tokens, and from being made to check
passwords (slow on purpose) without end.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import select

from tracker import clock
from tracker.extensions import db
from tracker.models import SignInEventKind, SignInThrottle, ThrottleScope, User
from tracker.services.accounts import normalise_email
from tracker.services.sign_in import count_attempt, lock, lock_minutes, record_event
from tracker.transactions import keep_on_refusal

_LIMITS = {
    ThrottleScope.LINK_EMAIL: "ACCOUNT_LINK_MAX_PER_EMAIL",
    ThrottleScope.LINK_ADDRESS: "ACCOUNT_LINK_MAX_PER_ADDRESS",
}
_LOCK_EVENTS = {
    ThrottleScope.LINK_EMAIL: SignInEventKind.LINK_EMAIL_LOCKED,
    ThrottleScope.LINK_ADDRESS: SignInEventKind.LINK_ADDRESS_LOCKED,
}


def message() -> str:
    return f"Too many attempts. Try again in {lock_minutes()} minutes."


def _keys(email: str | None, client_address: str) -> dict[ThrottleScope, str]:
    # The email address's row first, then the address's, as sign-in does, so requests never wait in a circle.
    keys = {ThrottleScope.LINK_EMAIL: normalise_email(email)[:320]} if email else {}
    keys[ThrottleScope.LINK_ADDRESS] = (client_address or "unknown")[:64]
    return keys


def _is_locked(locked_until: datetime | None, now: datetime) -> bool:
    return locked_until is not None and locked_until > now


def _count(keys: dict[ThrottleScope, str], now: datetime) -> bool:
    """Count one attempt under each key; lock a key that reaches its limit. False if a key was locked already."""
    counts = {scope: count_attempt(scope, key, now) for scope, key in keys.items()}
    if any(_is_locked(locked_until, now) for _count, locked_until in counts.values()):
        return False
    for scope, (attempts, _locked_until) in counts.items():
        if attempts >= int(current_app.config[_LIMITS[scope]]):
            lock(scope, keys[scope], now)
            _record_lock(scope, keys, now)
    return True


def _record_lock(scope: ThrottleScope, keys: dict[ThrottleScope, str], now: datetime) -> None:
    """Administrators see the lock among the sign-in events, with the account it was for where known."""
    email = keys.get(ThrottleScope.LINK_EMAIL, "")
    user_id = db.session.scalar(select(User.id).where(User.email == email)) if email else None
    record_event(_LOCK_EVENTS[scope], email, keys[ThrottleScope.LINK_ADDRESS], user_id, now)


def allow(email: str | None, client_address: str) -> bool:
    """Count a reset link asked for, or a password tried through a link; False (refuse it) when locked."""
    return _count(_keys(email, client_address), clock.now())


def record(email: str | None, client_address: str) -> None:
    """Count an attempt again after the request rolled back its work (a password refused as too weak)."""
    _count(_keys(email, client_address), clock.now())


def address_locked(client_address: str) -> bool:
    """Whether the client's address is refused the link pages at the moment (nothing counted)."""
    locked_until = db.session.scalar(
        select(SignInThrottle.locked_until).where(
            SignInThrottle.scope == ThrottleScope.LINK_ADDRESS,
            SignInThrottle.key == (client_address or "unknown")[:64],
        )
    )
    return _is_locked(locked_until, clock.now())


def count_refused_link(client_address: str) -> None:
    """A link that does not work (guessed, used or out of date) counts against the address, and the count
    is kept although the page refuses the link."""
    _count(_keys(None, client_address), clock.now())
    keep_on_refusal()
