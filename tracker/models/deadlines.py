"""Deadline changes, reporting cycles, notifications and reminder emails."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.people import User
from tracker.models.types import enum_column


class RequestState(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


class DeadlineChange(db.Model):
    """An owner's request for a new due date and the co-ordinator's decision; or an administrator's direct change."""

    __tablename__ = "deadline_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime]
    old_due_date: Mapped[date | None]
    new_due_date: Mapped[date]
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[RequestState] = mapped_column(enum_column(RequestState), default=RequestState.PENDING, index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    decision_comment: Mapped[str] = mapped_column(Text, default="")

    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class ReportingDate(db.Model):
    """A meeting a plan reports to, and the date owners' updates are due before it."""

    __tablename__ = "reporting_date"
    __table_args__ = (UniqueConstraint("plan_id", "meeting_date", "meeting_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    meeting_name: Mapped[str] = mapped_column(String(200))  # "LSCB board", "Scrutiny Co-ordination Committee"
    meeting_date: Mapped[date]
    updates_due_date: Mapped[date]


class Notification(db.Model):
    """Something an owner is told once (e.g. that an action turned Amber because it is overdue)."""

    __tablename__ = "notification"
    # One notification per user, per action, per event key: running a job twice tells nobody twice.
    __table_args__ = (UniqueConstraint("user_id", "action_id", "event_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"))
    event_key: Mapped[str] = mapped_column(String(100))  # "auto_amber:2015-06-01"
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]
    emailed_at: Mapped[datetime | None]


class ReminderEmail(db.Model):
    """One reminder digest per person per day; failures are kept and retried on the next run."""

    __tablename__ = "reminder_email"
    __table_args__ = (
        UniqueConstraint("user_id", "sent_for"),
        Index("ix_reminder_email_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    sent_for: Mapped[date]  # the day the digest covers
    status: Mapped[str] = mapped_column(String(20))  # "sent" or "failed"
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime]
