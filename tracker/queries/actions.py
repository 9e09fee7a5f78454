"""Lists of actions with their owners and effective RAG, in three queries whatever their number.

The same filters serve the plan page, the action page and every figure on the dashboard, so a
number on the dashboard and the list it links to are counted by one rule. With `as_at` the list
shows the actions as they stood at the end of that day (tracker/queries/as_at.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import ColumnElement, Integer, Select, and_, any_, bindparam, exists, func, literal, or_, select, union
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import aliased

from tracker.cycles import cycle_starts
from tracker.extensions import db
from tracker.importers.names import ALL_PARTNERS_SHOWN
from tracker.models import (
    Action,
    ActionOwner,
    Agency,
    DeadlineChange,
    Objective,
    OwnerKind,
    Plan,
    Post,
    Rag,
    RequestState,
    Status,
    Strand,
    User,
)
from tracker.models.plan import action_partners
from tracker.permissions import sees_restricted, visible_actions_clause
from tracker.queries.changes import Change, ChangesSince
from tracker.queries.states import ActionStates
from tracker.queries.structure import action_to_plan, action_to_strand
from tracker.rag import EffectiveRag, effective_delivery_rag, is_overdue

# Due-date moves are counted up to this many; the last group is "this many or more".
MOVES_CAP = 4


@dataclass(frozen=True)
class ActionFilters:
    plan_id: int | None = None  # None: all plans
    strand_id: int | None = None
    rag: Rag | None = None  # effective delivery RAG
    outcome_rag: Rag | None = None
    agency_id: int | None = None  # involved: owns (through a post) or is a partner
    post_id: int | None = None  # owns, accountable or responsible
    accountable_agency_id: int | None = None  # one of its posts is accountable
    accountable_post_id: int | None = None
    action_ids: tuple[int, ...] | None = None
    overdue: bool = False
    red_or_overdue: bool = False
    due_soon: bool = False  # open and due within DUE_SOON_DAYS
    not_updated: bool = False  # open and not updated this reporting cycle
    no_owner: bool = False  # open with no owner
    no_accountable: bool = False  # open with no accountable post
    no_due_date: bool = False  # open with no due date
    exception: bool = False  # any of red, overdue, no owner, no due date, not updated
    moved: bool = False  # due date moved at least once
    moves: int | None = None  # due date moved exactly this many times (MOVES_CAP: that many or more)
    change: Change | None = None  # since `since`
    since: date | None = None
    as_at: date | None = None  # the view at the end of this past day
    live: bool = False  # leave cancelled actions out (the dashboard counts live actions only)

    @property
    def narrowing(self) -> bool:
        """True when anything but the plan, the past view and the meeting compared with is chosen."""
        ignored = {"plan_id", "as_at", "since", "live"}
        return any(
            getattr(self, name) not in (None, False) for name in self.__dataclass_fields__ if name not in ignored
        )


@dataclass
class ActionRow:
    id: int
    reference: str
    text: str
    expected_evidence: str
    expected_outcomes: str
    plan_id: int
    plan_name: str
    strand_id: int
    strand_name: str
    objective_id: int
    objective_number: int | None
    objective_statement: str
    due_date: date | None
    baseline_due_date: date | None
    timescale_text: str
    timescale_needs_review: bool
    status: Status
    delivery_rag: Rag
    outcome_rag: Rag
    is_restricted: bool
    updated_at: datetime
    effective: EffectiveRag
    is_overdue: bool
    accountable: list[str] = field(default_factory=list)
    responsible: list[str] = field(default_factory=list)
    partners: list[str] = field(default_factory=list)  # agencies named; all_partners says "every one"
    all_partners: bool = False
    accountable_agencies: list[str] = field(default_factory=list)
    last_progress_at: datetime | None = None

    @property
    def partners_shown(self) -> list[str]:
        """Partners involved as pages show them: "All partner agencies" first when it says so."""
        return [ALL_PARTNERS_SHOWN, *self.partners] if self.all_partners else self.partners

    @property
    def owners(self) -> list[str]:
        return self.responsible + [name for name in self.accountable if name not in self.responsible]


def agency_involved_clause(agency_id: int, owners=None):
    """An agency is involved in an action when one of its posts owns it or it is a partner."""
    owners = ActionOwner.__table__ if owners is None else owners
    # "id IN (the agency's actions)", one list read once, not a look-up per action (PostgreSQL
    # otherwise rebuilt a hash of the agency's posts for every action in view). One list, not two
    # ORed: the database then starts from those few actions rather than checking every action.
    agency_posts = select(Post.id).where(Post.agency_id == agency_id)
    owned = select(owners.c.action_id).where(owners.c.post_id.in_(agency_posts))
    partner = select(action_partners.c.action_id).where(action_partners.c.agency_id == agency_id)
    return Action.id.in_(union(owned, partner))


def _overdue_filter(states: ActionStates) -> ColumnElement[bool]:
    """states.overdue() as a filter: open and due before the day.

    The rule's "due date is set" is left to the comparison (an undated action is never before a
    day, and a filter drops it either way). With only one bound on the due date, SQLite no longer
    takes the due-date index for a selective one: it walks the plans in their order and stops at
    the end of the page, instead of fetching and sorting thousands of overdue actions.
    """
    return and_(states.due_date < literal(states.day), states.is_open())


def _accountable(states: ActionStates, post_id: int | None = None, agency_id: int | None = None) -> ColumnElement[bool]:
    """Accountable (as on the day viewed) is the post, or a post of the agency.

    Written as "id IN (the post's actions)" rather than a look-up per action: the database then
    starts from the owners' post index and reads only those few actions, not every action in view.
    """
    owners = states.owners.c
    accountable = select(owners.action_id).where(owners.kind == OwnerKind.ACCOUNTABLE.value)
    if post_id is not None:
        accountable = accountable.where(owners.post_id == post_id)
    if agency_id is not None:
        accountable = accountable.where(owners.post_id.in_(select(Post.id).where(Post.agency_id == agency_id)))
    return Action.id.in_(accountable)


def due_date_moves(moment: datetime | None = None, among: Select | None = None) -> Select:
    """(action_id, moves): how many times each action's due date has moved (up to the moment).

    Read from the deadline history: every agreed change of due date, whether an owner's request
    the co-ordinator approved or the co-ordinator's own (services/deadlines.set_due_date records
    both). A move changes one date to another; the first date given to an undated action is not one.
    """
    statement = select(DeadlineChange.action_id, func.count().label("moves")).where(
        DeadlineChange.state == RequestState.APPROVED.value, DeadlineChange.old_due_date.is_not(None)
    )
    if moment is not None:
        statement = statement.where(DeadlineChange.decided_at <= moment)
    if among is not None:  # only these actions' (a query of ids)
        statement = statement.where(DeadlineChange.action_id.in_(among))
    return statement.group_by(DeadlineChange.action_id)


def structural_scope(filters: ActionFilters, viewer: User, owners_now: bool = False) -> Select | None:
    """The ids of the actions the plan, strand and the viewer's visibility allow (None: all of them).

    Rebuilding the past is done for these only: the rebuild runs before the filters outside it,
    so without this a one-plan view would rebuild every plan. With owners_now (the owners that
    choose the actions are today's) the agency and post chosen narrow it too; otherwise they are
    left to the outer filters, which see the owners as rebuilt.
    """
    action, objective, strand = aliased(Action), aliased(Objective), aliased(Strand)
    clauses = []
    if owners_now and filters.agency_id is not None:
        owner, post = aliased(ActionOwner), aliased(Post)
        clauses.append(
            or_(
                exists().where(
                    owner.action_id == action.id, owner.post_id == post.id, post.agency_id == filters.agency_id
                ),
                exists().where(
                    action_partners.c.action_id == action.id, action_partners.c.agency_id == filters.agency_id
                ),
            )
        )
    if owners_now and filters.post_id is not None:
        owner = aliased(ActionOwner)
        clauses.append(exists().where(owner.action_id == action.id, owner.post_id == filters.post_id))
    if filters.plan_id is not None:
        clauses.append(strand.plan_id == filters.plan_id)
    if filters.strand_id is not None:
        clauses.append(objective.strand_id == filters.strand_id)
    if not sees_restricted(viewer):
        clauses.append(action.is_restricted.is_(False))
    if not clauses:
        return None
    return (
        select(action.id)
        .join(objective, action.objective_id == objective.id)
        .join(strand, objective.strand_id == strand.id)
        .where(*clauses)
    )


@dataclass(frozen=True)
class ActionQuery:
    """Filters turned into SQL for one viewer on one day: the shared core of lists and dashboards."""

    filters: ActionFilters
    viewer: User
    today: date
    states: ActionStates

    @classmethod
    def build(cls, filters: ActionFilters, viewer: User, today: date, *, with_progress: bool = True) -> ActionQuery:
        """with_progress=False: the caller counts and never shows when progress was last reported."""
        among = filters.action_ids if filters.action_ids is not None else structural_scope(filters, viewer)
        states = ActionStates.as_at(filters.as_at, today, among, with_progress=with_progress)
        return cls(filters, viewer, today, states)

    @property
    def day(self) -> date:
        return self.states.day

    def changes(self) -> ChangesSince | None:
        if self.filters.change is None or self.filters.since is None:
            return None
        return ChangesSince.build(self.filters.since, self.states)

    def select_from(self, statement: Select) -> Select:
        """Select from the structure (action to plan) with the state as at the day joined."""
        return self.states.join(statement.select_from(action_to_plan()))

    def scope_clauses(self) -> list[ColumnElement[bool]]:
        """Who may see it, and the plan, strand, agency and post chosen."""
        f, states = self.filters, self.states
        clauses = [visible_actions_clause(self.viewer)]
        if f.plan_id is not None:
            clauses.append(Strand.plan_id == f.plan_id)
        elif f.strand_id is None and f.action_ids is None:
            # No plan chosen: archived plans are left out (a plan, strand or action chosen shows them).
            clauses.append(Strand.plan_id.not_in(select(Plan.id).where(Plan.archived_at.is_not(None))))
        if f.strand_id is not None:
            clauses.append(Objective.strand_id == f.strand_id)
        if f.agency_id is not None:
            clauses.append(agency_involved_clause(f.agency_id, states.owners))
        if f.post_id is not None:
            clauses.append(states.owned_by(f.post_id))
        return clauses

    def clauses(self, starts: dict[int, datetime] | None = None) -> list[ColumnElement[bool]]:
        """Every filter as SQL (`starts`: the reporting periods, read when a filter needs them)."""
        f, states = self.filters, self.states
        clauses = self.scope_clauses()
        if f.live:
            clauses.append(states.status != Status.CANCELLED.value)
        if f.rag is not None:
            clauses.append(states.effective_rag() == f.rag.value)
        if f.outcome_rag is not None:
            clauses.append(states.outcome_rag == f.outcome_rag.value)
        if f.overdue:
            clauses.append(_overdue_filter(states))
        if f.red_or_overdue:
            clauses.append(or_(states.red(), states.overdue()))
        if f.due_soon:
            clauses.append(states.due_soon())
        if f.accountable_agency_id is not None:
            clauses.append(_accountable(states, agency_id=f.accountable_agency_id))
        if f.accountable_post_id is not None:
            clauses.append(_accountable(states, post_id=f.accountable_post_id))
        if f.no_owner:
            clauses.append(states.no_owner())
        if f.no_accountable:
            clauses.append(states.no_owner(OwnerKind.ACCOUNTABLE))
        if f.no_due_date:
            clauses.append(states.no_due_date())
        if f.not_updated or f.exception:
            starts = starts if starts is not None else cycle_starts(self.day)
            clauses.append(states.not_updated(starts) if f.not_updated else states.any_exception(starts))
        if f.action_ids is not None:
            clauses.append(Action.id.in_(f.action_ids))
        if f.moved or f.moves is not None:
            moves = due_date_moves(states.moment).subquery("due_date_moves")
            count = select(moves.c.moves).where(moves.c.action_id == Action.id).scalar_subquery()
            if f.moves is None:
                clauses.append(count >= 1)
            elif f.moves >= MOVES_CAP:
                clauses.append(count >= MOVES_CAP)
            else:
                clauses.append(count == f.moves)
        return clauses

    def statement(self, *columns, starts: dict[int, datetime] | None = None) -> Select:
        """SELECT columns FROM the filtered actions (with the changes since a meeting joined when filtered on)."""
        statement = self.select_from(select(*columns))
        changes = self.changes()
        where = self.clauses(starts)
        if changes is not None:
            statement = changes.join(statement, self.filters.change)
            where.append(changes.predicate(self.filters.change))
        return statement.where(*where)


def row_columns(query: ActionQuery) -> list:
    """The columns an ActionRow is made from, with the state as at the query's day."""
    states = query.states
    return [
        Action.id,
        Action.reference,
        Action.text,
        Action.expected_evidence,
        Action.expected_outcomes,
        Plan.id.label("plan_id"),
        Plan.name.label("plan_name"),
        Strand.id.label("strand_id"),
        Strand.name.label("strand_name"),
        Objective.id.label("objective_id"),
        Objective.number.label("objective_number"),
        Objective.statement.label("objective_statement"),
        states.due_date.label("due_date"),
        Action.baseline_due_date,
        Action.timescale_text,
        Action.timescale_needs_review,
        states.status.label("status"),
        states.delivery_rag.label("delivery_rag"),
        states.outcome_rag.label("outcome_rag"),
        Action.is_restricted,
        Action.all_partners,
        Action.updated_at,
        states.last_progress_at.label("last_progress_at"),
    ]


ROW_FIELDS = frozenset(ActionRow.__dataclass_fields__) - {"effective", "is_overdue"}


def make_row(record, day: date) -> ActionRow:
    """An ActionRow from a result row holding row_columns (and maybe more, which it leaves out)."""
    values = {key: value for key, value in record._asdict().items() if key in ROW_FIELDS}
    return ActionRow(
        **values,
        effective=effective_delivery_rag(record.delivery_rag, record.status, record.due_date, day),
        is_overdue=is_overdue(record.status, record.due_date, day),
    )


def plan_order() -> tuple:
    return (Plan.name, Strand.position, Objective.position, Action.position, Action.id)


def list_actions(
    filters: ActionFilters,
    viewer: User,
    today: date,
    *,
    limit: int | None = None,
    offset: int = 0,
    with_partners: bool = True,
) -> list[ActionRow]:
    """Actions in plan order (plan, strand, objective, action), with owners (and partners) attached."""
    query = ActionQuery.build(filters, viewer, today)
    statement = query.statement(*row_columns(query)).order_by(*plan_order())
    if limit is not None:
        statement = statement.limit(limit).offset(offset)
    rows = {record.id: make_row(record, query.day) for record in db.session.execute(statement)}
    if not rows:
        return []
    # A page of rows names its ids; a long list reuses its own filter rather than thousands of parameters.
    ids = list(rows) if len(rows) <= 1000 else query.statement(Action.id).scalar_subquery()
    attach_owners(rows, query.states, ids)
    if with_partners:
        attach_partners(rows, ids)
    return list(rows.values())


def _among(column: ColumnElement[int], ids) -> ColumnElement[bool]:
    """column IN ids (a list, or a query of them).

    On PostgreSQL a list goes as one array parameter (= ANY): the statement is then the same for
    any number of rows, so it is prepared once, rather than one placeholder per id to write and send.
    """
    if isinstance(ids, list) and db.session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, ids, type_=postgresql.ARRAY(Integer)))
    return column.in_(ids)


