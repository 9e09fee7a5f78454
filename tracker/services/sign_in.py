"""Signing in with a throttle on guessing: per email address and per client address, kept in the database.

An attempt from a locked email address or client address is refused before its password is
checked. Otherwise the password is checked (slow on purpose) before anything is written, so no
lock is held meanwhile: on SQLite a write locks the whole database, and sign-ins holding it
through their password checks made every other write queue behind them (under 50 people at
once, past the busy timeout: "database is locked"). Then the attempt is counted, in one
statement that takes the counter's row lock until the request commits, and its outcome is
decided from that count: attempts sent at once for one email address (or from one address), to
any worker or app server, queue there and each sees the others' count, so a burst of parallel
guesses gets no more answers than a slow one (one counted past the limit is refused, whatever
its password).

An attempt refused by the throttle is told nothing about its password. Its response is an error, so the request
rolls back and the refused attempt leaves nothing behind; the failure that started the lock is
the one recorded as a lock event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import case, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from tracker import clock
from tracker.extensions import db
from tracker.models import SignInEvent, SignInEventKind, SignInThrottle, ThrottleScope, User
from tracker.services.accounts import authenticate, normalise_email, start_session

_LOCK_EVENTS = {
    ThrottleScope.ACCOUNT: SignInEventKind.ACCOUNT_LOCKED,
    ThrottleScope.ADDRESS: SignInEventKind.ADDRESS_LOCKED,
}
_LIMIT_SETTINGS = {
    ThrottleScope.ACCOUNT: "SIGN_IN_MAX_FAILURES_PER_ACCOUNT",
    ThrottleScope.ADDRESS: "SIGN_IN_MAX_FAILURES_PER_ADDRESS",
}


@dataclass(frozen=True)
class PruneResult:
    counters: int
    events: int


@dataclass(frozen=True)
class SignInAttempt:
    user: User | None  # the account signed in to, or None
    refused: bool  # the throttle refused the attempt without checking the password


def lock_minutes() -> int:
    return int(current_app.config["SIGN_IN_LOCK_MINUTES"])


def attempt_sign_in(email: str, password: str, client_address: str) -> SignInAttempt:
    """Check the email and password unless either the email address or the client address is locked."""
    now = clock.now()
    email_key = normalise_email(email)[:320]
    address_key = (client_address or "unknown")[:64]
    # Always the account row first, then the address row, so two requests never wait on each other in a circle.
    keys = {ThrottleScope.ACCOUNT: email_key, ThrottleScope.ADDRESS: address_key}
    if _locked(keys, now):
        return SignInAttempt(user=None, refused=True)
    user = authenticate(email, password)  # before any write: see the module's docstring
    counts = {scope: count_attempt(scope, key, now) for scope, key in keys.items()}
    if any(locked_until is not None and locked_until > now for _failures, locked_until in counts.values()):
        return SignInAttempt(user=None, refused=True)  # locked by attempts counted meanwhile

    if user is not None:
        start_session(user)
        _forget_failures(keys, now)
        record_event(SignInEventKind.SUCCESS, email_key, address_key, user.id, now)
        return SignInAttempt(user=user, refused=False)

    known = db.session.scalar(db.select(User.id).where(User.email == email_key))
    record_event(SignInEventKind.FAILURE, email_key, address_key, known, now)
    for scope, (failures, _locked_until) in counts.items():
        if failures >= int(current_app.config[_LIMIT_SETTINGS[scope]]):
            lock(scope, keys[scope], now)
            record_event(_LOCK_EVENTS[scope], email_key, address_key, known, now)
    return SignInAttempt(user=None, refused=False)


def _locked(keys: dict[ThrottleScope, str], now: datetime) -> bool:
    """Whether the email address or the client address is locked now (a read: nothing counted, no lock taken)."""
    conditions = [(SignInThrottle.scope == scope) & (SignInThrottle.key == key) for scope, key in keys.items()]
    return (
        db.session.scalar(
            select(func.count()).where(or_(*conditions), SignInThrottle.locked_until > now),
        )
        > 0
    )


def count_attempt(scope: ThrottleScope, key: str, now: datetime) -> tuple[int, datetime | None]:
    """Add one to the counter (a new window if the last one has passed); return the count and any lock."""
    window_start = now - timedelta(minutes=int(current_app.config["SIGN_IN_THROTTLE_WINDOW_MINUTES"]))
    table = SignInThrottle.__table__
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    expired = table.c.window_started_at < window_start
    statement = (
        insert(table)
        .values(scope=scope.value, key=key, failures=1, window_started_at=now, locked_until=None)
        .on_conflict_do_update(
            index_elements=[table.c.scope, table.c.key],
            set_={
                "failures": case((expired, 1), else_=table.c.failures + 1),
                "window_started_at": case((expired, now), else_=table.c.window_started_at),
            },
        )
        .returning(table.c.failures, table.c.locked_until)
    )
    failures, locked_until = db.session.execute(statement).one()
    return failures, locked_until


def _forget_failures(keys: dict[ThrottleScope, str], now: datetime) -> None:
    """A right password clears its email address's count; the address keeps its failures but not this attempt."""
    db.session.execute(
        update(SignInThrottle)
        .where(SignInThrottle.scope == ThrottleScope.ACCOUNT, SignInThrottle.key == keys[ThrottleScope.ACCOUNT])
        .values(failures=0, window_started_at=now)
    )
    db.session.execute(
        update(SignInThrottle)
        .where(SignInThrottle.scope == ThrottleScope.ADDRESS, SignInThrottle.key == keys[ThrottleScope.ADDRESS])
        .values(failures=SignInThrottle.failures - 1)
    )


def lock(scope: ThrottleScope, key: str, now: datetime) -> None:
    """Refuse the counter's key for SIGN_IN_LOCK_MINUTES from now."""
    db.session.execute(
        update(SignInThrottle)
        .where(SignInThrottle.scope == scope, SignInThrottle.key == key)
        .values(locked_until=now + timedelta(minutes=lock_minutes()))
    )


def record_event(kind: SignInEventKind, email: str, address: str, user_id: int | None, now: datetime) -> None:
    """Keep one sign-in event for administrators (flushed with the request's work)."""
    db.session.add(SignInEvent(occurred_at=now, kind=kind, email=email, client_address=address, user_id=user_id))
    db.session.flush()


def prune_sign_in_records(now: datetime | None = None) -> PruneResult:
    """Forget counters whose window and lock are both over, and events older than SIGN_IN_EVENTS_KEEP_DAYS (flushed).

    A forgotten counter is one that would start afresh at the next attempt anyway; without this
    the guesses at made-up email addresses would leave a row each for ever.
    """
    now = now or clock.now()
    window_start = now - timedelta(minutes=int(current_app.config["SIGN_IN_THROTTLE_WINDOW_MINUTES"]))
    counters = db.session.execute(
        delete(SignInThrottle).where(
            SignInThrottle.window_started_at < window_start,
            or_(SignInThrottle.locked_until.is_(None), SignInThrottle.locked_until <= now),
        ),
        execution_options={"synchronize_session": False},
    ).rowcount
    kept_since = now - timedelta(days=int(current_app.config["SIGN_IN_EVENTS_KEEP_DAYS"]))
    events = db.session.execute(
        delete(SignInEvent).where(SignInEvent.occurred_at < kept_since),
        execution_options={"synchronize_session": False},
    ).rowcount
    return PruneResult(counters=counters, events=events)
