"""Importing measure figures from a spreadsheet into one plan: a preview of every row, then the import.

Each row of the file (period, measure, value, and optionally note and source) is matched to a
measure of the plan by name, ignoring case and spacing, and to a period of that measure. The
preview says what each row will do: add a new figure, correct one (old -> new), change nothing,
or be refused with the reason. Nothing is saved until the import is confirmed, and then every
change goes through the measure services, so each is in the measure's history with "Imported
from <file name>" as its reason. Refused rows are never saved. Services flush, never commit.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from tracker.extensions import db
from tracker.formatting import format_date
from tracker.importers.measure_figures import PeriodNotRead, find_layout, read_period
from tracker.importers.tables import Table
from tracker.measure_periods import Period
from tracker.measures_rag import format_figure
from tracker.models import Measure, MeasureValue, Plan, Unit, User
from tracker.services.measures import Figure, MeasureError, correct_figure, parse_figure, record_figure

NEW, CORRECTION, UNCHANGED, REFUSED = "new", "correction", "unchanged", "refused"
# More rows than this is not a file of figures (ten years of monthly figures for 40 measures is under 5,000).
MAX_ROWS = 10_000


def measure_key(name: str) -> str:
    """ "Return home  interviews" and "return home interviews" are the same measure."""
    return " ".join(name.split()).casefold()


@dataclass
class FigureRow:
    line: int  # the row's number in the file, as a spreadsheet shows it
    measure_text: str
    period_text: str
    value_text: str
    note: str = ""
    source: str = ""
    measure: Measure | None = None
    period: Period | None = None
    value: float | None = None
    status: str = REFUSED
    reason: str = ""
    old_value: float | None = None
    # What a correction changes besides the figure ("note", "source").
    also_changes: list[str] = field(default_factory=list)

    @property
    def is_percentage(self) -> bool:
        return self.measure is not None and self.measure.is_percentage

    def figure(self, value: float | None) -> str:
        return "" if value is None else format_figure(value, self.is_percentage)


@dataclass
class FiguresPreview:
    plan: Plan
    filename: str
    rows: list[FigureRow]
    notes: list[str]

    def with_status(self, status: str) -> list[FigureRow]:
        return [row for row in self.rows if row.status == status]

    @property
    def counts(self) -> dict[str, int]:
        return {status: len(self.with_status(status)) for status in (NEW, CORRECTION, UNCHANGED, REFUSED)}

    @property
    def changes(self) -> list[FigureRow]:
        return [row for row in self.rows if row.status in (NEW, CORRECTION)]


class FiguresFileError(ValueError):
    """The file as a whole holds no figures the tracker can read."""


def build_figures_preview(plan: Plan, tables: list[Table], filename: str, today: date) -> FiguresPreview:
    """What importing the file into the plan would do, row by row (two queries, whatever the file's size)."""
    try:
        layout = find_layout(tables)
    except ValueError as error:
        raise FiguresFileError(str(error)) from None
    table = tables[layout.table_index]
    columns = layout.columns
    body = list(zip(table.row_numbers, table.rows, strict=True))[layout.header_row + 1 :]
    if len(body) > MAX_ROWS:
        raise FiguresFileError(f"The file has more than {MAX_ROWS:,} rows of figures. Split it and upload each part.")

    def cell(row: list[str], name: str) -> str:
        return row[columns[name]].strip() if name in columns else ""

    measures = {measure_key(m.name): m for m in db.session.scalars(select(Measure).where(Measure.plan_id == plan.id))}
    existing = {
        (value.measure_id, value.period): value
        for value in db.session.scalars(
            select(MeasureValue).join(Measure, Measure.id == MeasureValue.measure_id).where(Measure.plan_id == plan.id)
        )
    }
    rows = []
    for line, cells in body:
        row = FigureRow(
            line=line,
            measure_text=cell(cells, "measure"),
            period_text=cell(cells, "period"),
            value_text=cell(cells, "value"),
            note=cell(cells, "note"),
            source=cell(cells, "source"),
        )
        if not (row.measure_text or row.period_text or row.value_text):
            continue  # a row with only a note, or a total's label: nothing to import
        row.reason = _refusal(row, plan, measures, today)
        if not row.reason:
            _compare(row, existing.get((row.measure.id, row.period.start)))  # type: ignore[union-attr]
        rows.append(row)
    _refuse_duplicates(rows)
    notes = list(table.notes)
    if len(tables) > 1:
        notes.append(f"The figures were read from {table.name!r}, the first table with the columns they need.")
    return FiguresPreview(plan=plan, filename=filename, rows=rows, notes=notes)


def _refusal(row: FigureRow, plan: Plan, measures: dict[str, Measure], today: date) -> str:
    """Why the row cannot be imported ("" if it can); fills in its measure, period and value as it reads them."""
    if not row.measure_text:
        return "No measure named"
    row.measure = measures.get(measure_key(row.measure_text))
    if row.measure is None:
        return f"There is no measure called {row.measure_text!r} in {plan.name}"
    measure = row.measure
    try:
        row.period = read_period(row.period_text, measure.frequency)
    except PeriodNotRead as error:
        return str(error)
    period = row.period
    if period.start < measure.first_period:
        return f"Figures for this measure start from {measure.period(measure.first_period).label}"
    if measure.last_period is not None and period.start > measure.last_period:
        return f"Figures for this measure end at {measure.period(measure.last_period).label}"
    if not period.has_ended(today):
        return f"{period.label} is in the future or not over yet (it ends on {format_date(period.end)})"
    if not row.value_text:
        return "No figure"
    try:
        # Read as a plain number first, so a percentage over 100 gets its own reason.
        row.value = parse_figure(row.value_text, Unit.NUMBER)
    except MeasureError:
        if row.value_text.lstrip().startswith("-"):
            return f"{row.value_text!r} is below 0: figures are 0 or more"
        return f"{row.value_text!r} is not a number"
    if measure.unit is Unit.PERCENTAGE and row.value > 100:
        return f"{row.value_text!r} is a percentage over 100"
    return ""


def _compare(row: FigureRow, current: MeasureValue | None) -> None:
    """New, a correction, or unchanged. An empty note or source cell leaves the figure's own as it is."""
    if current is None:
        row.status = NEW
        return
    row.old_value = current.value
    row.note = row.note or current.note
    row.source = row.source or current.source
    row.also_changes = [
        name
        for name, old, new in (("note", current.note, row.note), ("source", current.source, row.source))
        if old != new
    ]
    row.status = CORRECTION if current.value != row.value or row.also_changes else UNCHANGED


def _refuse_duplicates(rows: list[FigureRow]) -> None:
    """A figure the file gives twice is not guessed at: every row giving it is refused."""
    seen: dict[tuple[int, date], list[FigureRow]] = defaultdict(list)
    for row in rows:
        if row.measure is not None and row.period is not None and not row.reason:
            seen[(row.measure.id, row.period.start)].append(row)
    for same in seen.values():
        if len(same) < 2:
            continue
        lines = ", ".join(str(row.line) for row in same[:-1]) + f" and {same[-1].line}"
        for row in same:
            row.status = REFUSED
            row.reason = (
                f"The file gives {row.period.label} more than once for this measure (rows {lines}): "  # type: ignore[union-attr]
                "keep one of them"
            )


@dataclass(frozen=True)
class FiguresImported:
    added: int
    corrected: int
    unchanged: int
    refused: int


def import_figures(preview: FiguresPreview, actor: User | None, today: date) -> FiguresImported:
    """Write the preview's new figures and corrections through the measure services (flushed, not committed).

    A MeasureError (a figure entered by someone else since the preview) stops the import; the request
    then rolls back, so the import completes or saves nothing.
    """
    reason = f"Imported from {preview.filename}"
    for row in preview.changes:
        figure = Figure(value=row.value, note=row.note, source=row.source)  # type: ignore[arg-type]
        if row.status == NEW:
            record_figure(row.measure, row.period, figure, actor, today, reason=reason)  # type: ignore[arg-type]
        else:
            correct_figure(row.measure, row.period, figure, reason, actor)  # type: ignore[arg-type]
    counts = preview.counts
    return FiguresImported(counts[NEW], counts[CORRECTION], counts[UNCHANGED], counts[REFUSED])
