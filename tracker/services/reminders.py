"""Reminder emails: one digest per person per day of their actions that need them.

A digest lists the person's actions (through the posts they hold) that are
  - newly overdue: the auto-amber job recorded it and they have not been emailed about it yet;
  - due soon: due within the plan's reminder period (14 days unless the plan says otherwise);
  - owing an update: not updated this cycle, with the plan's updates-due date within its period (7 days);
and the figures due for the measures their posts supply: a period that has ended with no figure,
due within the plan's update period (7 days) or late.
Each person gets at most one a day however often this runs: a ReminderEmail row per person and day is
claimed before sending (committed, so a second run at the same time skips them), marked sent after,
or failed with the reason, in which case the next run tries again. A failure never stops the run.
Run the auto-amber job first, so "newly overdue" is up to date.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app, render_template
from sqlalchemy import Date, and_, case, func, literal, or_, select

from tracker.cycles import cycle_starts, needs_update_sql
from tracker.extensions import db
from tracker.formatting import format_date
from tracker.mail import Email
from tracker.models import (
    CLOSED_STATUSES,
    Action,
    ActionOwner,
    Notification,
    Plan,
    ReportingDate,
    Strand,
    User,
    post_holders,
)
from tracker.models.plan import action_label
from tracker.permissions import action_visible_to_role_sql
from tracker.queries.measures import MeasureSummary, figures_owed_by_everyone
from tracker.queries.structure import action_to_plan
from tracker.rag import action_is_overdue_sql

log = logging.getLogger(__name__)

SENT = "sent"
FAILED = "failed"
SENDING = "sending"
# A claim older than this belongs to a run that died mid-send; the day's digest may then be tried again.
STALE_CLAIM = timedelta(minutes=30)


@dataclass(frozen=True)
class ReminderItem:
    action_id: int
    label: str  # "Action 1.1" (models.plan.action_label)
    text: str
    plan_name: str
    detail: str  # why it is listed: "Due 10 July 2015, in 9 days"
    url: str


@dataclass(frozen=True)
class FigureDueItem:
    """A measure missing its figure for a period, shaped as a ReminderItem for the email templates."""

    measure_id: int
    label: str  # the measure's name
    text: str  # "No figure for Q2 2015/16"
    plan_name: str
    detail: str  # "Due by 30 October 2015: late"
    url: str


@dataclass
class Digest:
    user_id: int
    email: str
    name: str
    newly_overdue: list[ReminderItem] = field(default_factory=list)
    due_soon: list[ReminderItem] = field(default_factory=list)
    needs_update: list[ReminderItem] = field(default_factory=list)
    figures_due: list[FigureDueItem] = field(default_factory=list)
    notification_ids: list[int] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.newly_overdue or self.due_soon or self.needs_update or self.figures_due)

    @property
    def subject(self) -> str:
        parts = []
        if self.newly_overdue:
            parts.append(f"{len(self.newly_overdue)} overdue")
        if self.due_soon:
            parts.append(f"{len(self.due_soon)} due soon")
        if self.needs_update:
            parts.append(f"{len(self.needs_update)} to update")
        if self.figures_due:
            parts.append(f"{len(self.figures_due)} {'figure' if len(self.figures_due) == 1 else 'figures'} due")
        return f"Your safeguarding actions: {', '.join(parts)}"


@dataclass(frozen=True)
class ReminderResult:
    sent: int = 0
    failed: int = 0
    already_sent: int = 0  # people with something to hear about who had today's email already


# --- who hears about what --------------------------------------------------------------------


def collect_digests(today: date) -> list[Digest]:
    """Everyone's digest for the day, people with nothing to hear about left out (nine queries in all)."""
    plans = {
        p.id: p
        for p in db.session.execute(select(Plan.id, Plan.remind_due_within_days, Plan.remind_update_within_days))
    }
    if not plans:
        return []
    next_due = dict(
        db.session.execute(
            select(ReportingDate.plan_id, func.min(ReportingDate.updates_due_date))
            .where(ReportingDate.updates_due_date >= literal(today, Date))
            .group_by(ReportingDate.plan_id)
        ).all()
    )
    update_window = {
        plan_id: due
        for plan_id, due in next_due.items()
        if (due - today).days <= plans[plan_id].remind_update_within_days
    }
    due_cutoff = case(
        {plan_id: literal(today + timedelta(days=p.remind_due_within_days), Date) for plan_id, p in plans.items()},
        value=Strand.plan_id,
    )
    due_soon = and_(
        Action.due_date.is_not(None),
        Action.due_date >= literal(today, Date),
        Action.due_date <= due_cutoff,
    )
    owes_update = (
        and_(Strand.plan_id.in_(update_window), needs_update_sql(cycle_starts(today)))
        if update_window
        else literal(False)
    )
    rows = db.session.execute(
        select(
            User.id,
            User.email,
            User.name,
            Action.id.label("action_id"),
            Action.reference,
            Action.text,
            Action.due_date,
            Plan.id.label("plan_id"),
            Plan.name.label("plan_name"),
            due_soon.label("is_due_soon"),
            owes_update.label("owes_update"),
        )
        .select_from(action_to_plan())
        .join(ActionOwner, ActionOwner.action_id == Action.id)
        .join(post_holders, post_holders.c.post_id == ActionOwner.post_id)
        .join(User, User.id == post_holders.c.user_id)
        .where(
            User.is_enabled.is_(True),
            action_visible_to_role_sql(User.role),
            Action.status.not_in([s.value for s in CLOSED_STATUSES]),
            or_(due_soon, owes_update),
        )
        .distinct()
        .order_by(User.id, Plan.name, Action.due_date, Action.id)
    ).all()

    digests: dict[int, Digest] = {}

    def digest_for(user_id: int, email: str, name: str) -> Digest:
        if user_id not in digests:
            digests[user_id] = Digest(user_id, email, name)
        return digests[user_id]

    for row in _newly_overdue(today):
        digest = digest_for(row.user_id, row.email, row.name)
        digest.notification_ids.append(row.notification_id)
        item = _item(row.action_id, row.reference, row.text, row.plan_name, row.message)
        # Amber then Red for the same action: the later, more serious event is the one to tell.
        digest.newly_overdue = [i for i in digest.newly_overdue if i.action_id != row.action_id] + [item]
    for row in rows:
        digest = digest_for(row.id, row.email, row.name)
        if row.is_due_soon:
            days = (row.due_date - today).days
            when = "today" if days == 0 else ("tomorrow" if days == 1 else f"in {days} days")
            detail = f"Due {format_date(row.due_date)}, {when}"
            digest.due_soon.append(_item(row.action_id, row.reference, row.text, row.plan_name, detail))
        if row.owes_update:
            detail = f"No update this cycle: update due by {format_date(update_window[row.plan_id])}"
            digest.needs_update.append(_item(row.action_id, row.reference, row.text, row.plan_name, detail))
    for holder, summary in figures_owed_by_everyone(today):
        latest = summary.missing[0]
        if (latest.due - today).days > plans[summary.plan_id].remind_update_within_days:
            continue  # not due for a while yet
        digest_for(holder.user_id, holder.email, holder.name).figures_due.append(_figure_item(summary, today))
    return [digest for _, digest in sorted(digests.items()) if not digest.is_empty]


