"""A report's files: each format's bytes, its name and its media type, from one ReportData."""

from __future__ import annotations

import re
import unicodedata

from tracker.reports.dataset import ReportData

MEDIA_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "measures-csv": "text/csv; charset=utf-8",
}
FORMAT_NAMES = {"pdf": "PDF", "xlsx": "Excel workbook", "csv": "CSV", "measures-csv": "measures CSV"}
# What the reports page and the command line offer, and what a frozen report keeps: the report in three
# formats, and the measures' own CSV (one row per measure per period).
DOWNLOAD_FORMATS = ("pdf", "xlsx", "csv", "measures-csv")


def slug(text: str) -> str:
    """ "Coventry CSE Plan 2015–17" -> "coventry-cse-plan-2015-17": safe in any file system and header."""
    dashed = re.sub(r"[\u2010-\u2015\u2212]", "-", text)  # en and em dashes separate, as hyphens do
    ascii_text = unicodedata.normalize("NFKD", dashed).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:150] or "report"


def file_stem(data: ReportData) -> str:
    """What the file is, in its name: the plan, the as-at date and the version."""
    stem = f"{slug(data.title)}-as-at-{data.day.isoformat()}"
    return f"{stem}-public" if data.public else stem


def file_name(data: ReportData, file_format: str) -> str:
    if file_format == "measures-csv":
        return f"{file_stem(data)}-measures.csv"
    return f"{file_stem(data)}.{file_format}"


def render(data: ReportData, file_format: str) -> bytes:
    if file_format == "pdf":
        from tracker.reports.pdf import report_pdf_bytes

        return report_pdf_bytes(data)
    if file_format == "xlsx":
        from tracker.reports.xlsx import report_xlsx_bytes

        return report_xlsx_bytes(data)
    if file_format == "csv":
        from tracker.reports.csv import report_csv_bytes

        return report_csv_bytes(data)
    if file_format == "measures-csv":
        from tracker.reports.measures_csv import measures_csv_bytes

        return measures_csv_bytes(data)
    raise ValueError(f"Unknown report format {file_format!r}")
