"""CSV files as people save them: UTF-8 (with or without a BOM) or Excel's Windows-1252, and
comma, semicolon or tab separated (Excel in many European locales writes semicolons)."""

from __future__ import annotations

import csv
import io

from tracker.importers.tables import Table, UnreadableFile

DELIMITERS = ",;\t"


def decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was in: UTF-8 when it decodes, else Windows-1252."""
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        raise UnreadableFile(
            "The file's characters cannot be read. Save it from Excel as 'CSV UTF-8 (comma delimited)' and upload it again."
        ) from None


def _delimiter(text: str) -> str:
    sample = text[:20000]
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        first_line = sample.split("\n", 1)[0]
        return max(DELIMITERS, key=first_line.count)


def read_csv_table(filename: str, data: bytes) -> Table:
    text, encoding = decode(data)
    delimiter = _delimiter(text)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise UnreadableFile(
            f"The CSV file cannot be read ({error}). Save it again from Excel and upload it again."
        ) from None
    kept = [(number, row) for number, row in enumerate(rows, start=1) if any(cell.strip() for cell in row)]
    notes = []
    if encoding != "UTF-8":
        notes.append(f"The file was read as {encoding} (as Excel saves CSV files on Windows).")
    if delimiter != ",":
        notes.append("The file's columns are separated by " + ("semicolons." if delimiter == ";" else "tabs."))
    return Table(
        name=filename,
        rows=[[cell.strip() for cell in row] for _, row in kept],
        row_numbers=[number for number, _ in kept],
        notes=notes,
    )
