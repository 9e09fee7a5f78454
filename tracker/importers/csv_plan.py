"""Read an action plan saved as CSV (from Excel or from the tracker's own export)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from tracker.importers.rows import FIELD_FOR_COLUMN, REQUIRED_COLUMNS, PlanRow


class PlanFileError(ValueError):
    """A problem with the file as a whole or with one row, said in plain English."""


def _normalise_header(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").split()).lower()


def read_plan_csv(text: str | Iterable[str]) -> list[PlanRow]:
    """Parse CSV text into plan rows. Blank rows are skipped; unknown columns are ignored."""
    if isinstance(text, str):
        text = io.StringIO(text.removeprefix("\ufeff"), newline="")
    reader = csv.reader(text)
    try:
        header = next(reader)
    except StopIteration:
        raise PlanFileError("The file is empty. Choose a CSV file with a header row and one row per action.") from None
    known = {column.lower(): field for column, field in FIELD_FOR_COLUMN.items()}
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        field = known.get(_normalise_header(name))
        if field and field not in positions:
            positions[field] = index
    missing = [column for column in REQUIRED_COLUMNS if FIELD_FOR_COLUMN[column] not in positions]
    if missing:
        raise PlanFileError(
            f"The file has no {' or '.join(repr(m) for m in missing)} column. The first row must name the plan's columns."
        )

    rows: list[PlanRow] = []
    for line, record in enumerate(reader, start=2):
        if not any(cell.strip() for cell in record):
            continue
        values = {field: (record[index].strip() if index < len(record) else "") for field, index in positions.items()}
        if "reference" not in positions:
            values.pop("reference", None)
        rows.append(PlanRow(line=line, **{"sub_objective": "", **values}))
    if not rows:
        raise PlanFileError("The file has a header row but no actions.")
    return rows
