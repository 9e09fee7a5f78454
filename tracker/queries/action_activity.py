"""An action's progress updates, evidence and history, as plain rows for its page (one query each)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import case, select
from sqlalchemy.orm import aliased

from tracker.extensions import db
from tracker.formatting import format_date
from tracker.history_values import OWNERS, PARTNERS, TRACKED_FIELDS, Owners, names, parse
from tracker.models import SYSTEM_ACTOR, Evidence, HistoryEntry, ProgressUpdate, Rag, Status, User
from tracker.services.evidence import ACCEPTED, describe_size, download_name


@dataclass(frozen=True)
class EvidenceRow:
    id: int
    action_id: int
    progress_update_id: int | None
    kind: str
    title: str
    url: str | None
    original_filename: str | None
    content_type: str | None
    size_bytes: int | None
    added_by_name: str | None
    added_at: datetime
    verified_by_name: str | None
    verified_at: datetime | None

    @property
    def is_link(self) -> bool:
        return self.kind == "link"

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def safe_url(self) -> str | None:
        """The link, only if it is a web address (checked when saved; checked again before it is shown)."""
        url = self.url or ""
        return url if url.lower().startswith(("https://", "http://")) else None

    @property
    def file_description(self) -> str:
        kind = ACCEPTED.get(self.content_type or "")
        return ", ".join(part for part in (kind.label if kind else "File", describe_size(self.size_bytes)) if part)

    @property
    def download_name(self) -> str:
        return download_name(self.original_filename, self.content_type)


@dataclass
class UpdateRow:
    id: int
    created_at: datetime
    author_name: str
    commentary: str
    delivery_rag: Rag
    outcome_rag: Rag
    status: Status
    no_evidence_reason: str
    evidence: list[EvidenceRow] = field(default_factory=list)


# Events in the history that are not a single field, in the words the timeline uses.
EVENTS = {
    "created": "Action created",
    "progress_update": "Progress update recorded",
    "evidence_added": "Evidence added",
    "evidence_verified": "Evidence verified",
    "auto_amber": "Shown as Amber because it is overdue",
    "auto_red": "Shown as Red because it is long overdue",
    "overdue": "Became overdue",
    "deadline_request": "New due date asked for",
    "deadline_approved": "New due date agreed",
    "deadline_refused": "New due date refused",
}


def describe_value(field_name: str, value: str | None) -> str:
    """A value as history stored it, in the words a page shows (read through history_values.parse)."""
    if value is None or value == "":
        return "not set"
    try:
        parsed = parse(field_name, value)
    except ValueError:
        return value
    if isinstance(parsed, Rag | Status):
        return parsed.label
    if isinstance(parsed, bool):
        return "Yes" if parsed else "No"
    if isinstance(parsed, date):
        return format_date(parsed)
    if isinstance(parsed, Owners):
        return f"Accountable: {names(parsed.accountable)}\nResponsible: {names(parsed.responsible)}"
    if field_name == PARTNERS:
        return names(parsed)
    return parsed


@dataclass(frozen=True)
class HistoryRow:
    id: int
    field: str
    old_value: str | None
    new_value: str | None
    actor_name: str
    by_system: bool
    created_at: datetime
    reason: str
    progress_update_id: int | None
    update_commentary: str | None

    @property
    def is_field_change(self) -> bool:
        return self.field in TRACKED_FIELDS

    @property
    def heading(self) -> str:
        if self.is_field_change:
            return f"{TRACKED_FIELDS[self.field]} changed"
        return EVENTS.get(self.field, self.field.replace("_", " ").capitalize())

    @property
    def old_text(self) -> str:
        return describe_value(self.field, self.old_value)

    @property
    def new_text(self) -> str:
        return describe_value(self.field, self.new_value)

    @property
    def is_long_text(self) -> bool:
        return self.field in ("text", "expected_evidence", "expected_outcomes", OWNERS, PARTNERS)

    @property
    def who(self) -> str:
        return "the tracker (automatic)" if self.by_system else self.actor_name


def action_evidence(action_id: int, until: datetime | None = None) -> list[EvidenceRow]:
    """The action's evidence, newest first; with `until`, as it stood then (added by then, verified only if by then)."""
    added_by = aliased(User)
    verified_by = aliased(User)
    verified_then = Evidence.verified_at <= until if until is not None else None
    statement = (
        select(
            Evidence.id,
            Evidence.action_id,
            Evidence.progress_update_id,
            Evidence.kind,
            Evidence.title,
            Evidence.url,
            Evidence.original_filename,
            Evidence.content_type,
            Evidence.size_bytes,
            added_by.name.label("added_by_name"),
            Evidence.added_at,
            (verified_by.name if until is None else case((verified_then, verified_by.name))).label("verified_by_name"),
            (Evidence.verified_at if until is None else case((verified_then, Evidence.verified_at))).label(
                "verified_at"
            ),
        )
        .outerjoin(added_by, Evidence.added_by_id == added_by.id)
        .outerjoin(verified_by, Evidence.verified_by_id == verified_by.id)
        .where(Evidence.action_id == action_id)
        .order_by(Evidence.added_at.desc(), Evidence.id.desc())
    )
    if until is not None:
        statement = statement.where(Evidence.added_at <= until)
    return [EvidenceRow(**row._asdict()) for row in db.session.execute(statement)]