def attach_owners(rows: dict[int, ActionRow], states: ActionStates, ids=None) -> None:
    """Fill in the owners, as they were on the day viewed: one query for any number of rows."""
    ids = list(rows) if ids is None else ids
    owners = states.owners
    for action_id, kind, post_name, agency_name in db.session.execute(
        select(owners.c.action_id, owners.c.kind, Post.name, Agency.name)
        .join(Post, owners.c.post_id == Post.id)
        .outerjoin(Agency, Post.agency_id == Agency.id)
        .where(_among(owners.c.action_id, ids))
        .order_by(owners.c.action_id, owners.c.position, Post.name)
    ):
        row = rows[action_id]
        if OwnerKind(kind) is OwnerKind.ACCOUNTABLE:
            row.accountable.append(post_name)
            if agency_name and agency_name not in row.accountable_agencies:
                row.accountable_agencies.append(agency_name)
        else:
            row.responsible.append(post_name)


def attach_partners(rows: dict[int, ActionRow], ids=None) -> None:
    ids = list(rows) if ids is None else ids
    for action_id, agency_name in db.session.execute(
        select(action_partners.c.action_id, Agency.name)
        .join(Agency, action_partners.c.agency_id == Agency.id)
        .where(_among(action_partners.c.action_id, ids))
        .order_by(Agency.name)
    ):
        rows[action_id].partners.append(agency_name)


