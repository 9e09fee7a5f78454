"""Import an action plan from rows in the plan's own columns: the one path for CSV files and demo data."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker import clock
from tracker.extensions import db
from tracker.importers.csv_plan import PlanFileError
from tracker.importers.names import means_all_partners, name_key, split_names, split_partners
from tracker.importers.rows import PlanRow
from tracker.importers.timescale import parse_timescale
from tracker.models import (
    Action,
    ActionOwner,
    Agency,
    AgencyAlias,
    Objective,
    OwnerKind,
    Plan,
    Post,
    PostAlias,
    Rag,
    Status,
    Strand,
    User,
)
from tracker.services.history import record_event

_REFERENCE = re.compile(r"^(\d+(?:\.\d+)+)\.?\s+(.*)$", re.DOTALL)
_SUB_OBJECTIVE = re.compile(r"^(\d+)\s*[.)]?\s*(.*)$", re.DOTALL)


@dataclass
class ImportResult:
    plan: Plan
    actions: int = 0
    timescales_to_review: list[str] = field(default_factory=list)


@dataclass
class NameBook:
    """What a plan's shorthand names mean, and which agency each post belongs to."""

    post_aliases: dict[str, list[str]] = field(default_factory=dict)
    agency_aliases: dict[str, list[str]] = field(default_factory=dict)
    # name_key(post) -> (the post's proper spelling, its agency's name)
    known_posts: dict[str, tuple[str, str]] = field(default_factory=dict)


def split_reference(text: str) -> tuple[str, str]:
    """'1.1 Maintain the profile' -> ('1.1', 'Maintain the profile'); unnumbered text has no reference."""
    match = _REFERENCE.match(text.strip())
    if match:
        return match.group(1), match.group(2).strip()
    return "", text.strip()


def parse_sub_objective(cell: str) -> tuple[int | None, str]:
    match = _SUB_OBJECTIVE.match(cell.strip())
    if match:
        return int(match.group(1)), match.group(2).strip()
    return None, cell.strip()


def _rag(row: PlanRow, value: str, column: str) -> Rag:
    try:
        return Rag.from_text(value)
    except ValueError:
        raise PlanFileError(
            f"Row {row.line}: the {column} {value!r} is not a rating. Use Red, Amber, Green, Blue or leave it blank."
        ) from None


def _status(row: PlanRow, delivery: Rag, ongoing: bool) -> Status:
    if row.status:
        wanted = name_key(row.status)
        for status in Status:
            if wanted in {name_key(status.value), name_key(status.label)}:
                return status
        choices = ", ".join(s.label.lower() for s in Status)
        raise PlanFileError(f"Row {row.line}: the status {row.status!r} is not one of {choices}.")
    if delivery is Rag.BLUE:
        return Status.COMPLETE
    if ongoing:
        return Status.ONGOING
    if delivery is not Rag.NOT_RATED:
        return Status.IN_PROGRESS
    return Status.NOT_STARTED


class _Directory:
    """Finds or creates posts and agencies by spelling-proof name, without a query per name."""

    def __init__(self, names: NameBook) -> None:
        self.names = names
        # The administrators' aliases first, so a post's own name wins where both match.
        self.agencies = {
            a.key: a.agency for a in db.session.scalars(select(AgencyAlias).options(joinedload(AgencyAlias.agency)))
        }
        self.agencies |= {name_key(a.name): a for a in db.session.scalars(select(Agency))}
        self.posts = {a.key: a.post for a in db.session.scalars(select(PostAlias).options(joinedload(PostAlias.post)))}
        self.posts |= {name_key(p.name): p for p in db.session.scalars(select(Post))}

    def agency(self, name: str) -> Agency:
        key = name_key(name)
        if key not in self.agencies:
            self.agencies[key] = Agency(name=name)
            db.session.add(self.agencies[key])
        return self.agencies[key]

    def post(self, name: str) -> Post:
        key = name_key(name)
        if key not in self.posts:
            proper_name, agency_name = self.names.known_posts.get(key, (name, ""))
            # A post of "All agencies" (an owner cell naming it) belongs to no agency of its own.
            has_agency = agency_name and not means_all_partners(agency_name)
            post = Post(name=proper_name, agency=self.agency(agency_name) if has_agency else None)
            db.session.add(post)
            self.posts[key] = post
        return self.posts[key]


