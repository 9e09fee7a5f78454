"""The report as CSV: one row per action, UTF-8 with a BOM so Excel reads it.

The first columns are the plan export's (tracker/reports/plan_export.py), in the same order, so
anything that reads that file today (including the tracker's own import) still reads this one; the
report's own columns follow.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from tracker.reports.cell_text import neutralise
from tracker.reports.dataset import ReportAction, ReportData
from tracker.reports.plan_export import EXPORT_COLUMNS, export_row

REPORT_COLUMNS = (
    "Plan",
    "Baseline due date",
    "Due date moves",
    "Why the delivery RAG",
    "Latest update",
    "Latest update date",
    "Latest update by",
    "Evidence recorded",  # what owners gave, beside the plan's own "Evidence" (what it expects)
    "Exceptions",
)
PUBLIC_LEAVES_OUT = ("Latest update by",)  # the public version names no person
CHUNK_BYTES = 64 * 1024


def columns(public: bool) -> list[str]:
    extra = [c for c in REPORT_COLUMNS if not (public and c in PUBLIC_LEAVES_OUT)]
    return [*EXPORT_COLUMNS, *extra]


def _row(action: ReportAction, public: bool) -> list[str]:
    row = action.row
    extra = [
        row.plan_name,
        row.baseline_due_date.isoformat() if row.baseline_due_date else "",
        str(action.moves),
        action.why,
        action.latest_update,
        action.latest_update_at.date().isoformat() if action.latest_update_at else "",
    ]
    if not public:
        extra.append(action.latest_update_by)
    extra += ["\n".join(item.label for item in action.evidence), "; ".join(action.exception_reasons)]
    return [neutralise(value) for value in export_row(row) + extra]


def report_csv_chunks(data: ReportData) -> Iterator[str]:
    """The CSV as text chunks of about 64 KB, for streaming."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(columns(data.public))
    for action in data.actions:
        writer.writerow(_row(action, data.public))
        if buffer.tell() > CHUNK_BYTES:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def report_csv_bytes(data: ReportData) -> bytes:
    return "".join(report_csv_chunks(data)).encode("utf-8")
