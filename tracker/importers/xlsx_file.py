"""Excel workbooks: one Table per sheet, as the sheet shows it.

Merged cells fill their value across the whole merged range (a strand name merged down its
rows belongs to each row); hidden rows are left out and listed; formulas are read as the values
Excel last calculated, and a formula with no saved value is reported rather than read as blank.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, time

from tracker.importers.tables import Table, UnreadableFile


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date() if value.time() == time(0) else value
    if isinstance(value, date) and not isinstance(value, datetime):
        return f"{value.day} {value:%B %Y}"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _has_formulas(data: bytes) -> bool:
    """Whether any sheet holds a formula, read from the sheets' XML without loading the workbook twice."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                with archive.open(name) as sheet:
                    chunk = sheet.read()
                    if b"<f>" in chunk or b"<f " in chunk:
                        return True
    return False


def read_xlsx_tables(filename: str, data: bytes) -> list[Table]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), data_only=True)
        formulas = load_workbook(io.BytesIO(data), data_only=False) if _has_formulas(data) else None
    except Exception:  # openpyxl raises many kinds of error on a damaged file
        raise UnreadableFile(
            f"{filename!r} cannot be opened as an Excel workbook: it may be damaged. "
            "Open it in Excel, save it again as .xlsx, and upload it again."
        ) from None
    tables = []
    for sheet in workbook.worksheets:
        grid = [[cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
        notes: list[str] = []
        for merged in sheet.merged_cells.ranges:
            value = grid[merged.min_row - 1][merged.min_col - 1] if merged.min_row <= len(grid) else ""
            for row in range(merged.min_row - 1, min(merged.max_row, len(grid))):
                for column in range(merged.min_col - 1, merged.max_col):
                    grid[row][column] = value
        if formulas is not None:
            formula_sheet = formulas[sheet.title]
            for row_cells in formula_sheet.iter_rows():
                for cell in row_cells:
                    is_formula = isinstance(cell.value, str) and cell.value.startswith("=")
                    if is_formula and grid[cell.row - 1][cell.column - 1] == "":
                        notes.append(
                            f"Cell {cell.coordinate} holds a formula with no saved value, so it is read as blank. "
                            "Open the file in Excel, save it, and upload it again to read its value."
                        )
        kept_rows, numbers = [], []
        hidden = []
        for number, row in enumerate(grid, start=1):
            if sheet.row_dimensions[number].hidden if number in sheet.row_dimensions else False:
                if any(row):
                    hidden.append(number)
                continue
            if any(cell for cell in row):
                kept_rows.append(row)
                numbers.append(number)
        if hidden:
            shown = ", ".join(str(n) for n in hidden[:20]) + (" and more" if len(hidden) > 20 else "")
            notes.append(f"Hidden rows were left out: {shown}. Unhide them in Excel to import them.")
        name = sheet.title + (" (hidden sheet)" if sheet.sheet_state != "visible" else "")
        tables.append(Table(name=name, rows=kept_rows, row_numbers=numbers, notes=notes))
    return tables
