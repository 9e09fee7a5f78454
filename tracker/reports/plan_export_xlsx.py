"""The plan in its own columns as an Excel workbook: the same rows as the CSV export, and importable back."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font

from tracker.models import User
from tracker.reports.plan_export import plan_rows

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Wide enough to read the long text columns without resizing; the others stay narrow.
_WIDTHS = {"Actions": 60, "Sub objective": 40, "Evidence": 40, "Outcomes": 40, "Strand": 20}


def plan_xlsx_bytes(plan_id: int, plan_name: str, viewer: User, today: date) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Plan")
    rows = plan_rows(plan_id, viewer, today)
    header = next(rows)
    for index, name in enumerate(header):
        sheet.column_dimensions[_column_letter(index)].width = _WIDTHS.get(name, 18)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    heading = []
    for name in header:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        heading.append(cell)
    sheet.append(heading)
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        cells = []
        for value in row:
            # Every value is written as text, so Excel never reads one as a formula or a number.
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            cell.alignment = wrap
            cells.append(cell)
        sheet.append(cells)
    workbook.properties.title = plan_name
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)
