"""A plan's reporting dates (the meetings it reports to) and its escalation and reminder settings."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Plan, ReportingDate
from tracker.services.refusal import Refused


def add_reporting_date(plan: Plan, meeting_name: str, meeting_date: date, updates_due_date: date) -> ReportingDate:
    meeting_name = " ".join(meeting_name.split())
    if not meeting_name:
        raise Refused("Enter the name of the meeting", "meeting_name")
    if updates_due_date > meeting_date:
        raise Refused("The date updates are due must be on or before the meeting date", "updates_due_date")
    duplicate = db.session.scalar(
        select(ReportingDate.id).where(
            ReportingDate.plan_id == plan.id,
            ReportingDate.meeting_name == meeting_name,
            ReportingDate.meeting_date == meeting_date,
        )
    )
    if duplicate is not None:
        raise Refused("This meeting is already in the plan's reporting dates", "meeting_date")
    reporting_date = ReportingDate(
        plan_id=plan.id, meeting_name=meeting_name, meeting_date=meeting_date, updates_due_date=updates_due_date
    )
    db.session.add(reporting_date)
    db.session.flush()
    return reporting_date


def remove_reporting_date(plan: Plan, reporting_date_id: int) -> ReportingDate | None:
    """Remove one of the plan's reporting dates; None if it was not there (already removed)."""
    reporting_date = db.session.get(ReportingDate, reporting_date_id)
    if reporting_date is None or reporting_date.plan_id != plan.id:
        return None
    db.session.delete(reporting_date)
    return reporting_date


def update_deadline_settings(
    plan: Plan, escalate_to_red_after_days: int | None, remind_due_within_days: int, remind_update_within_days: int
) -> None:
    if escalate_to_red_after_days is not None and not 1 <= escalate_to_red_after_days <= 365:
        raise Refused("Enter a number of days from 1 to 365", "escalate_to_red_after_days")
    if not 1 <= remind_due_within_days <= 90:
        raise Refused("Enter a number of days from 1 to 90", "remind_due_within_days")
    if not 1 <= remind_update_within_days <= 60:
        raise Refused("Enter a number of days from 1 to 60", "remind_update_within_days")
    plan.escalate_to_red_after_days = escalate_to_red_after_days
    plan.remind_due_within_days = remind_due_within_days
    plan.remind_update_within_days = remind_update_within_days
