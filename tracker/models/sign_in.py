"""Sign-in attempts: the throttle counters every app process shares, and the events administrators read.

Counters live in the database, not in a worker's memory, so two gunicorn workers or two app
servers count the same wrong passwords together.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db
from tracker.models.types import enum_column


class ThrottleScope(enum.StrEnum):
    ACCOUNT = "account"  # keyed by the email address typed, whether or not such an account exists
    ADDRESS = "address"  # keyed by the client's address (after the trusted proxies)
    # The forgotten-password, invitation and reset pages (tracker/services/link_throttle.py).
    LINK_EMAIL = "link_email"  # reset links asked for, and passwords tried through a link, for one email address
    LINK_ADDRESS = "link_address"  # the same from one client address, and links refused (guessed or stale)


class SignInEventKind(enum.StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"
    ACCOUNT_LOCKED = "account_locked"
    ADDRESS_LOCKED = "address_locked"
    # The forgotten-password, invitation and reset pages' own limits (services/link_throttle.py).
    LINK_EMAIL_LOCKED = "link_email_locked"
    LINK_ADDRESS_LOCKED = "link_address_locked"

    @property
    def label(self) -> str:
        return {
            SignInEventKind.SUCCESS: "Signed in",
            SignInEventKind.FAILURE: "Wrong email or password",
            SignInEventKind.ACCOUNT_LOCKED: "Email address locked",
            SignInEventKind.ADDRESS_LOCKED: "Address locked",
            SignInEventKind.LINK_EMAIL_LOCKED: "Account links locked for email address",
            SignInEventKind.LINK_ADDRESS_LOCKED: "Account links locked for address",
        }[self]


class SignInThrottle(db.Model):
    """Failed sign-ins for one email address or one client address within the current window."""

    __tablename__ = "sign_in_throttle"

    scope: Mapped[ThrottleScope] = mapped_column(enum_column(ThrottleScope), primary_key=True)
    key: Mapped[str] = mapped_column(String(320), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    window_started_at: Mapped[datetime]
    locked_until: Mapped[datetime | None]


class SignInEvent(db.Model):
    """One sign-in, failed sign-in or lock, kept for administrators to read."""

    __tablename__ = "sign_in_event"
    __table_args__ = (Index("ix_sign_in_event_occurred_at_id", "occurred_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime]
    kind: Mapped[SignInEventKind] = mapped_column(enum_column(SignInEventKind))
    email: Mapped[str] = mapped_column(String(320))
    client_address: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
