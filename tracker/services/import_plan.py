"""Import an action plan from rows in the plan's own shape: the one path for CSV, Excel and Word files, the CLI and demo data."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, insert, select
from sqlalchemy.orm import joinedload, selectinload

from tracker import clock
from tracker.extensions import db
from tracker.history_values import OWNERS, PARTNERS, Owners, partners_of
from tracker.importers.csv_plan import PlanFileError
from tracker.importers.names import means_all_partners, name_key, split_names, split_partners
from tracker.importers.preview import read_date, status_from_text
from tracker.importers.rows import PlanRow
from tracker.importers.timescale import parse_timescale
from tracker.models import (
    Action,
    ActionMilestone,
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
    action_partners,
)
from tracker.services.history import apply_changes, record_event

_REFERENCE = re.compile(r"^(\d+(?:\.\d+)+)\.?\s+(.*)$", re.DOTALL)
_SUB_OBJECTIVE = re.compile(r"^(\d+)\s*[.)]?\s*(.*)$", re.DOTALL)


@dataclass
class ImportResult:
    plan: Plan
    actions: int = 0  # created
    updated: int = 0  # matched in an existing plan and changed
    unchanged: int = 0  # matched and already the same
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
        status = status_from_text(row.status)
        if status is None:
            choices = ", ".join(s.label.lower() for s in Status)
            raise PlanFileError(f"Row {row.line}: the status {row.status!r} is not one of {choices}.")
        return status
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


@dataclass(frozen=True)
class _RowValues:
    """What one row sets on an action, read and checked."""

    reference: str
    text: str
    fields: dict
    owners: list[tuple[OwnerKind, str]]
    partners: list[str]
    milestones: list[tuple[str, date]]
    timescale_needs_review: bool


def _read_row(row: PlanRow, names: NameBook) -> _RowValues:
    if not row.actions.strip():
        raise PlanFileError(f"Row {row.line}: the Actions cell is empty. Every row must describe one action.")
    reference, text = split_reference(row.actions)
    if row.reference is not None:
        reference = row.reference.strip()
        if text.startswith(reference):
            text = text[len(reference) :].strip()
    timescale = parse_timescale(row.timescale)
    due_date = timescale.due_date
    if row.due_date:
        due_date = read_date(row.due_date)
        if due_date is None:
            raise PlanFileError(
                f"Row {row.line}: the due date {row.due_date!r} cannot be read. Write it as 31/03/2016."
            )
    delivery = _rag(row, row.rag, "RAG")
    # "All agencies" in the Partners cell means every partner agency: a flag, never an agency.
    partner_names, all_partners = split_partners(row.partners, names.agency_aliases)
    fields = {
        "expected_evidence": row.evidence,
        "expected_outcomes": row.outcomes,
        "timescale_text": timescale.text[:200],  # the preview flags a longer one
        "start_date": timescale.start_date,
        "due_date": due_date,
        "status": _status(row, delivery, timescale.ongoing),
        "delivery_rag": delivery,
        "outcome_rag": _rag(row, row.outcome_rag, "Outcome RAG"),
        "all_partners": all_partners,
    }
    owners = [
        (kind, name)
        for kind, cell in ((OwnerKind.ACCOUNTABLE, row.accountable), (OwnerKind.RESPONSIBLE, row.responsible))
        for name in split_names(cell, names.post_aliases)
    ]
    # A name longer than a post's or agency's name can be is a wrong column choice: it is cut, not refused.
    owners = [(kind, name[:200]) for kind, name in owners]
    return _RowValues(
        reference=reference[:20],
        text=text,
        fields=fields,
        owners=owners,
        partners=[name[:200] for name in partner_names],
        milestones=[(m.label[:200], m.due_date) for m in timescale.milestones],
        timescale_needs_review=timescale.needs_review,
    )


class _PlanShape:
    """The plan's strands and sub-objectives, found or made as rows name them."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.strands = {strand.name.lower(): strand for strand in plan.strands}
        self.objective: Objective | None = None

    def objective_for(self, row: PlanRow) -> Objective:
        strand_name = " ".join(row.strand.split())[:200] or "Actions"
        strand = self.strands.get(strand_name.lower())
        if strand is None:
            strand = Strand(name=strand_name, position=len(self.plan.strands))
            self.plan.strands.append(strand)
            self.strands[strand_name.lower()] = strand
        if self.objective is not None and self.objective.strand is not strand:
            self.objective = None
        number, statement = parse_sub_objective(row.sub_objective)
        if self.objective is not None and not row.sub_objective.strip():
            return self.objective
        for objective in strand.objectives:
            if (objective.number, objective.statement) == (number, statement):
                self.objective = objective
                return objective
        if self.objective is None or row.sub_objective.strip():
            self.objective = Objective(number=number, statement=statement, position=len(strand.objectives))
            strand.objectives.append(self.objective)
        return self.objective


