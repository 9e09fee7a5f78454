"""The report's data set: one function reads everything a progress report shows, in a fixed number of queries.

Every format (PDF, workbook, CSV) and every frozen report is rendered from the same ReportData, so
the three files of one report always agree. Reads go through the same ActionQuery and ActionStates
as the dashboard, so a past report is the dashboard's past view, and the viewer sees only what
the pages would show them. The public version drops restricted actions and every person's name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import aliased

from tracker.clock import end_of_day
from tracker.extensions import db
from tracker.formatting import format_date
from tracker.models import (
    RAG_ORDER,
    Action,
    Agency,
    DeadlineChange,
    Evidence,
    Objective,
    Plan,
    ProgressUpdate,
    Rag,
    ReportingDate,
    RequestState,
    Status,
    Strand,
    User,
)
from tracker.models.reports import FrozenReport
from tracker.queries.actions import (
    ActionFilters,
    ActionQuery,
    ActionRow,
    agency_involved_clause,
    attach_owners,
    attach_partners,
    due_date_moves,
    make_row,
    plan_order,
    row_columns,
)
from tracker.queries.measures import ReportMeasure, report_measures
from tracker.rag import effective_delivery_rag, is_overdue

PUBLIC_LABEL = "Public version"
FULL_LABEL = "Not for publication"
# Who agreed a deadline, in the public version (only the co-ordinator, an administrator, decides).
COORDINATOR = "the co-ordinator"
# With nothing frozen and no meeting before the report's day, "what changed" looks back this far.
FALLBACK_DAYS = 30
# A long list of ids is passed as the query that chose them rather than as thousands of parameters.
MAX_ID_PARAMETERS = 1000

RAG_KEY = (
    (Rag.RED, "off track and needs intervention"),
    (Rag.AMBER, "at risk or overdue"),
    (Rag.GREEN, "on track"),
    (Rag.BLUE, "complete"),
    (Rag.NOT_RATED, "no rating given yet"),
)
OVERDUE_RULE = (
    "An action past its due date that is neither complete nor cancelled is shown as at least Amber, "
    "whatever its owner reported; a Red rating stays Red. The reason column says when this applies."
)


@dataclass(frozen=True)
class ReportChoice:
    """What a report covers, as chosen on the reports page or the command line."""

    plan_id: int | None = None  # None: all plans
    strand_ids: tuple[int, ...] = ()
    agency_ids: tuple[int, ...] = ()
    as_at: date | None = None  # None: today
    public: bool = False
    since: date | None = None  # the comparison point's day; None: work it out (last frozen, meeting, 30 days)
    since_label: str = ""


@dataclass(frozen=True)
class EvidenceItem:
    title: str
    verified: bool

    @property
    def label(self) -> str:
        return f"{self.title} ({'verified' if self.verified else 'self-reported'})"


@dataclass
class ReportAction:
    row: ActionRow
    moves: int = 0
    latest_update: str = ""
    latest_update_at: datetime | None = None
    latest_update_by: str = ""  # empty in the public version
    evidence: list[EvidenceItem] = field(default_factory=list)

    @property
    def why(self) -> str:
        """Why the effective delivery RAG is what it is, in words."""
        effective = self.row.effective
        if effective.reason:
            return effective.reason
        if effective.rag is Rag.RED and effective.overdue_since:
            return f"Red: as reported, and overdue since {format_date(effective.overdue_since)}"
        if effective.rag is Rag.NOT_RATED:
            return "Not rated: no rating reported"
        return f"{effective.rag.label}: as reported"

    @property
    def due_dates_differ(self) -> bool:
        row = self.row
        return row.baseline_due_date is not None and row.baseline_due_date != row.due_date

    @property
    def exception_reasons(self) -> list[str]:
        row = self.row
        open_ = row.status not in (Status.COMPLETE, Status.CANCELLED)
        reasons = []
        if row.effective.rag is Rag.RED:
            reasons.append("Red")
        if row.is_overdue:
            reasons.append(f"Overdue since {format_date(row.effective.overdue_since)}")
        if open_ and not row.owners:
            reasons.append("No owner")
        if open_ and row.due_date is None:
            reasons.append("No due date")
        return reasons


@dataclass(frozen=True)
class RagMove:
    action: ReportAction
    before: Rag
    after: Rag


@dataclass(frozen=True)
class DeadlineMove:
    action: ReportAction
    old_due_date: date | None
    new_due_date: date
    reason: str
    agreed_by: str
    agreed_on: date


@dataclass
class Changes:
    since: date
    label: str
    rag_moves: list[RagMove] = field(default_factory=list)
    newly_complete: list[ReportAction] = field(default_factory=list)
    newly_overdue: list[ReportAction] = field(default_factory=list)
    added: list[ReportAction] = field(default_factory=list)
    deadline_moves: list[DeadlineMove] = field(default_factory=list)
    no_update: list[ReportAction] = field(default_factory=list)


@dataclass
class StrandCounts:
    plan_name: str
    name: str
    counts: dict[Rag, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class ReportData:
    title: str  # the plan's name, or "All plans"
    plan_names: list[str]
    scope: list[str]  # the strands and agencies chosen, in words
    day: date  # the as-at date
    is_past: bool
    produced_at: datetime
    produced_by: str
    public: bool
    actions: list[ReportAction]
    by_rag: dict[Rag, int]
    by_outcome: dict[Rag, int]
    strands: list[StrandCounts]
    overdue_amber: int
    changes: Changes | None
    measures: list[ReportMeasure] = field(default_factory=list)

    @property
    def version_label(self) -> str:
        return PUBLIC_LABEL if self.public else FULL_LABEL

    @property
    def total(self) -> int:
        return len(self.actions)

    @property
    def exceptions(self) -> list[ReportAction]:
        return [action for action in self.actions if action.exception_reasons]

    @property
    def summary(self) -> str:
        """The headline in plain English: "Of 53 actions, 12 are on track or complete; 38 are Amber, ..."."""
        if not self.actions:
            return "There are no actions in this report."
        on_track = self.by_rag[Rag.GREEN] + self.by_rag[Rag.BLUE]
        parts = [f"{_count(on_track, 'is', 'are')} on track or complete"]
        amber = self.by_rag[Rag.AMBER]
        amber_text = f"{_count(amber, 'is', 'are')} Amber"
        if self.overdue_amber:
            amber_text += f", {self.overdue_amber} of them because {_they(self.overdue_amber)} overdue"
        parts.append(amber_text)
        parts.append(f"{_count(self.by_rag[Rag.RED], 'is', 'are')} Red")
        if self.by_rag[Rag.NOT_RATED]:
            parts.append(f"{_count(self.by_rag[Rag.NOT_RATED], 'is', 'are')} not rated")
        noun = "action" if self.total == 1 else "actions"
        return f"Of {self.total} {noun}, " + "; ".join(parts) + "."

    def figures(self) -> dict:
        """The counts, as kept with a frozen report (JSON)."""
        return {
            "total": self.total,
            "by_rag": {rag.value: self.by_rag[rag] for rag in RAG_ORDER},
            "by_outcome": {rag.value: self.by_outcome[rag] for rag in RAG_ORDER},
            "overdue_amber": self.overdue_amber,
            "exceptions": len(self.exceptions),
            "strands": [
                {"plan": s.plan_name, "strand": s.name, "by_rag": {rag.value: s.counts[rag] for rag in RAG_ORDER}}
                for s in self.strands
            ],
        }


def _count(n: int, singular_verb: str, plural_verb: str) -> str:
    return f"{n} {singular_verb if n == 1 else plural_verb}"


def _they(n: int) -> str:
    return "it is" if n == 1 else "they are"


def _empty_counts() -> dict[Rag, int]:
    return dict.fromkeys(RAG_ORDER, 0)


# --- building it ----------------------------------------------------------------------------------


def build_report(
    choice: ReportChoice,
    viewer: User,
    today: date,
    produced_at: datetime,
    *,
    with_changes: bool = True,
) -> ReportData:
    """Everything the report shows, as plain data (about ten queries, whatever the plan's size).

    with_changes=False leaves out "what changed" (the CSV has no place for it), which saves
    rebuilding the plan at the comparison point.
    """
    filters = ActionFilters(plan_id=choice.plan_id, as_at=choice.as_at)
    query = ActionQuery.build(filters, viewer, today)
    rows = _rows(query, choice)
    actions = {action_id: ReportAction(row) for action_id, row in rows.items()}
    if actions:
        ids = list(actions) if len(actions) <= MAX_ID_PARAMETERS else _scope(query, choice).scalar_subquery()
        attach_owners(rows, query.states, ids)
        attach_partners(rows, ids)
        _attach_progress(actions, ids, query.states.moment, public=choice.public)
        _attach_evidence(actions, ids, query.states.moment)
        _attach_moves(actions, ids, query.states.moment)

    ordered = list(actions.values())
    by_rag, by_outcome = _empty_counts(), _empty_counts()
    strands: dict[tuple[str, str], StrandCounts] = {}
    overdue_amber = 0
    for action in ordered:
        row = action.row
        by_rag[row.effective.rag] += 1
        by_outcome[row.outcome_rag] += 1
        key = (row.plan_name, row.strand_name)
        strands.setdefault(key, StrandCounts(row.plan_name, row.strand_name, _empty_counts())).counts[
            row.effective.rag
        ] += 1
        if row.effective.rag is Rag.AMBER and row.effective.raised:
            overdue_amber += 1

    plan_names, scope = _names(choice)
    changes = None
    if with_changes:
        since, label = _comparison(choice, query.day)
        changes = _changes(actions, query, choice, viewer, today, since, label)
    measures = report_measures(
        viewer,
        query.day,
        plan_id=choice.plan_id,
        strand_ids=choice.strand_ids,
        agency_ids=choice.agency_ids,
        moment=query.states.moment,
        public=choice.public,
    )
    return ReportData(
        title=plan_names[0] if choice.plan_id is not None and plan_names else "All plans",
        plan_names=plan_names,
        scope=scope,
        day=query.day,
        is_past=query.states.is_past,
        produced_at=produced_at,
        produced_by=_producer(viewer, choice.public),
        public=choice.public,
        actions=ordered,
        by_rag=by_rag,
        by_outcome=by_outcome,
        strands=list(strands.values()),
        overdue_amber=overdue_amber,
        changes=changes,
        measures=measures,
    )


def _extra_clauses(query: ActionQuery, choice: ReportChoice) -> list:
    clauses = []
    if choice.public:
        clauses.append(Action.is_restricted.is_(False))
    if choice.strand_ids:
        clauses.append(Objective.strand_id.in_(choice.strand_ids))
    if choice.agency_ids:
        clauses.append(or_(*(agency_involved_clause(a, query.states.owners) for a in choice.agency_ids)))
    return clauses


def _scope(query: ActionQuery, choice: ReportChoice) -> Select:
    return query.statement(Action.id).where(*_extra_clauses(query, choice))


def _rows(query: ActionQuery, choice: ReportChoice) -> dict[int, ActionRow]:
    statement = query.statement(*row_columns(query)).where(*_extra_clauses(query, choice)).order_by(*plan_order())
    return {record.id: make_row(record, query.day) for record in db.session.execute(statement)}


def _attach_progress(actions: dict[int, ReportAction], ids, moment: datetime | None, *, public: bool) -> None:
    """Each action's latest progress update by the moment: one query, one look-up per action on the
    (action, created_at) index, rather than numbering every update ever made."""
    update = aliased(ProgressUpdate)
    latest = select(update.id).where(update.action_id == Action.id)
    if moment is not None:
        latest = latest.where(update.created_at <= moment)
    latest = latest.order_by(update.created_at.desc(), update.id.desc()).limit(1).correlate(Action).scalar_subquery()
    for action_id, commentary, created_at, author in db.session.execute(
        select(Action.id, ProgressUpdate.commentary, ProgressUpdate.created_at, ProgressUpdate.author_name)
        .join(ProgressUpdate, ProgressUpdate.id == latest)
        .where(Action.id.in_(ids))
    ):
        action = actions[action_id]
        action.latest_update = commentary or ""
        action.latest_update_at = created_at
        action.latest_update_by = "" if public else author


def _attach_evidence(actions: dict[int, ReportAction], ids, moment: datetime | None) -> None:
    where = [Evidence.action_id.in_(ids)]
    if moment is not None:
        where.append(Evidence.added_at <= moment)
    verified = Evidence.verified_at.is_not(None)
    if moment is not None:
        verified = and_(verified, Evidence.verified_at <= moment)
    for action_id, title, is_verified in db.session.execute(
        select(Evidence.action_id, Evidence.title, verified).where(*where).order_by(Evidence.action_id, Evidence.id)
    ):
        actions[action_id].evidence.append(EvidenceItem(title, bool(is_verified)))


def _attach_moves(actions: dict[int, ReportAction], ids, moment: datetime | None) -> None:
    among = ids if isinstance(ids, Select) else select(Action.id).where(Action.id.in_(ids))
    for action_id, moves in db.session.execute(due_date_moves(moment, among)):
        actions[action_id].moves = moves


def _names(choice: ReportChoice) -> tuple[list[str], list[str]]:
    """The plans' names, and the strands and agencies chosen in words (one query)."""
    plan_names = list(
        db.session.scalars(
            select(Plan.name).where(Plan.id == choice.plan_id)
            if choice.plan_id is not None
            else select(Plan.name).order_by(Plan.name)
        )
    )
    scope = []
    if choice.strand_ids:
        names = db.session.scalars(
            select(Strand.name).where(Strand.id.in_(choice.strand_ids)).order_by(Strand.position)
        )
        scope.append("Strands: " + ", ".join(names))
    if choice.agency_ids:
        names = db.session.scalars(select(Agency.name).where(Agency.id.in_(choice.agency_ids)).order_by(Agency.name))
        scope.append("Agencies involved: " + ", ".join(names))
    return plan_names, scope


def _producer(viewer: User, public: bool) -> str:
    """Who produced it: their name, or only their role in the public version (it names no person)."""
    role = viewer.role.label.lower()
    if public or not viewer.name:
        return f"an {role}" if role[0] in "aeiou" else f"a {role}"
    return f"{viewer.name} ({role})"


def _comparison(choice: ReportChoice, day: date) -> tuple[date, str]:
    """The day "what changed" compares with: the one chosen, or the last frozen report, or the last meeting."""
    if choice.since is not None:
        return choice.since, choice.since_label or format_date(choice.since)
    same_scope = FrozenReport.plan_id.is_(None) if choice.plan_id is None else FrozenReport.plan_id == choice.plan_id
    frozen = db.session.execute(
        select(FrozenReport.as_at, FrozenReport.meeting_name, FrozenReport.meeting_date)
        .where(same_scope, FrozenReport.as_at < day)
        .order_by(FrozenReport.as_at.desc(), FrozenReport.id.desc())
        .limit(1)
    ).first()
    if frozen is not None:
        as_at, name, meeting_date = frozen
        return as_at, f"the report frozen for {name}, {format_date(meeting_date)} (as at {format_date(as_at)})"
    meeting = select(ReportingDate.meeting_date, ReportingDate.meeting_name).where(ReportingDate.meeting_date < day)
    if choice.plan_id is not None:
        meeting = meeting.where(ReportingDate.plan_id == choice.plan_id)
    last = db.session.execute(meeting.order_by(ReportingDate.meeting_date.desc()).limit(1)).first()
    if last is not None:
        return last[0], f"the last meeting: {last[1]}, {format_date(last[0])}"
    since = date.fromordinal(day.toordinal() - FALLBACK_DAYS)
    return since, f"{FALLBACK_DAYS} days before: {format_date(since)}"


def _changes(
    actions: dict[int, ReportAction],
    query: ActionQuery,
    choice: ReportChoice,
    viewer: User,
    today: date,
    since: date,
    label: str,
) -> Changes:
    """What changed since the comparison day: the actions rebuilt as they stood then (as_at's rule) and compared."""
    changes = Changes(since=since, label=label)
    if not actions:
        return changes
    then_query = ActionQuery.build(ActionFilters(plan_id=choice.plan_id, as_at=since), viewer, today)
    states = then_query.states
    then = {
        action_id: (effective_delivery_rag(rag, status, due, since).rag, status, is_overdue(status, due, since))
        for action_id, rag, status, due in db.session.execute(
            then_query.statement(Action.id, states.delivery_rag, states.status, states.due_date)
        )
    }
    since_moment = end_of_day(since)
    for action_id, action in actions.items():
        row = action.row
        if action_id not in then:
            changes.added.append(action)
            continue
        rag_then, status_then, overdue_then = then[action_id]
        if rag_then is not row.effective.rag:
            changes.rag_moves.append(RagMove(action, rag_then, row.effective.rag))
        if row.status is Status.COMPLETE and status_then is not Status.COMPLETE:
            changes.newly_complete.append(action)
        if row.is_overdue and not overdue_then:
            changes.newly_overdue.append(action)
        is_open = row.status not in (Status.COMPLETE, Status.CANCELLED)
        if is_open and (row.last_progress_at is None or row.last_progress_at <= since_moment):
            changes.no_update.append(action)
    changes.deadline_moves = _deadline_moves(actions, since_moment, query.states.moment, public=choice.public)
    return changes


def _deadline_moves(
    actions: dict[int, ReportAction], since_moment: datetime, moment: datetime | None, *, public: bool
) -> list[DeadlineMove]:
    """Due dates agreed since the comparison day, with the reason and who agreed them (one query)."""
    ids = list(actions)
    where = [
        DeadlineChange.state == RequestState.APPROVED.value,
        DeadlineChange.decided_at > since_moment,
    ]
    if moment is not None:
        where.append(DeadlineChange.decided_at <= moment)
    if len(ids) <= MAX_ID_PARAMETERS:
        where.append(DeadlineChange.action_id.in_(ids))
    moves = []
    for action_id, old, new, reason, decided_at, decider in db.session.execute(
        select(
            DeadlineChange.action_id,
            DeadlineChange.old_due_date,
            DeadlineChange.new_due_date,
            DeadlineChange.reason,
            DeadlineChange.decided_at,
            User.name,
        )
        .outerjoin(User, User.id == DeadlineChange.decided_by_id)
        .where(*where)
        .order_by(DeadlineChange.decided_at, DeadlineChange.id)
    ):
        if action_id not in actions:  # a long list filters here rather than in thousands of parameters
            continue
        agreed_by = COORDINATOR if public or not decider else decider
        moves.append(DeadlineMove(actions[action_id], old, new, reason, agreed_by, decided_at.date()))
    return moves
