"""Write a plan back out in its own columns, plus what the tracker derived, for Excel and re-import."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date

from tracker.importers.names import ALL_PARTNERS_WRITTEN
from tracker.importers.rows import DERIVED_COLUMNS, PLAN_COLUMNS
from tracker.models import Rag, User
from tracker.queries.actions import ActionFilters, ActionRow, list_actions

EXPORT_COLUMNS = PLAN_COLUMNS + DERIVED_COLUMNS


# A spreadsheet runs a cell starting with these as a formula (CSV injection): an apostrophe before
# them makes it text. The import takes the apostrophe off again (tracker/importers/preview.py).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _rag_text(rag: Rag) -> str:
    return "" if rag is Rag.NOT_RATED else rag.label


def _sub_objective(row: ActionRow) -> str:
    number = f"{row.objective_number}." if row.objective_number is not None else ""
    return f"{number} {row.objective_statement}".strip()


def export_row(row: ActionRow) -> list[str]:
    return [neutralise(cell) for cell in _cells(row)]


def _cells(row: ActionRow) -> list[str]:
    return [
        row.strand_name,
        _sub_objective(row),
        f"{row.reference} {row.text}" if row.reference else row.text,
        _rag_text(row.delivery_rag),
        row.expected_evidence,
        row.expected_outcomes,
        "\n".join(row.accountable),
        "\n".join(row.responsible),
        row.timescale_text,
        "\n".join([ALL_PARTNERS_WRITTEN, *row.partners] if row.all_partners else row.partners),
        _rag_text(row.outcome_rag),
        row.reference,
        row.due_date.isoformat() if row.due_date else "",
        row.status.label,
        row.effective.rag.label,
    ]


def plan_rows(plan_id: int, viewer: User, today: date) -> Iterator[list[str]]:
    """The header, then one row per action the viewer may see, formula-safe."""
    yield list(EXPORT_COLUMNS)
    for row in list_actions(ActionFilters(plan_id=plan_id), viewer, today):
        yield export_row(row)


def plan_csv_chunks(plan_id: int, viewer: User, today: date) -> Iterator[str]:
    """The CSV as text chunks, starting with a BOM so Excel reads it as UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    for row in plan_rows(plan_id, viewer, today):
        writer.writerow(row)
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