def _note(source: str, plan_name: str, row: PlanRow) -> str:
    note = f"Imported into {plan_name!r} from {source}"
    if row.problems:
        note += ". Flagged for review: " + "; ".join(row.problems)
    return note


def import_plan(
    plan_name: str,
    rows: Sequence[PlanRow],
    names: NameBook | None = None,
    description: str = "",
    actor: User | None = None,
    source: str = "a CSV file",
    loaded_at: datetime | None = None,
    into: Plan | None = None,
) -> ImportResult:
    """Create a plan from rows, or bring rows into an existing plan (`into`).

    Into an existing plan, a row matches an action by reference, or by its text where it has
    none; a matched action takes the row's values, each change recorded in its history, and an
    identical row changes nothing. Raises PlanFileError, leaving nothing saved, if a row cannot
    be read. The caller commits; on error it rolls back.
    """
    names = names or NameBook()
    now = loaded_at or clock.now()
    if into is None:
        if db.session.scalar(select(Plan.id).where(Plan.name == plan_name)) is not None:
            raise PlanFileError(f"A plan called {plan_name!r} already exists. Choose another name.")
        plan = Plan(name=plan_name, description=description, created_at=now)
        db.session.add(plan)
    else:
        plan = into
        plan_name = plan.name
    result = ImportResult(plan=plan)
    directory = _Directory(names)
    shape = _PlanShape(plan)
    by_reference, by_text = _existing_actions(plan) if into is not None else ({}, {})
    new_rows: list[_NewAction] = []
    next_position: dict[int, int] = {}  # id(objective) -> the position the next new action takes

    for row in rows:
        values = _read_row(row, names)
        objective = shape.objective_for(row)
        if values.timescale_needs_review:
            result.timescales_to_review.append(f"{values.reference or values.text[:40]}: {row.timescale.strip()!r}")
        existing = by_reference.pop(values.reference, None) if values.reference else None
        if existing is None:
            existing = by_text.pop(name_key(values.text), None)
        if existing is not None:
            if _update_action(existing, values, directory, actor, f"Re-imported from {source}"):
                result.updated += 1
            else:
                result.unchanged += 1
            continue
        if id(objective) not in next_position:
            next_position[id(objective)] = len(objective.actions) if objective.id is not None else 0
        position = next_position[id(objective)]
        next_position[id(objective)] += 1
        owners = _owner_posts(values, directory)
        partners = list(dict.fromkeys(directory.agency(n) for n in values.partners))
        new_rows.append(_NewAction(row, values, objective, position, owners, partners))
        result.actions += 1
    db.session.flush()  # the plan's new strands, objectives, posts and agencies get their ids
    _insert_new_actions(new_rows, now, actor, _note_for(source, plan_name))
    return result


@dataclass
class _NewAction:
    row: PlanRow
    values: _RowValues
    objective: Objective
    position: int
    owners: list[tuple[Post, OwnerKind]]
    partners: list[Agency]


def _note_for(source: str, plan_name: str):
    return lambda row: _note(source, plan_name, row)


def _insert_new_actions(new_rows: list[_NewAction], now: datetime, actor: User | None, note) -> None:
    """Write the new actions and their owners, partners and milestones as bulk INSERTs.

    A plan of thousands of rows must import within the request: the ORM's per-object unit of
    work takes many seconds there, a few multi-row INSERTs take a fraction of that. Each action's
    "created" history entry still goes through the history service.
    """
    if not new_rows:
        return
    # Ids are read back by (sub-objective, position), which the new rows hold uniquely: a
    # multi-row INSERT ... RETURNING in parameter order costs more than the insert itself.
    newest_before = db.session.scalar(select(func.max(Action.id))) or 0
    _insert_rows(
        Action.__table__,
        [
            {
                "objective_id": item.objective.id,
                "reference": item.values.reference,
                "text": item.values.text,
                "timescale_needs_review": item.values.timescale_needs_review,
                "baseline_due_date": item.values.fields["due_date"],
                "position": item.position,
                "created_at": now,
                "updated_at": now,
                "version": 1,
                "is_restricted": False,
                **item.values.fields,
            }
            for item in new_rows
        ],
    )
    objective_ids = sorted({item.objective.id for item in new_rows})
    id_for = {}
    for chunk in range(0, len(objective_ids), 500):
        id_for.update(
            ((objective_id, position), action_id)
            for action_id, objective_id, position in db.session.execute(
                select(Action.id, Action.objective_id, Action.position).where(
                    Action.id > newest_before, Action.objective_id.in_(objective_ids[chunk : chunk + 500])
                )
            )
        )
    ids = [id_for[(item.objective.id, item.position)] for item in new_rows]
    owners = [
        {"action_id": action_id, "post_id": post.id, "kind": kind, "position": position}
        for action_id, item in zip(ids, new_rows, strict=True)
        for position, (post, kind) in enumerate(item.owners)
    ]
    partners = [
        {"action_id": action_id, "agency_id": agency.id}
        for action_id, item in zip(ids, new_rows, strict=True)
        for agency in item.partners
    ]
    milestones = [
        {"action_id": action_id, "label": label, "due_date": due, "position": position}
        for action_id, item in zip(ids, new_rows, strict=True)
        for position, (label, due) in enumerate(item.values.milestones)
    ]
    _insert_rows(ActionOwner.__table__, owners)
    _insert_rows(action_partners, partners)
    _insert_rows(ActionMilestone.__table__, milestones)
    for objective in {id(item.objective): item.objective for item in new_rows}.values():
        db.session.expire(objective, ["actions"])
    created = {}
    for chunk in range(0, len(ids), 1000):
        created.update(
            {a.id: a for a in db.session.scalars(select(Action).where(Action.id.in_(ids[chunk : chunk + 1000])))}
        )
    for action_id, item in zip(ids, new_rows, strict=True):
        record_event(created[action_id], "created", None, None, actor, note(item.row), at=now)
    db.session.flush()


