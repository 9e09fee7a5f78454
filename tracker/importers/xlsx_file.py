"""Excel workbooks: one Table per sheet, as the sheet shows it.

Merged cells fill their value across the whole merged range (a strand name merged down its
rows belongs to each row); hidden rows are left out and listed; a number formatted as a percentage reads as the sheet shows it (0.45 as
"45%"); formulas are read as the values
Excel last calculated, and a formula with no saved value is reported rather than read as blank.

The sheets are read straight from their XML with lxml, streaming: a full openpyxl load builds an
object per cell and takes seconds for a few thousand rows, and the preview must be quick.
openpyxl supplies only the number-format and date rules.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time

from lxml import etree
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.cell import range_boundaries
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from tracker.importers.tables import Table, UnreadableFile

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELATIONSHIP = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_CELL_REFERENCE = re.compile(r"([A-Z]+)(\d+)")
# Untrusted XML: no entity expansion, no network, no huge trees.
_PARSER_OPTIONS = {"resolve_entities": False, "no_network": True, "huge_tree": False}


class _Damaged(Exception):
    pass


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


def _xml(archive: zipfile.ZipFile, name: str):
    try:
        return etree.fromstring(archive.read(name), etree.XMLParser(**_PARSER_OPTIONS))
    except KeyError:
        return None
    except etree.XMLSyntaxError as error:
        raise _Damaged(name) from error


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def _text_of(element) -> str:
    """The text of a shared or inline string, rich-text runs joined, phonetic guides left out."""
    parts = []
    for child in element:
        if child.tag == f"{NS}t":
            parts.append(child.text or "")
        elif child.tag == f"{NS}r":
            parts.extend(t.text or "" for t in child.iter(f"{NS}t"))
    return "".join(parts)


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    root = _xml(archive, "xl/sharedStrings.xml")
    return [] if root is None else [_text_of(si) for si in root.iter(f"{NS}si")]


@dataclass(frozen=True)
class _NumberStyles:
    """The cell style indexes whose number format shows a date, and those showing a percentage."""

    dates: frozenset[int] = frozenset()
    percentages: frozenset[int] = frozenset()


def _is_percentage_format(code: str) -> bool:
    # A % outside quoted text or an escape shows the number times 100: 0.45 is shown (and meant) as 45%.
    return "%" in re.sub(r'"[^"]*"|\\.', "", code)


def _number_styles(archive: zipfile.ZipFile) -> _NumberStyles:
    root = _xml(archive, "xl/styles.xml")
    if root is None:
        return _NumberStyles()
    formats = dict(BUILTIN_FORMATS)
    for number_format in root.iter(f"{NS}numFmt"):
        formats[int(number_format.get("numFmtId", "0"))] = number_format.get("formatCode", "")
    cell_styles = root.find(f"{NS}cellXfs")
    if cell_styles is None:
        return _NumberStyles()
    codes = [formats.get(int(xf.get("numFmtId", "0")), "") for xf in cell_styles.iter(f"{NS}xf")]
    return _NumberStyles(
        dates=frozenset(index for index, code in enumerate(codes) if is_date_format(code)),
        percentages=frozenset(index for index, code in enumerate(codes) if _is_percentage_format(code)),
    )


def _value(cell, shared: list[str], styles: _NumberStyles, epoch) -> tuple[str, bool]:
    """The cell's text, and whether it is a formula with no saved value."""
    kind = cell.get("t", "n")
    value = cell.find(f"{NS}v")
    raw = value.text if value is not None else None
    if kind == "inlineStr":
        inline = cell.find(f"{NS}is")
        return ("" if inline is None else _text_of(inline).strip()), False
    if raw is None:
        return "", cell.find(f"{NS}f") is not None
    if kind == "s":
        return shared[int(raw)].strip(), False
    if kind == "b":
        return ("TRUE" if raw == "1" else "FALSE"), False
    if kind in ("str", "e"):
        return raw.strip(), False
    number = float(raw)
    style = int(cell.get("s", "0"))
    if style in styles.dates:
        return cell_text(from_excel(number, epoch)), False
    if style in styles.percentages:
        return cell_text(round(number * 100, 9)) + "%", False  # as the sheet shows it; rounding undoes binary error
    return cell_text(number), False


