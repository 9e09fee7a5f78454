"""The one row shape every plan reader produces, in the plan's own columns."""

from __future__ import annotations

from dataclasses import dataclass

# The columns of the board's action plan, as the source documents name them.
PLAN_COLUMNS = (
    "Strand",
    "Sub objective",
    "Actions",
    "RAG",
    "Evidence",
    "Outcomes",
    "Accountable",
    "Responsible",
    "Timescale",
    "Partners involved",
    "Outcome RAG",
)
REQUIRED_COLUMNS = ("Strand", "Actions")
# Columns the tracker adds when it writes a plan out; a reader accepts them back.
DERIVED_COLUMNS = ("Reference", "Due date", "Status", "Effective delivery RAG")


@dataclass(frozen=True)
class PlanRow:
    line: int  # where the row stands in the file, for error messages
    strand: str
    sub_objective: str
    actions: str
    rag: str = ""
    evidence: str = ""
    outcomes: str = ""
    accountable: str = ""
    responsible: str = ""
    timescale: str = ""
    partners: str = ""
    outcome_rag: str = ""
    reference: str | None = None  # given separately only by files the tracker wrote
    status: str = ""
    due_date: str = ""  # a due date given apart from the timescale (the tracker's own export writes one)
    # Problems found in the preview, imported flagged for review (the created event names them).
    problems: tuple[str, ...] = ()


FIELD_FOR_COLUMN = {
    "Strand": "strand",
    "Sub objective": "sub_objective",
    "Actions": "actions",
    "RAG": "rag",
    "Evidence": "evidence",
    "Outcomes": "outcomes",
    "Accountable": "accountable",
    "Responsible": "responsible",
    "Timescale": "timescale",
    "Partners involved": "partners",
    "Outcome RAG": "outcome_rag",
    "Reference": "reference",
    "Status": "status",
    "Due date": "due_date",
}