def _insert_rows(table, rows: list[dict]) -> None:
    """Insert many rows in a few statements of many VALUES each, on both databases.

    SQLAlchemy batches an executemany that returns something ("insertmanyvalues", a thousand rows
    a statement); without RETURNING the drivers send one statement per row. What comes back is
    not needed.
    """
    if rows:
        first_column = next(iter(table.primary_key.columns))
        db.session.execute(insert(table).returning(first_column), rows).all()


def _existing_actions(plan: Plan) -> tuple[dict[str, Action], dict[str, Action]]:
    actions = db.session.scalars(
        select(Action)
        .join(Objective, Action.objective_id == Objective.id)
        .join(Strand, Objective.strand_id == Strand.id)
        .where(Strand.plan_id == plan.id)
        .options(
            selectinload(Action.owners).joinedload(ActionOwner.post),
            selectinload(Action.partners),
            selectinload(Action.milestones),
        )
        .order_by(Action.id)
    ).all()
    by_reference = {a.reference: a for a in reversed(actions) if a.reference}
    by_text = {name_key(a.text): a for a in reversed(actions)}
    return by_reference, by_text


def _owner_posts(values: _RowValues, directory: _Directory) -> list[tuple[Post, OwnerKind]]:
    """Each post once per kind: two spellings or an alias can name the same post."""
    return list(dict.fromkeys((directory.post(name), kind) for kind, name in values.owners))


def _update_action(action: Action, values: _RowValues, directory: _Directory, actor: User | None, reason: str) -> bool:
    """Give a matched action the row's values; False when it already had them all."""
    from tracker.services.deadlines import set_due_date

    fields = dict(values.fields)
    new_due = fields.pop("due_date")
    changed = bool(apply_changes(action, {"reference": values.reference, "text": values.text, **fields}, actor, reason))
    if action.timescale_needs_review != values.timescale_needs_review:
        action.timescale_needs_review = values.timescale_needs_review
        changed = True
    if new_due is not None and new_due != action.due_date:
        set_due_date(action, new_due, actor, reason)
        changed = True

    old_owners = Owners.of(action)
    wanted = _owner_posts(values, directory)
    existing = {(owner.post.id if owner.post else None, owner.kind): owner for owner in action.owners}
    owners = []
    for position, (post, kind) in enumerate(wanted):
        owner = existing.get((post.id, kind)) if post.id is not None else None
        owner = owner or ActionOwner(post=post, kind=kind)
        owner.position = position
        owners.append(owner)
    if [(o.post, o.kind) for o in owners] != [(o.post, o.kind) for o in action.owners]:
        action.owners = owners
        record_event(action, OWNERS, old_owners, Owners.of(action), actor, reason)
        changed = True

    old_partners = partners_of(action)
    partners = sorted((directory.agency(n) for n in values.partners), key=lambda agency: agency.name)
    if [a.name for a in partners] != [a.name for a in action.partners]:
        action.partners = partners
        record_event(action, PARTNERS, old_partners, partners_of(action), actor, reason)
        changed = True

    if [(m.label, m.due_date) for m in action.milestones] != values.milestones:
        action.milestones = [
            ActionMilestone(label=label, due_date=due, position=i) for i, (label, due) in enumerate(values.milestones)
        ]
        changed = True
    if changed:
        action.updated_at = clock.now()
    return changed


def aliases_from_pairs(pairs: Mapping[str, str]) -> dict[str, list[str]]:
    """{"written form": "Name; Other name"} -> {name_key(written): ["Name", "Other name"]}."""
    return {name_key(written): [m.strip() for m in means.split(";") if m.strip()] for written, means in pairs.items()}