def _read_sheet(source, shared: list[str], styles: _NumberStyles, epoch):
    rows: dict[int, dict[int, str]] = {}
    hidden: list[int] = []
    merged: list[str] = []
    unsaved: list[str] = []
    for _, element in etree.iterparse(source, events=("end",), tag=(f"{NS}row", f"{NS}mergeCell"), **_PARSER_OPTIONS):
        if element.tag == f"{NS}mergeCell":
            merged.append(element.get("ref", ""))
            continue
        number = int(element.get("r", "0")) or (max(rows, default=0) + 1)
        cells: dict[int, str] = {}
        for position, cell in enumerate(element.iter(f"{NS}c")):
            match = _CELL_REFERENCE.fullmatch(cell.get("r", ""))
            column = _column_index(match.group(1)) if match else position
            text, formula_without_value = _value(cell, shared, styles, epoch)
            if formula_without_value:
                unsaved.append(cell.get("r", f"row {number}"))
            if text:
                cells[column] = text
        if element.get("hidden") in ("1", "true"):
            hidden.append(number)
        rows[number] = cells
        element.clear()
    return rows, hidden, merged, unsaved


def read_xlsx_tables(filename: str, data: bytes) -> list[Table]:
    damaged = UnreadableFile(
        f"{filename!r} cannot be opened as an Excel workbook: it may be damaged. "
        "Open it in Excel, save it again as .xlsx, and upload it again."
    )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        workbook = _xml(archive, "xl/workbook.xml")
        relationships = _xml(archive, "xl/_rels/workbook.xml.rels")
        if workbook is None or relationships is None:
            raise damaged
        targets = {rel.get("Id"): rel.get("Target", "") for rel in relationships}
        shared = _shared_strings(archive)
        styles = _number_styles(archive)
        properties = workbook.find(f"{NS}workbookPr")
        uses_1904 = properties is not None and properties.get("date1904") in ("1", "true")
        epoch = CALENDAR_MAC_1904 if uses_1904 else CALENDAR_WINDOWS_1900
        tables = []
        for sheet in workbook.iter(f"{NS}sheet"):
            target = targets.get(sheet.get(RELATIONSHIP), "")
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            if path not in archive.namelist():
                continue  # a chart sheet or a broken link: no cells to read
            with archive.open(path) as source:
                rows, hidden, merged, unsaved = _read_sheet(source, shared, styles, epoch)
            tables.append(
                _table(sheet.get("name", "Sheet"), sheet.get("state", "visible"), rows, hidden, merged, unsaved)
            )
    except UnreadableFile:
        raise
    except (zipfile.BadZipFile, _Damaged, etree.XMLSyntaxError, ValueError, IndexError, KeyError, OSError):
        raise damaged from None
    return tables


def _table(name, state, rows, hidden, merged, unsaved) -> Table:
    height = max(rows, default=0)
    width = max((max(cells) + 1 for cells in rows.values() if cells), default=0)
    grid = [[rows.get(r, {}).get(c, "") for c in range(width)] for r in range(1, height + 1)]
    for reference in merged:
        min_col, min_row, max_col, max_row = range_boundaries(reference)
        value = grid[min_row - 1][min_col - 1] if min_row <= height and min_col <= width else ""
        for r in range(min_row - 1, min(max_row, height)):
            for c in range(min_col - 1, min(max_col, width)):
                grid[r][c] = value
    notes = [
        f"Cell {reference} holds a formula with no saved value, so it is read as blank. "
        "Open the file in Excel, save it, and upload it again to read its value."
        for reference in unsaved[:20]
    ]
    if len(unsaved) > 20:
        notes.append(f"And {len(unsaved) - 20} more formulas with no saved value.")
    hidden_set = set(hidden)
    shown_hidden = [n for n in hidden if any(grid[n - 1])]
    if shown_hidden:
        listed = ", ".join(str(n) for n in shown_hidden[:20]) + (" and more" if len(shown_hidden) > 20 else "")
        notes.append(f"Hidden rows were left out: {listed}. Unhide them in Excel to import them.")
    kept = [(n, row) for n, row in enumerate(grid, start=1) if n not in hidden_set and any(row)]
    return Table(
        name=name + (" (hidden sheet)" if state != "visible" else ""),
        rows=[row for _, row in kept],
        row_numbers=[n for n, _ in kept],
        notes=notes,
    )
