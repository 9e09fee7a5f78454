"""Word documents: every table, with a table split across pages joined back into one.

A committee report's plan is often one table per page: the header row repeated on each, or
pasted as separate tables of the same shape. Cells merged across columns are read once, in their first column; cells merged down
the rows belong to each row.
"""

from __future__ import annotations

import io

from tracker.importers.tables import Table, UnreadableFile


def _rows(table) -> list[list[str]]:
    rows = []
    for row in table.rows:
        cells, seen = [], None
        for cell in row.cells:
            # A cell spanning several grid columns is returned once per column: its text goes in
            # the first, so columns stay aligned with the rows above and below.
            if cell._tc is seen:
                cells.append("")
                continue
            seen = cell._tc
            cells.append("\n".join(p.text.strip() for p in cell.paragraphs).strip())
        rows.append(cells)
    return rows


def _same(a: list[str], b: list[str]) -> bool:
    return [" ".join(cell.lower().split()) for cell in a] == [" ".join(cell.lower().split()) for cell in b]


def read_docx_tables(filename: str, data: bytes) -> list[Table]:
    from docx import Document
    from docx.oxml.ns import qn
    from docx.table import Table as WordTable

    try:
        document = Document(io.BytesIO(data))
    except Exception:  # python-docx raises several kinds of error on a damaged file
        raise UnreadableFile(
            f"{filename!r} cannot be opened as a Word document: it may be damaged. "
            "Open it in Word, save it again as .docx, and upload it again."
        ) from None

    tables: list[Table] = []
    text_since_last_table = False
    for element in document.element.body.iterchildren():
        if element.tag == qn("w:p"):
            if "".join(element.itertext()).strip():
                text_since_last_table = True
            continue
        if element.tag != qn("w:tbl"):
            continue
        rows = [row for row in _rows(WordTable(element, document)) if any(row)]
        if not rows:
            continue
        previous = tables[-1] if tables else None
        if previous is not None and previous.rows:
            header = previous.rows[0]
            width = max(len(row) for row in rows)
            if _same(rows[0], header):
                previous.rows.extend(rows[1:])
                previous.notes.append(
                    f"Table {len(tables) + 1} continues table {len(tables)}: its header row was left out."
                )
                previous.__post_init__()
                text_since_last_table = False
                continue
            if width == previous.width and not text_since_last_table:
                previous.rows.extend(rows)
                previous.notes.append(f"A table with the same columns follows table {len(tables)}: it was joined on.")
                previous.__post_init__()
                continue
        tables.append(Table(name=f"Table {len(tables) + 1}", rows=rows, from_document=True))
        text_since_last_table = False
    for table in tables:
        table.row_numbers = list(range(1, len(table.rows) + 1))
    return tables