def _figure_item(summary: MeasureSummary, today: date) -> FigureDueItem:
    latest, earlier = summary.missing[0], len(summary.missing) - 1
    text = f"No figure for {latest.label}" + (
        f" or {earlier} earlier {'period' if earlier == 1 else 'periods'}" if earlier else ""
    )
    detail = f"Due by {format_date(latest.due)}" + (": late" if latest.is_late(today) else "")
    path = current_app.url_map.bind("localhost").build(
        "measures.enter_figure", {"measure_id": summary.id, "period": latest.key}
    )
    return FigureDueItem(
        summary.id, summary.name, text, summary.plan_name, detail, current_app.config["BASE_URL"].rstrip("/") + path
    )


def _newly_overdue(today: date):
    """Overdue events not yet emailed, for enabled people, about actions still overdue (one query)."""
    return db.session.execute(
        select(
            User.id.label("user_id"),
            User.email,
            User.name,
            Notification.id.label("notification_id"),
            Notification.message,
            Action.id.label("action_id"),
            Action.reference,
            Action.text,
            Plan.name.label("plan_name"),
        )
        .select_from(action_to_plan())
        .join(Notification, Notification.action_id == Action.id)
        .join(User, User.id == Notification.user_id)
        .where(
            Notification.emailed_at.is_(None),
            or_(
                Notification.event_key.startswith("auto_amber:"),
                Notification.event_key.startswith("overdue:"),
                Notification.event_key.startswith("auto_red:"),
            ),
            User.is_enabled.is_(True),
            action_visible_to_role_sql(User.role),
            action_is_overdue_sql(today),
        )
        .order_by(User.id, Plan.name, Action.due_date, Action.id, Notification.id)
    ).all()


def _item(action_id: int, reference: str, text: str, plan_name: str, detail: str) -> ReminderItem:
    first_line = (text.splitlines() or [""])[0]
    return ReminderItem(
        action_id, action_label(reference, text), _shorten(first_line, 140), plan_name, detail, action_url(action_id)
    )


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def action_url(action_id: int) -> str:
    """The action page's full address, from BASE_URL (jobs have no request to take the host from)."""
    path = current_app.url_map.bind("localhost").build("actions.show", {"action_id": action_id})
    return current_app.config["BASE_URL"].rstrip("/") + path


def render_digest(digest: Digest, today: date) -> Email:
    context = {"digest": digest, "today": today, "base_url": current_app.config["BASE_URL"].rstrip("/")}
    return Email(
        to=digest.email,
        subject=digest.subject,
        text=render_template("emails/reminder.txt", **context),
        html=render_template("emails/reminder.html", **context),
    )


# --- at most one a day --------------------------------------------------------------------------
