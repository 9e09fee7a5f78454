"""The report's measures as CSV: one row per measure per period, UTF-8 with a BOM so Excel reads it.

Figures are written as plain numbers (no thousands separators or % signs) so a spreadsheet can
sum them; the unit column says what they count. Text a person wrote (notes, sources, names) is
neutralised so it can never run as a formula.
"""

from __future__ import annotations

import csv
import io

from tracker.reports.cell_text import neutralise
from tracker.reports.dataset import ReportData

MEASURE_COLUMNS = (
    "Plan",
    "Measure",
    "Unit",
    "Direction",
    "Period",
    "Period starts",
    "Value",
    "Target",
    "Tolerance",
    "RAG",
    "Why",
    "Note",
    "Source",
    "Recorded by",
)
PUBLIC_LEAVES_OUT = ("Recorded by",)  # the public version names no person


def number(value: float | None) -> str:
    """12.0 -> "12", 12.5 -> "12.5", None -> ""."""
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def measure_columns(public: bool) -> list[str]:
    return [c for c in MEASURE_COLUMNS if not (public and c in PUBLIC_LEAVES_OUT)]


def measures_csv_bytes(data: ReportData) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(measure_columns(data.public))
    for measure in data.measures:
        summary = measure.summary
        for row in measure.periods:
            values = [
                summary.plan_name,
                summary.name,
                summary.unit.label,
                summary.direction.label,
                row.period.label,
                row.period.key,
                number(row.value),
                number(row.target),
                number(row.tolerance),
                row.rag.rag.label,
                row.rag.reason,
                row.note,
                row.source,
            ]
            if not data.public:
                values.append(row.recorded_by)
            writer.writerow([neutralise(value) for value in values])
    return buffer.getvalue().encode("utf-8")
