"""A table read from an uploaded file: rows of cell text, before any meaning is given to them.

Every reader (CSV, Excel, Word) produces Tables; read_tables picks the reader from the file's
name and checks that its content really is that kind of file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tracker.importers.csv_plan import PlanFileError

ZIP_SIGNATURE = b"PK\x03\x04"
# Word and Excel files that are password-protected (or from before 2007) are OLE compound files.
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SUPPORTED = (".csv", ".xlsx", ".docx")


class UnreadableFile(PlanFileError):
    """The file as a whole cannot be read: nothing can be previewed or imported."""


@dataclass
class Table:
    """One table or sheet: its rows of cell text (all rows the same width), and what the reader noticed."""

    name: str
    rows: list[list[str]]
    # The file's row number for each row (hidden and blank rows are left out of `rows`).
    row_numbers: list[int] = field(default_factory=list)
    # Things the reader changed or could not read, in plain English ("Row 5 is hidden: left out").
    notes: list[str] = field(default_factory=list)
    # Word tables: numbered rows may continue on the next row, and theme rows name strands.
    from_document: bool = False

    def __post_init__(self) -> None:
        width = max((len(row) for row in self.rows), default=0)
        self.rows = [row + [""] * (width - len(row)) for row in self.rows]
        if not self.row_numbers:
            self.row_numbers = list(range(1, len(self.rows) + 1))

    @property
    def width(self) -> int:
        return len(self.rows[0]) if self.rows else 0

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "rows": self.rows,
            "row_numbers": self.row_numbers,
            "notes": self.notes,
            "from_document": self.from_document,
        }

    @classmethod
    def from_json(cls, data: dict) -> Table:
        return cls(**data)


def extension_of(filename: str) -> str:
    dot = filename.rfind(".")
    return filename[dot:].lower() if dot >= 0 else ""


def read_tables(filename: str, data: bytes) -> list[Table]:
    """Every table in the file, or UnreadableFile saying what is wrong and what to do."""
    extension = extension_of(filename)
    if extension not in SUPPORTED:
        raise UnreadableFile(f"{filename!r} is not a CSV, Excel (.xlsx) or Word (.docx) file. Choose one of those.")
    if not data.strip():
        raise UnreadableFile(f"{filename!r} is empty. Choose the file that holds the plan.")
    if data.startswith(OLE_SIGNATURE):
        raise UnreadableFile(
            f"{filename!r} is password-protected or in an old Excel or Word format (.xls or .doc). "
            "Open it, remove the password, save it as .xlsx or .docx, and upload it again."
        )
    if extension == ".csv":
        if data.startswith(ZIP_SIGNATURE) or b"\x00" in data[:4096]:
            raise UnreadableFile(
                f"{filename!r} is not a CSV file, although its name ends in .csv. "
                "Save the plan as 'CSV (comma delimited)' and upload it again."
            )
        from tracker.importers.csv_file import read_csv_table

        tables = [read_csv_table(filename, data)]
    else:
        if not data.startswith(ZIP_SIGNATURE):
            kind = "an Excel" if extension == ".xlsx" else "a Word"
            raise UnreadableFile(
                f"{filename!r} is not {kind} file, although its name ends in {extension}. "
                "Open it in the program that made it, save it again as "
                f"{extension}, and upload it again."
            )
        _check_package_kind(filename, extension, data)
        if extension == ".xlsx":
            from tracker.importers.xlsx_file import read_xlsx_tables

            tables = read_xlsx_tables(filename, data)
        else:
            from tracker.importers.docx_file import read_docx_tables

            tables = read_docx_tables(filename, data)
    tables = [table for table in tables if any(any(cell.strip() for cell in row) for row in table.rows)]
    if not tables:
        where = "no table" if extension == ".docx" else "no rows"
        raise UnreadableFile(f"{filename!r} has {where} with anything in it. Choose the file that holds the plan.")
    return tables


def _check_package_kind(filename: str, extension: str, data: bytes) -> None:
    """A Word document named .xlsx (or the other way round) is told apart from a damaged file."""
    import io
    import zipfile

    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except zipfile.BadZipFile:
        return  # the reader says the file is damaged
    if extension == ".xlsx" and "word/document.xml" in names:
        raise UnreadableFile(f"{filename!r} is a Word document, although its name ends in .xlsx. Rename it to .docx.")
    if extension == ".docx" and "xl/workbook.xml" in names:
        raise UnreadableFile(f"{filename!r} is an Excel workbook, although its name ends in .docx. Rename it to .xlsx.")


def pick_table(tables: list[Table], sheet: str | None = None, number: int | None = None) -> Table:
    """The table asked for by sheet name or by number (from 1); else the first."""
    if sheet is not None:
        for table in tables:
            if table.name.removesuffix(" (hidden sheet)").lower() == sheet.strip().lower():
                return table
        names = ", ".join(repr(t.name) for t in tables)
        raise UnreadableFile(f"There is no sheet called {sheet!r}. The file has: {names}.")
    if number is not None:
        if not 1 <= number <= len(tables):
            raise UnreadableFile(f"There is no table {number}: the file has {len(tables)}. Choose a number from 1.")
        return tables[number - 1]
    return tables[0]
