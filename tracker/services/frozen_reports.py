"""Freezing a report for a meeting: its figures and its files (PDF, workbook, CSV and measures CSV), kept as they are for good."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from tracker.extensions import db
from tracker.models import REPORT_FORMATS, FrozenReport, User
from tracker.models.reports import file_column
from tracker.reports.dataset import ReportChoice, build_report
from tracker.reports.files import file_stem, render


class FreezeRejected(ValueError):
    pass


@dataclass(frozen=True)
class Meeting:
    name: str
    on: date


def freeze_report(choice: ReportChoice, meeting: Meeting, actor: User, today: date, now: datetime) -> FrozenReport:
    """Produce the report once and keep its files with their SHA-256 (flushed, not committed)."""
    name = meeting.name.strip()
    if not name:
        raise FreezeRejected("Enter the meeting's name, for example Scrutiny committee")
    data = build_report(choice, actor, today, now)
    files = {file_format: render(data, file_format) for file_format in REPORT_FORMATS}
    frozen = FrozenReport(
        plan_id=choice.plan_id,
        plan_name=data.title,
        meeting_name=name,
        meeting_date=meeting.on,
        as_at=data.day,
        is_public=data.public,
        # Its PDF and workbook show measures too: a restricted one hides the report from councillors as an action does.
        has_restricted=any(action.row.is_restricted for action in data.actions)
        or any(measure.summary.is_restricted for measure in data.measures),
        compared_with=data.changes.label if data.changes else "",
        frozen_at=now,
        frozen_by_id=actor.id,
        frozen_by_name=actor.name,
        figures=data.figures(),
        file_stem=file_stem(data),
        **{file_column(fmt): content for fmt, content in files.items()},
        **{f"{file_column(fmt)}_sha256": hashlib.sha256(content).hexdigest() for fmt, content in files.items()},
    )
    db.session.add(frozen)
    db.session.flush()
    return frozen
