"""The report as an Excel workbook: sheets Summary, Actions, Changes, Exceptions and Measures.

Written in openpyxl's write-only mode, which streams rows to the file instead of holding a cell
object for each, so 10,000 actions take seconds and little memory. Dates are real dates; RAG cells
are filled in their colour and say the rating in words (colour alone tells nothing to a screen
reader or a black-and-white printer); each list sheet has its header row frozen and filters on.
"""

from __future__ import annotations

import io
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from tracker.formatting import format_datetime
from tracker.models import RAG_ORDER, Rag
from tracker.reports.cell_text import is_formula_like
from tracker.reports.dataset import OVERDUE_RULE, RAG_KEY, ReportAction, ReportData

DATE_FORMAT = "d mmmm yyyy"
# GOV.UK colours, with the text colour that reads on each.
RAG_FILLS = {
    Rag.RED: ("D4351C", "FFFFFF"),
    Rag.AMBER: ("F47738", "0B0C0C"),
    Rag.GREEN: ("00703C", "FFFFFF"),
    Rag.BLUE: ("1D70B8", "FFFFFF"),
    Rag.NOT_RATED: ("B1B4B6", "0B0C0C"),
}
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


class _Cells:
    """Cells for one sheet. Each style is worked out once and its style array copied to every cell
    that uses it: assigning a fill or font object to each cell makes openpyxl hash it every time,
    which was most of the time a large workbook took."""

    def __init__(self, sheet: WriteOnlyWorksheet) -> None:
        self.sheet = sheet
        self.rags = {rag: self._style(fill=PatternFill("solid", fgColor=bg), font=Font(color=fg, bold=True))
                     for rag, (bg, fg) in RAG_FILLS.items()}  # fmt: skip
        self.bold = self._style(font=BOLD)
        self.date = self._style(number_format=DATE_FORMAT)
        self.wrap = self._style(alignment=WRAP)
        self.quoted = self._style(quotePrefix=True)
        self.quoted_wrap = self._style(quotePrefix=True, alignment=WRAP)

    def _style(self, **attributes) -> StyleArray:
        cell = WriteOnlyCell(self.sheet)
        for name, value in attributes.items():
            setattr(cell, name, value)
        return cell._style

    def _cell(self, value, style: StyleArray) -> Cell:
        return Cell(self.sheet, row=1, column=1, value=value, style_array=style)

    def header(self, text: str) -> Cell:
        return self._cell(text, self.bold)

    def rag(self, rag: Rag) -> Cell:
        return self._cell(rag.label, self.rags[rag])

    def day(self, value: date | datetime | None) -> Cell | None:
        if value is None:
            return None
        return self._cell(value.date() if isinstance(value, datetime) else value, self.date)

    def text(self, value: str, wrap: bool = False) -> object:
        """User text as a string cell, never a formula (openpyxl would make "=..." one)."""
        value = ILLEGAL_CHARACTERS_RE.sub("", value or "")
        if is_formula_like(value):
            cell = self._cell(value, self.quoted_wrap if wrap else self.quoted)
            cell.data_type = "s"
            return cell
        return self._cell(value, self.wrap) if wrap else value


def _list_sheet(
    workbook: Workbook, title: str, headers: list[str], widths: list[int]
) -> tuple[WriteOnlyWorksheet, _Cells]:
    sheet = workbook.create_sheet(title)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    cells = _Cells(sheet)
    sheet.append([cells.header(h) for h in headers])
    return sheet, cells


def _filter_on(sheet: WriteOnlyWorksheet, columns: int, rows: int) -> None:
    sheet.auto_filter.ref = f"A1:{get_column_letter(columns)}{max(rows, 1) + 1}"