def count_actions(filters: ActionFilters, viewer: User, today: date) -> int:
    query = ActionQuery.build(filters, viewer, today)
    return db.session.scalar(query.statement(func.count(Action.id))) or 0


@dataclass(frozen=True)
class Choice:
    id: int
    name: str


def plan_filter_choices(plan_id: int) -> tuple[list[Choice], list[Choice]]:
    """The strands of a plan and the agencies involved in it, for the filter menus."""
    strands = [Choice(*r) for r in db.session.execute(
        select(Strand.id, Strand.name).where(Strand.plan_id == plan_id).order_by(Strand.position)
    )]  # fmt: skip
    in_plan = select(Action.id).select_from(action_to_strand()).where(Strand.plan_id == plan_id).scalar_subquery()
    owner_agencies = (
        select(Post.agency_id)
        .join(ActionOwner, ActionOwner.post_id == Post.id)
        .where(ActionOwner.action_id.in_(in_plan))
    )
    partner_agencies = select(action_partners.c.agency_id).where(action_partners.c.action_id.in_(in_plan))
    agencies = [Choice(*r) for r in db.session.execute(
        select(Agency.id, Agency.name)
        .where(or_(Agency.id.in_(owner_agencies), Agency.id.in_(partner_agencies)))
        .order_by(Agency.name)
    )]  # fmt: skip
    return strands, agencies
