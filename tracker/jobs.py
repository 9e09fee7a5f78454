"""The scheduled jobs. Each owns its transactions, as a command does; the services it calls only flush.

auto_amber: one transaction for the whole run. send_reminders: each person's email is claimed
(committed) before it is sent and marked sent or failed after, so a second run at the same time,
or the next run after a crash, never sends anyone the same day's digest twice.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from flask import current_app
from sqlalchemy import and_, or_, text, update

from tracker import clock
from tracker.evidence_store.sweep import SweepResult, sweep
from tracker.extensions import db
from tracker.mail import Mailer, MailError
from tracker.models import Notification, ReminderEmail
from tracker.queries import trend
from tracker.services.auto_amber import AutoAmberResult, record_overdue_actions
from tracker.services.reminders import (
    FAILED,
    SENDING,
    SENT,
    STALE_CLAIM,
    Digest,
    ReminderResult,
    collect_digests,
    render_digest,
)
from tracker.services.sign_in import PruneResult, prune_sign_in_records
from tracker.sql import insert_ignoring_duplicates

log = logging.getLogger(__name__)


def auto_amber(today: date | None = None) -> AutoAmberResult:
    """Record every action that has become overdue, and due escalations, in one committed transaction."""
    try:
        if db.session.get_bind().dialect.name == "postgresql":
            # The run is safe to repeat (it records only what is not yet recorded), so its commit
            # need not wait for the disk: if the server failed in that moment, the next run would
            # record the same again. Only this transaction; every other keeps the server's setting.
            db.session.execute(text("SET LOCAL synchronous_commit = off"))
        result = record_overdue_actions(today)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return result


def take_month_ends(today: date | None = None) -> int:
    """Keep each action's state at every past month end and meeting day not yet kept, in one committed transaction."""
    written = trend.take_month_ends(today or clock.today())
    db.session.commit()
    if written:
        # A first run writes years of month ends at once; without fresh statistics the database
        # would plan the trend's reads as if the tables were still empty.
        db.session.execute(text("ANALYZE action_month_end"))
        db.session.execute(text("ANALYZE month_end_count"))
        db.session.commit()
    return written


def send_reminders(today: date | None = None) -> ReminderResult:
    """Email today's digests, committing as it goes. Never raises for a delivery failure."""
    today = today or clock.today()
    digests = collect_digests(today)
    sent = failed = already = 0
    with Mailer(current_app.config) as mailer:
        for digest in digests:
            if not _claim(digest.user_id, today):
                already += 1
                continue
            try:
                mailer.send(render_digest(digest, today))
            except MailError as error:
                _record_failure(digest, today, str(error))
                failed += 1
            except Exception as error:  # a fault in one digest must not stop everyone else's
                log.exception("Reminder for user %s could not be prepared", digest.user_id)
                _record_failure(digest, today, f"{error.__class__.__name__}: {error}")
                failed += 1
            else:
                _record_sent(digest, today)
                sent += 1
    return ReminderResult(sent=sent, failed=failed, already_sent=already)


def _claim(user_id: int, today: date) -> bool:
    """Take today's email for this person, or return False if it is sent or being sent. Commits."""
    now = clock.now()
    inserted = db.session.execute(
        insert_ignoring_duplicates(ReminderEmail.__table__).values(
            user_id=user_id, sent_for=today, status=SENDING, attempts=0, last_error="", updated_at=now
        ),
        execution_options={"preserve_rowcount": True},
    ).rowcount
    if inserted != 1:
        # Already there: take it over only if the last try failed or its run died mid-send.
        retried = db.session.execute(
            update(ReminderEmail)
            .where(
                ReminderEmail.user_id == user_id,
                ReminderEmail.sent_for == today,
                or_(
                    ReminderEmail.status == FAILED,
                    and_(ReminderEmail.status == SENDING, ReminderEmail.updated_at < now - STALE_CLAIM),
                ),
            )
            .values(status=SENDING, updated_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if retried != 1:
            db.session.rollback()
            return False
    db.session.commit()
    return True


def _finish(user_id: int, today: date, status: str, error: str) -> None:
    db.session.execute(
        update(ReminderEmail)
        .where(ReminderEmail.user_id == user_id, ReminderEmail.sent_for == today)
        .values(status=status, attempts=ReminderEmail.attempts + 1, last_error=error, updated_at=clock.now())
        .execution_options(synchronize_session=False)
    )


def _record_sent(digest: Digest, today: date) -> None:
    _finish(digest.user_id, today, SENT, "")
    if digest.notification_ids:
        db.session.execute(
            update(Notification)
            .where(Notification.id.in_(digest.notification_ids))
            .values(emailed_at=clock.now())
            .execution_options(synchronize_session=False)
        )
    db.session.commit()


def _record_failure(digest: Digest, today: date, error: str) -> None:
    log.warning(
        "Reminder email to %s (user %s) failed, to be retried on the next run: %s", digest.email, digest.user_id, error
    )
    db.session.rollback()
    _finish(digest.user_id, today, FAILED, error)
    db.session.commit()


def prune_sign_ins() -> PruneResult:
    """Remove spent sign-in counters and old sign-in events, in one committed transaction."""
    try:
        result = prune_sign_in_records()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return result


def sweep_evidence(now: datetime | None = None) -> SweepResult:
    """Remove evidence files no row names, left by requests that died before committing (changes no rows)."""
    try:
        return sweep(now)
    finally:
        db.session.rollback()  # only read: end the transaction the lookups opened