def _summary(workbook: Workbook, data: ReportData) -> None:
    sheet = workbook.create_sheet("Summary")
    sheet.column_dimensions["A"].width = 40
    for letter in "BCDEFG":
        sheet.column_dimensions[letter].width = 14
    cells = _Cells(sheet)
    title = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("", data.title))
    title.data_type = "s"  # a plan's name is user text too
    title.font = Font(bold=True, size=14)
    sheet.append([title])
    sheet.append([data.version_label])
    sheet.append(["As at", cells.day(data.day)])
    sheet.append(["Produced", cells.text(f"{format_datetime(data.produced_at)} (UTC) by {data.produced_by}")])
    for line in data.scope:
        sheet.append([cells.text(line)])
    sheet.append([])
    sheet.append([cells.header("Summary")])
    sheet.append([data.summary])
    sheet.append([])
    sheet.append([cells.header("What the ratings mean")])
    for rag, meaning in RAG_KEY:
        sheet.append([cells.rag(rag), meaning])
    sheet.append([OVERDUE_RULE])
    sheet.append([])
    sheet.append([cells.header("Actions by effective delivery RAG"), cells.header("Actions")])
    for rag in RAG_ORDER:
        sheet.append([cells.rag(rag), data.by_rag[rag]])
    sheet.append(["Total", data.total])
    sheet.append([])
    sheet.append([cells.header("Actions by outcome RAG"), cells.header("Actions")])
    for rag in RAG_ORDER:
        sheet.append([cells.rag(rag), data.by_outcome[rag]])
    sheet.append([])
    several = len(data.plan_names) > 1
    sheet.append([cells.header("Strand"), *(cells.rag(rag) for rag in RAG_ORDER), cells.header("Total")])
    for strand in data.strands:
        label = f"{strand.plan_name}: {strand.name}" if several else strand.name
        sheet.append([cells.text(label), *(strand.counts[rag] for rag in RAG_ORDER), strand.total])
    if data.changes is not None:
        sheet.append([])
        sheet.append([cells.header(f"What changed since {data.changes.label}")])
        for label, items in (
            ("Delivery RAG moved", data.changes.rag_moves),
            ("Newly complete", data.changes.newly_complete),
            ("Newly overdue", data.changes.newly_overdue),
            ("Added to the plan", data.changes.added),
            ("Due dates moved", data.changes.deadline_moves),
            ("No update since then", data.changes.no_update),
        ):
            sheet.append([label, len(items)])


ACTION_HEADERS = [
    "Plan", "Strand", "Sub objective", "Reference", "Action", "Accountable", "Responsible", "Partners involved",
    "Timescale", "Baseline due date", "Due date", "Due date moves", "Status", "RAG as reported",
    "Effective delivery RAG", "Why", "Outcome RAG", "Latest update", "Latest update date", "Latest update by",
    "Evidence",
]  # fmt: skip
ACTION_WIDTHS = [24, 18, 30, 10, 50, 24, 24, 24, 14, 14, 14, 10, 13, 12, 14, 30, 12, 50, 14, 20, 40]


def _objective(action: ReportAction) -> str:
    row = action.row
    number = f"{row.objective_number}. " if row.objective_number is not None else ""
    return f"{number}{row.objective_statement}".strip()


def _actions(workbook: Workbook, data: ReportData) -> None:
    headers, widths = list(ACTION_HEADERS), list(ACTION_WIDTHS)
    if data.public:  # names no person
        at = headers.index("Latest update by")
        del headers[at], widths[at]
    sheet, cells = _list_sheet(workbook, "Actions", headers, widths)
    for action in data.actions:
        row = action.row
        values = [
            cells.text(row.plan_name),
            cells.text(row.strand_name),
            cells.text(_objective(action)),
            cells.text(row.reference),
            cells.text(row.text, wrap=True),
            cells.text("\n".join(row.accountable)),
            cells.text("\n".join(row.responsible)),
            cells.text("\n".join(row.partners)),
            cells.text(row.timescale_text),
            cells.day(row.baseline_due_date),
            cells.day(row.due_date),
            action.moves,
            row.status.label,
            cells.rag(row.delivery_rag),
            cells.rag(row.effective.rag),
            action.why,
            cells.rag(row.outcome_rag),
            cells.text(action.latest_update, wrap=True),
            cells.day(action.latest_update_at),
        ]
        if not data.public:
            values.append(cells.text(action.latest_update_by))
        values.append(cells.text("\n".join(item.label for item in action.evidence)))
        sheet.append(values)
    _filter_on(sheet, len(headers), len(data.actions))


CHANGE_HEADERS = ["What changed", "Reference", "Action", "From", "To", "Detail", "Date", "Agreed by"]
CHANGE_WIDTHS = [22, 10, 50, 14, 14, 50, 14, 20]


