"""Plan files as boards really send them, built in the tests (python-docx, openpyxl) with fixed content."""

from __future__ import annotations

import io
from datetime import datetime

from docx import Document
from docx.enum.text import WD_BREAK
from openpyxl import Workbook

FIXED_TIME = datetime(2015, 3, 1, 9, 0)
REPORT_HEADER = ["Ref", "Recommendation", "Lead", "Timescale", "RAG"]


def docx_bytes(tables: list[list[list[str]]], paragraphs_between: list[str] | None = None) -> bytes:
    """A Word document: a title, then each table (paragraphs_between[i] before table i+1)."""
    document = Document()
    document.core_properties.created = FIXED_TIME
    document.core_properties.modified = FIXED_TIME
    document.add_paragraph("Serious case review: recommendations and action plan")
    for index, rows in enumerate(tables):
        if index:
            between = (paragraphs_between or [])[index - 1] if paragraphs_between else ""
            paragraph = document.add_paragraph(between)
            paragraph.add_run().add_break(WD_BREAK.PAGE)
        table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                table.cell(r, c).text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def committee_report_docx() -> bytes:
    """A committee report's plan: split across two pages (header repeated), theme rows, a row
    continued on the next line, staged dates, "On-going", an unreadable timescale, no owner."""
    first = [
        REPORT_HEADER,
        ["A", "Prevent", "", "", ""],
        [
            "1.1",
            "Deliver awareness sessions in every secondary school",
            "CSE Co-ordinator / Head of PSHE",
            "Sept 15",
            "Green",
        ],
        ["", "and record attendance by school", "", "", ""],
        [
            "1.2",
            "Publish the problem profile",
            "Police analyst",
            "April 2015 (initial feedback) December 2015",
            "Amber",
        ],
    ]
    second = [
        REPORT_HEADER,
        ["B", "Protect", "", "", ""],
        ["2.1", "Review every missing episode within 72 hours", "Missing Children Team", "On-going", ""],
        ["2.2", "Audit return interviews", "", "Summer 2015", "Red"],
        ["2.3", "Train taxi drivers", "Licensing Manager", "Q3 2015/16", ""],
    ]
    return docx_bytes([first, second])


def xlsx_bytes(sheets: dict[str, list[list[object]]], hidden_rows: dict[str, list[int]] | None = None,
               merged: dict[str, list[str]] | None = None) -> bytes:  # fmt: skip
    workbook = Workbook()
    workbook.properties.created = FIXED_TIME
    workbook.properties.modified = FIXED_TIME
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for number in (hidden_rows or {}).get(name, []):
            sheet.row_dimensions[number].hidden = True
        for cell_range in (merged or {}).get(name, []):
            sheet.merge_cells(cell_range)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def audit_plan_xlsx() -> bytes:
    """An audit action plan: a title row above the header, the usual alternative column names."""
    return xlsx_bytes({
        "Action plan": [
            ["Internal audit: CSE arrangements, action plan"],
            ["ID", "Theme", "Action", "Responsibility", "Target date", "Status"],
            [1, "Governance", "Agree the CSE strategy", "LSCB Business Manager", "31/05/2015", "Complete"],
            [2, "Governance", "Report quarterly to the board", "CSE Co-ordinator", "Q1 2015/16", "In progress"],
            [3, "Training", "Train all frontline staff", "Workforce Development Manager", "March 2016", "Not started"],
        ],
    })  # fmt: skip