def action_updates(
    action_id: int, evidence: list[EvidenceRow], limit: int | None = None, until: datetime | None = None
) -> list[UpdateRow]:
    """The action's progress updates, newest first (the latest `limit`, made by `until`), each with the evidence it added."""
    statement = (
        select(
            ProgressUpdate.id,
            ProgressUpdate.created_at,
            ProgressUpdate.author_name,
            ProgressUpdate.commentary,
            ProgressUpdate.delivery_rag,
            ProgressUpdate.outcome_rag,
            ProgressUpdate.status,
            ProgressUpdate.no_evidence_reason,
        )
        .where(ProgressUpdate.action_id == action_id)
        .order_by(ProgressUpdate.created_at.desc(), ProgressUpdate.id.desc())
        .limit(limit)
    )
    if until is not None:
        statement = statement.where(ProgressUpdate.created_at <= until)
    updates = {row.id: UpdateRow(**row._asdict()) for row in db.session.execute(statement)}
    for item in reversed(evidence):  # oldest first within each update
        if item.progress_update_id in updates:
            updates[item.progress_update_id].evidence.append(item)
    return list(updates.values())


def action_history(
    action_id: int, since: datetime | None = None, limit: int | None = None, until: datetime | None = None
) -> list[HistoryRow]:
    """The action's history, newest first; only what happened at or after `since`, by `until`, the latest `limit`, when given."""
    statement = (
        select(
            HistoryEntry.id,
            HistoryEntry.field,
            HistoryEntry.old_value,
            HistoryEntry.new_value,
            HistoryEntry.actor_name,
            HistoryEntry.actor_id,
            HistoryEntry.created_at,
            HistoryEntry.reason,
            HistoryEntry.progress_update_id,
            ProgressUpdate.commentary.label("update_commentary"),
        )
        .outerjoin(ProgressUpdate, HistoryEntry.progress_update_id == ProgressUpdate.id)
        .where(HistoryEntry.action_id == action_id)
        .order_by(HistoryEntry.created_at.desc(), HistoryEntry.id.desc())
        .limit(limit)
    )
    if since is not None:
        statement = statement.where(HistoryEntry.created_at >= since)
    if until is not None:
        statement = statement.where(HistoryEntry.created_at <= until)
    rows = []
    for row in db.session.execute(statement):
        values = row._asdict()
        actor_id = values.pop("actor_id")
        rows.append(HistoryRow(**values, by_system=actor_id is None and row.actor_name == SYSTEM_ACTOR))
    return rows
