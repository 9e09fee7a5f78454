"""Which row is the header, and which field each column holds, suggested from the header's words."""

from __future__ import annotations

import re

from tracker.importers.tables import Table

# The fields a column can be imported into, in the order the mapping page lists them.
FIELDS = {
    "strand": "Strand or theme",
    "sub_objective": "Sub objective",
    "reference": "Reference",
    "actions": "Action",
    "rag": "Delivery RAG",
    "evidence": "Evidence",
    "outcomes": "Outcomes",
    "accountable": "Accountable (posts)",
    "responsible": "Responsible (posts)",
    "timescale": "Timescale",
    "due_date": "Due date",
    "partners": "Partners involved (agencies)",
    "outcome_rag": "Outcome RAG",
    "status": "Status",
}
IGNORE = ""

# Header words as plans write them: the strategy plan's own columns first, then the usual alternatives.
SYNONYMS = {
    "strand": ["strand", "theme", "priority area", "priority", "area", "workstream", "work stream", "strategic priority"],
    "sub_objective": ["sub objective", "sub objectives", "objective", "objectives", "aim"],
    "reference": ["reference", "ref", "ref no", "id", "no", "number", "action no", "action number", "rec no", "item"],
    "actions": [
        "actions", "action", "recommendation", "recommendations", "action required", "actions required",
        "task", "description", "what we will do", "action to be taken",
    ],
    "rag": ["rag", "rag rating", "rag status", "delivery rag", "rating"],
    "evidence": ["evidence", "evidence of completion", "evidence of progress", "how we will know"],
    "outcomes": ["outcomes", "outcome", "expected outcome", "expected outcomes", "impact", "success measure"],
    "accountable": ["accountable", "lead agency", "accountable officer", "strategic lead", "accountable agency"],
    "responsible": [
        "responsible", "lead", "owner", "responsibility", "lead officer", "action owner", "by whom", "who",
        "responsible officer", "lead person",
    ],
    "timescale": [
        "timescale", "timescales", "due", "deadline", "completion date", "target date", "timescale for completion",
        "by when", "when", "target", "date",
    ],
    "due_date": ["due date"],
    "partners": ["partners involved", "partners", "partner agencies", "supporting agencies", "other agencies"],
    "outcome_rag": ["outcome rag", "outcome rating"],
    "status": ["status", "progress", "current status"],
}  # fmt: skip
_FIELD_FOR_WORDS = {words: field for field, names in SYNONYMS.items() for words in names}


def header_words(cell: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", cell.lower()).split())


def _field_for(cell: str) -> str:
    return _FIELD_FOR_WORDS.get(header_words(cell), IGNORE)


def detect_header_row(table: Table, look_at: int = 15) -> int:
    """The row (0-based) that names most known fields; a title row above the header is common."""
    best, best_count = 0, 0
    for index, row in enumerate(table.rows[:look_at]):
        count = sum(1 for cell in row if _field_for(cell))
        if count > best_count:
            best, best_count = index, count
    return best


def suggest_mapping(header: list[str]) -> list[str]:
    """A field for each column (IGNORE where none fits); each field is suggested once, leftmost first."""
    taken: set[str] = set()
    mapping = []
    for cell in header:
        field = _field_for(cell)
        if field and field not in taken:
            taken.add(field)
            mapping.append(field)
        else:
            mapping.append(IGNORE)
    return mapping


def mapping_problems(mapping: list[str]) -> list[str]:
    problems = []
    if "actions" not in mapping:
        problems.append("Choose the column that holds the actions.")
    for field in FIELDS:
        if mapping.count(field) > 1:
            problems.append(f"Choose one column for {FIELDS[field]}: {mapping.count(field)} columns are set to it.")
    return problems