def _changes(workbook: Workbook, data: ReportData) -> None:
    sheet, cells = _list_sheet(workbook, "Changes", CHANGE_HEADERS, CHANGE_WIDTHS)
    changes, count = data.changes, 0
    if changes is None:
        return

    def add(kind: str, action: ReportAction, before=None, after=None, detail="", when=None, who=""):
        nonlocal count
        sheet.append([
            kind, cells.text(action.row.reference), cells.text(action.row.text, wrap=True),
            before, after, cells.text(detail, wrap=True), when, cells.text(who),
        ])  # fmt: skip
        count += 1

    for move in changes.rag_moves:
        add("Delivery RAG moved", move.action, cells.rag(move.before), cells.rag(move.after))
    for action in changes.newly_complete:
        add("Newly complete", action)
    for action in changes.newly_overdue:
        add("Newly overdue", action, detail=action.why)
    for action in changes.added:
        add("Added to the plan", action)
    for move in changes.deadline_moves:
        add(
            "Due date moved", move.action, cells.day(move.old_due_date), cells.day(move.new_due_date),
            move.reason, cells.day(move.agreed_on), move.agreed_by,
        )  # fmt: skip
    for action in changes.no_update:
        add("No update since then", action, detail=action.latest_update, when=cells.day(action.latest_update_at))
    _filter_on(sheet, len(CHANGE_HEADERS), count)


EXCEPTION_HEADERS = ["Reference", "Action", "Why it is an exception", "Effective delivery RAG", "Owner", "Due date",
                     "Latest commentary", "Latest update date"]  # fmt: skip
EXCEPTION_WIDTHS = [10, 50, 30, 14, 30, 14, 50, 14]


def _exceptions(workbook: Workbook, data: ReportData) -> None:
    sheet, cells = _list_sheet(workbook, "Exceptions", EXCEPTION_HEADERS, EXCEPTION_WIDTHS)
    exceptions = data.exceptions
    for action in exceptions:
        row = action.row
        sheet.append([
            cells.text(row.reference), cells.text(row.text, wrap=True), "; ".join(action.exception_reasons),
            cells.rag(row.effective.rag), cells.text("\n".join(row.owners) or "No owner"), cells.day(row.due_date),
            cells.text(action.latest_update, wrap=True), cells.day(action.latest_update_at),
        ])  # fmt: skip
    _filter_on(sheet, len(EXCEPTION_HEADERS), len(exceptions))


MEASURE_HEADERS = ["Plan", "Measure", "Unit", "Direction", "Period", "Period starts", "Value", "Target", "Tolerance",
                   "RAG", "Why", "Note", "Source", "Recorded by"]  # fmt: skip
MEASURE_WIDTHS = [24, 40, 16, 16, 12, 14, 10, 10, 10, 12, 50, 40, 30, 20]


def _measures(workbook: Workbook, data: ReportData) -> None:
    """One row per measure per period; figures are numbers, so the sheet can sum and chart them."""
    headers, widths = list(MEASURE_HEADERS), list(MEASURE_WIDTHS)
    if data.public:  # names no person
        del headers[-1], widths[-1]
    sheet, cells = _list_sheet(workbook, "Measures", headers, widths)
    count = 0
    for measure in data.measures:
        summary = measure.summary
        for row in measure.periods:
            values = [
                cells.text(summary.plan_name), cells.text(summary.name), summary.unit.label, summary.direction.label,
                row.period.label, cells.day(row.period.start), row.value, row.target, row.tolerance,
                cells.rag(row.rag.rag), row.rag.reason, cells.text(row.note, wrap=True), cells.text(row.source),
            ]  # fmt: skip
            if not data.public:
                values.append(cells.text(row.recorded_by))
            sheet.append(values)
            count += 1
    _filter_on(sheet, len(headers), count)


def report_xlsx_bytes(data: ReportData) -> bytes:
    workbook = Workbook(write_only=True)
    workbook.properties.title = f"{data.title}: progress report as at {data.day.isoformat()}"
    workbook.properties.creator = "Safeguarding action-plan tracker"
    _summary(workbook, data)
    _actions(workbook, data)
    _changes(workbook, data)
    _exceptions(workbook, data)
    _measures(workbook, data)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