def import_plan(
    plan_name: str,
    rows: Sequence[PlanRow],
    names: NameBook | None = None,
    description: str = "",
    actor: User | None = None,
    source: str = "a CSV file",
    loaded_at: datetime | None = None,
) -> ImportResult:
    """Create a plan from rows. Raises PlanFileError, leaving nothing saved, if a row cannot be read.

    The caller commits; on error it rolls back.
    """
    names = names or NameBook()
    if db.session.scalar(select(Plan.id).where(Plan.name == plan_name)) is not None:
        raise PlanFileError(f"A plan called {plan_name!r} already exists. Choose another name.")
    now = loaded_at or clock.now()
    plan = Plan(name=plan_name, description=description, created_at=now)
    db.session.add(plan)
    result = ImportResult(plan=plan)
    directory = _Directory(names)
    strands: dict[str, Strand] = {}
    objective: Objective | None = None
    created: list[Action] = []

    for row in rows:
        if not row.actions.strip():
            raise PlanFileError(f"Row {row.line}: the Actions cell is empty. Every row must describe one action.")
        strand_name = " ".join(row.strand.split()) or "Actions"
        strand = strands.get(strand_name.lower())
        if strand is None:
            strand = Strand(name=strand_name, position=len(strands))
            plan.strands.append(strand)
            strands[strand_name.lower()] = strand
            objective = None
        number, statement = parse_sub_objective(row.sub_objective)
        same_as_current = objective is not None and (objective.number, objective.statement) == (number, statement)
        if objective is None or objective.strand is not strand or (row.sub_objective.strip() and not same_as_current):
            objective = Objective(number=number, statement=statement, position=len(strand.objectives))
            strand.objectives.append(objective)

        reference, text = split_reference(row.actions)
        if row.reference is not None:
            reference = row.reference.strip()
            if text.startswith(reference):
                text = text[len(reference) :].strip()
        timescale = parse_timescale(row.timescale)
        if timescale.needs_review:
            result.timescales_to_review.append(f"{reference or text[:40]}: {timescale.text!r}")
        delivery = _rag(row, row.rag, "RAG")
        action = Action(
            reference=reference,
            text=text,
            expected_evidence=row.evidence,
            expected_outcomes=row.outcomes,
            timescale_text=timescale.text,
            timescale_needs_review=timescale.needs_review,
            start_date=timescale.start_date,
            due_date=timescale.due_date,
            baseline_due_date=timescale.due_date,
            status=_status(row, delivery, timescale.ongoing),
            delivery_rag=delivery,
            outcome_rag=_rag(row, row.outcome_rag, "Outcome RAG"),
            position=len(objective.actions),
            created_at=now,
            updated_at=now,
        )
        position = 0
        for kind, cell in ((OwnerKind.ACCOUNTABLE, row.accountable), (OwnerKind.RESPONSIBLE, row.responsible)):
            for post_name in split_names(cell, names.post_aliases):
                action.owners.append(ActionOwner(post=directory.post(post_name), kind=kind, position=position))
                position += 1
        partner_names, action.all_partners = split_partners(row.partners, names.agency_aliases)
        action.partners = [directory.agency(n) for n in partner_names]
        objective.actions.append(action)
        created.append(action)
        result.actions += 1
    db.session.flush()
    for action in created:
        record_event(action, "created", None, None, actor, f"Imported into {plan_name!r} from {source}", at=now)
    db.session.flush()
    return result


def aliases_from_pairs(pairs: Mapping[str, str]) -> dict[str, list[str]]:
    """{"written form": "Name; Other name"} -> {name_key(written): ["Name", "Other name"]}."""
    return {name_key(written): [m.strip() for m in means.split(";") if m.strip()] for written, means in pairs.items()}
