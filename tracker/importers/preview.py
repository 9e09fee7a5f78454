"""Rows of a table -> the rows as they will be imported, each with its problems. Nothing is written.

Word tables get two more readings: a row that names only a theme ("B  Protect") starts a strand,
and a row with no reference after a numbered row continues that row (a row split across pages).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from tracker.importers.mapping import FIELDS, IGNORE
from tracker.importers.rows import PlanRow
from tracker.importers.tables import Table
from tracker.importers.timescale import Timescale, parse_timescale
from tracker.models.enums import Rag, Status

_THEME = re.compile(r"^(?:[A-Z]|\d{1,2}|[IVXivx]{1,4})[.):]?\s+(\S.{0,150})$", re.DOTALL)
_THEME_MARK = re.compile(r"^(?:[A-Z]|\d{1,2}|[IVXivx]{1,4})[.):]?$")
_LEADING_REFERENCE = re.compile(r"^(\d+(?:\.\d+)+)\.?\s")
# Exports prefix text that a spreadsheet would run as a formula with an apostrophe; take it off.
_NEUTRALISED = re.compile(r"^'(?=[=+\-@\t\r])")


@dataclass
class PreviewRow:
    row: PlanRow
    timescale: Timescale
    due_date: date | None
    problems: list[str] = field(default_factory=list)
    # Whether the timescale cell can be fixed on the preview page.
    timescale_problem: bool = False

    @property
    def line(self) -> int:
        return self.row.line

    @property
    def skipped(self) -> bool:
        return not self.row.actions.strip()


@dataclass
class Preview:
    rows: list[PreviewRow]
    notes: list[str]

    @property
    def with_problems(self) -> list[PreviewRow]:
        return [row for row in self.rows if row.problems]

    @property
    def importable(self) -> list[PreviewRow]:
        return [row for row in self.rows if not row.skipped]


def restore_cell(text: str) -> str:
    return _NEUTRALISED.sub("", text.strip())


def read_date(text: str) -> date | None:
    """A single date as a cell holds it: "2015-05-31", "31/05/2015", "31 May 2015"; None if unreadable."""
    text = text.strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d %B %Y", "%d %b %Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _theme(cells: list[str]) -> str | None:
    filled = [cell for cell in cells if cell]
    if len(filled) == 1 and "\n" not in filled[0]:
        match = _THEME.match(filled[0])
        return match.group(1).strip() if match else None
    if len(filled) == 2 and _THEME_MARK.match(filled[0]) and "\n" not in filled[1] and len(filled[1]) <= 150:
        return filled[1]
    return None


def _reference(values: Mapping[str, str]) -> str:
    if values.get("reference"):
        return values["reference"]
    match = _LEADING_REFERENCE.match(values.get("actions", ""))
    return match.group(1) if match else ""


def _values(cells: list[str], mapping: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for cell, name in zip(cells, mapping, strict=False):
        if name != IGNORE and name in FIELDS and cell:
            values[name] = f"{values[name]}\n{cell}" if name in values else cell
    return values


def _rag_problem(text: str, column: str) -> str | None:
    try:
        Rag.from_text(text)
    except ValueError:
        return f"{text!r} is not a {column}: use Red, Amber, Green, Blue or leave it blank"
    return None


def status_from_text(text: str) -> Status | None:
    wanted = re.sub(r"[^a-z0-9]", "", text.lower())
    for status in Status:
        if wanted in {re.sub(r"[^a-z0-9]", "", status.value), re.sub(r"[^a-z0-9]", "", status.label.lower())}:
            return status
    return None


def build_preview(
    table: Table,
    header_row: int,
    mapping: list[str],
    fixes: Mapping[str, Mapping[str, str]] | None = None,
) -> Preview:
    """The rows below the header as they will be imported. `fixes` maps a row number to corrected cells."""
    fixes = fixes or {}
    merged: list[tuple[int, dict[str, str]]] = []
    strand_from_theme = ""
    notes = list(table.notes)
    for cells, number in zip(table.rows[header_row + 1 :], table.row_numbers[header_row + 1 :], strict=False):
        cells = [restore_cell(cell) for cell in cells]
        theme = _theme(cells)
        if theme is not None and "strand" not in _values(cells, mapping):
            strand_from_theme = theme
            notes.append(f"Row {number} names a theme: the rows after it go into the strand {theme!r}.")
            continue
        values = _values(cells, mapping)
        if not values:
            continue
        if table.from_document and merged and not _reference(values) and _reference(merged[-1][1]):
            previous = merged[-1][1]
            for name, value in values.items():
                if previous.get(name) != value:
                    previous[name] = f"{previous[name]}\n{value}" if previous.get(name) else value
            notes.append(f"Row {number} has no reference: it continues the row above it.")
            continue
        if strand_from_theme and "strand" not in values:
            values["strand"] = strand_from_theme
        merged.append((number, values))

    rows: list[PreviewRow] = []
    first_line_for_reference: dict[str, int] = {}
    for number, values in merged:
        fixed = fixes.get(str(number), {})
        values = {**values, **{k: v for k, v in fixed.items() if k in FIELDS}}
        reference = values.get("reference", "").strip()
        plan_row = PlanRow(
            line=number,
            strand=values.get("strand", ""),
            sub_objective=values.get("sub_objective", ""),
            actions=values.get("actions", ""),
            rag=values.get("rag", ""),
            evidence=values.get("evidence", ""),
            outcomes=values.get("outcomes", ""),
            accountable=values.get("accountable", ""),
            responsible=values.get("responsible", ""),
            timescale=values.get("timescale", ""),
            partners=values.get("partners", ""),
            outcome_rag=values.get("outcome_rag", ""),
            reference=reference or None,
            status=values.get("status", ""),
            due_date=values.get("due_date", ""),
        )
        problems: list[str] = []
        timescale = parse_timescale(plan_row.timescale)
        timescale_problem = timescale.needs_review
        if not plan_row.actions.strip():
            problems.append("The action is empty: this row will not be imported")
        if timescale.needs_review:
            problems.append(f"The timescale {timescale.text!r} cannot be read as a date")
        due = timescale.due_date
        if plan_row.due_date:
            due = read_date(plan_row.due_date)
            if due is None:
                problems.append(f"The due date {plan_row.due_date!r} cannot be read: write it as 31/03/2016")
                timescale_problem = True
        for text, column in ((plan_row.rag, "RAG rating"), (plan_row.outcome_rag, "outcome RAG rating")):
            problem = _rag_problem(text, column)
            if problem:
                problems.append(problem)
        if plan_row.status and status_from_text(plan_row.status) is None:
            choices = ", ".join(s.label.lower() for s in Status)
            problems.append(f"The status {plan_row.status!r} is not one of {choices}")
        for text, what, limit in (
            (plan_row.timescale, "timescale", 200),
            (reference, "reference", 20),
            (plan_row.strand, "strand name", 200),
        ):
            if len(text) > limit:
                problems.append(
                    f"The {what} is {len(text)} characters long, more than {limit}: check the column choices"
                )
        key = _reference(values)
        if key:
            if key in first_line_for_reference:
                problems.append(f"The reference {key} is also used on row {first_line_for_reference[key]}")
            else:
                first_line_for_reference[key] = number
        rows.append(PreviewRow(plan_row, timescale, due, problems, timescale_problem))
    return Preview(rows=rows, notes=notes)


def rows_to_import(preview: Preview) -> list[PlanRow]:
    """The rows the import writes: problem rows carry their problems and their unreadable values dropped."""
    result = []
    for item in preview.importable:
        row = item.row
        if item.problems:
            row = replace(
                row,
                rag="" if _rag_problem(row.rag, "") else row.rag,
                outcome_rag="" if _rag_problem(row.outcome_rag, "") else row.outcome_rag,
                status=row.status if status_from_text(row.status) else "",
                due_date=row.due_date if read_date(row.due_date) else "",
                problems=tuple(item.problems),
            )
        result.append(row)
    return result
