"""The board dashboard's figures, aggregated in SQL in a fixed number of queries whatever the plans' size.

One pass works out, for every action in view, the facts the dashboard counts: its effective RAG,
whether it is overdue, due soon, unowned, undated or not updated, how often its due date moved,
and whether it was completed, became overdue or was added since the last meeting. The database
keeps that pass (a materialised CTE) and groups it several ways in the same statement: by strand
and delivery rating (with every other count, outcome ratings included, summed alongside), by
accountable agency and post, by due-date moves; and picks the most serious exceptions and the most
moved deadlines. Only those groups and a few dozen rows reach Python. The RAG mix at each month end (or meeting), and at the last meeting,
is the trend (tracker/queries/trend.py), read from each strand's counts kept for that day, or from
each action's state kept then.

build_dashboard is the one entry point. Nothing it counts is kept: every view counts afresh from
the tables, in a fixed number of statements (see bench/README.md for the time each takes). The
only things kept anywhere are each action's state at each month end and meeting day, and each
strand's counts then, which the nightly job writes and the trend and past views (queries/as_at.py)
start from. Today's effective RAG depends on today's date (an overdue action shows Amber), so it
is always worked out in the query.

The ratings are grouped by strand and delivery rating, with every other count summed alongside:
added up in Python they give the strand and plan bars, the headline and what changed since the
meeting, so one grouping serves them all. The most serious exceptions and most moved
deadlines are picked in the statement, only as many as the tables show.

Every figure is counted with the same filters (ActionQuery) and rules (ActionStates) as the list
it links to, so a number and the list behind it always agree. A past view runs the same statement
over the state as it stood at the end of that day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import (
    CTE,
    CompoundSelect,
    Integer,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    type_coerce,
    union_all,
)

from tracker.cycles import cycle_starts
from tracker.extensions import db
from tracker.models import (
    RAG_ORDER,
    Action,
    Agency,
    OwnerKind,
    Plan,
    Post,
    ProgressUpdate,
    Rag,
    ReportingDate,
    Strand,
    User,
)
from tracker.queries.actions import (
    MOVES_CAP,
    ActionFilters,
    ActionQuery,
    ActionRow,
    due_date_moves,
    list_actions,
)
from tracker.queries.changes import Change, ChangesSince
from tracker.queries.trend import MAX_POINTS, TrendPoint, month_ends, trend_points

# The exceptions table shows the most serious of them; its link lists them all.
EXCEPTIONS_SHOWN = 20
MOST_MOVED_SHOWN = 10
# What "since the last meeting" counts on every view (worse and better are lists: see queries/changes.py).
SINCE_COUNTED = (Change.COMPLETED, Change.NEWLY_OVERDUE, Change.ADDED)
# With no meeting before the day viewed, "since the last meeting" compares with this many days before.
SINCE_FALLBACK_DAYS = 30
EXCEPTION_REASONS = ("Red", "Overdue", "No owner", "No due date", "Not updated this cycle")


def _rag_counts() -> dict[Rag, int]:
    return dict.fromkeys(RAG_ORDER, 0)


@dataclass
class Headline:
    total: int = 0
    by_rag: dict[Rag, int] = field(default_factory=_rag_counts)
    overdue: int = 0
    due_soon: int = 0
    not_updated: int = 0
    no_owner: int = 0
    no_due_date: int = 0
    exceptions: int = 0


@dataclass
class Bar:
    """One stacked bar: a strand (or a plan) and its actions by effective delivery RAG."""

    id: int
    label: str
    plan_id: int
    counts: dict[Rag, int] = field(default_factory=_rag_counts)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class OwnerLine:
    """Red or overdue actions of one accountable post, of one agency (post_id None), or of none."""

    agency_id: int | None
    agency_name: str
    post_id: int | None
    post_name: str
    red_or_overdue: int = 0
    overdue: int = 0
    red: int = 0
    posts: list[OwnerLine] = field(default_factory=list)


@dataclass
class SlippedAction:
    row: ActionRow
    moves: int


@dataclass
class Slippage:
    by_moves: dict[int, int]  # 1 .. MOVES_CAP (the last: that many or more)
    most_moved: list[SlippedAction]

    @property
    def total(self) -> int:
        return sum(self.by_moves.values())


@dataclass
class ExceptionRow:
    row: ActionRow
    reasons: list[str]
    latest_commentary: str = ""
    latest_update_at: datetime | None = None


@dataclass
class SinceMeeting:
    since: date
    meeting_name: str | None  # None: no meeting before the day viewed, so a fixed period is used
    then: dict[Rag, int]  # the RAG mix at the end of the meeting day (rebuilt from history)
    now: dict[Rag, int]
    counts: dict[Change, int]  # completed, newly overdue, added

    def difference(self, rag: Rag) -> int:
        return self.now[rag] - self.then[rag]


@dataclass(frozen=True)
class Meeting:
    plan_id: int
    name: str
    day: date


# Named tuples, not dataclasses: every list page builds hundreds of them for its filters, and a
# frozen dataclass costs several times as much to make.
class StrandChoice(NamedTuple):
    id: int
    name: str
    plan_id: int


@dataclass(frozen=True)
class PlanChoice:
    id: int
    name: str
    started: date
    strands: tuple[StrandChoice, ...]
    archived: bool = False  # left out of the default view; counted when chosen


class PostChoice(NamedTuple):
    id: int
    name: str
    agency_id: int | None


@dataclass(frozen=True)
class Choices:
    """What the filters offer: every plan with its strands, every agency and post."""

    plans: list[PlanChoice]
    agencies: list[tuple[int, str]]
    posts: list[PostChoice]

    def plan(self, plan_id: int | None) -> PlanChoice | None:
        return next((plan for plan in self.plans if plan.id == plan_id), None)

    def strand(self, strand_id: int | None) -> StrandChoice | None:
        return next((s for plan in self.plans for s in plan.strands if s.id == strand_id), None)


def filter_choices() -> Choices:
    """Three small queries, whatever the number of actions."""
    plans: dict[int, tuple[str, date, list[StrandChoice], bool]] = {}
    for plan_id, plan_name, created_at, archived_at, strand_id, strand_name in db.session.execute(
        select(Plan.id, Plan.name, Plan.created_at, Plan.archived_at, Strand.id, Strand.name)
        .outerjoin(Strand, Strand.plan_id == Plan.id)
        .order_by(Plan.name, Strand.position)
    ):
        _, _, strands, _ = plans.setdefault(plan_id, (plan_name, created_at.date(), [], archived_at is not None))
        if strand_id is not None:
            strands.append(StrandChoice(strand_id, strand_name, plan_id))
    agencies = [(a, n) for a, n in db.session.execute(select(Agency.id, Agency.name).order_by(Agency.name))]
    posts = list(
        map(PostChoice._make, db.session.execute(select(Post.id, Post.name, Post.agency_id).order_by(Post.name)))
    )
    return Choices(
        [
            PlanChoice(pid, name, started, tuple(strands), archived)
            for pid, (name, started, strands, archived) in plans.items()
        ],
        agencies,
        posts,
    )


@dataclass
class Dashboard:
    filters: ActionFilters
    day: date
    is_past: bool
    headline: Headline
    strands: list[Bar]
    plans: list[Bar]
    grid: dict[Rag, dict[Rag, int]]  # delivery -> outcome -> actions
    agencies: list[OwnerLine]
    no_accountable: OwnerLine
    trend: list[TrendPoint]
    trend_by_meeting: bool
    slippage: Slippage
    exceptions: list[ExceptionRow]
    since: SinceMeeting


def build_dashboard(
    filters: ActionFilters, viewer: User, today: date, choices: Choices, *, trend_by_meeting: bool = False
) -> Dashboard:
    """Every figure on the dashboard for these filters (plan, strand, agency, post, as_at, since)."""
    scope = ActionFilters(
        plan_id=filters.plan_id,
        strand_id=filters.strand_id,
        agency_id=filters.agency_id,
        post_id=filters.post_id,
        as_at=filters.as_at,
        live=filters.live,
    )
    # Counts only: the rows the tables show are read by list_actions, with their progress.
    query = ActionQuery.build(scope, viewer, today, with_progress=False)
    meetings = _meetings(query)
    since, meeting_name = _since_day(query.day, meetings, filters.since)
    groups = _count(query, since)

    headline, strands, plans, grid, no_accountable, since_counts = _summary(groups, choices)
    exceptions, most_moved = _rows(query, groups["exception"], groups["moved"], filters.as_at)
    trend, by_meeting, at_meeting = _trend(query, headline, choices, meetings, trend_by_meeting, since)
    return Dashboard(
        filters=filters,
        day=query.day,
        is_past=query.states.is_past,
        headline=headline,
        strands=strands,
        plans=plans,
        grid=grid,
        agencies=_by_agency(groups["post"], groups["agency"], choices),
        no_accountable=no_accountable,
        trend=trend,
        trend_by_meeting=by_meeting,
        slippage=Slippage(_by_moves(groups["moves"]), most_moved),
        exceptions=exceptions,
        since=_since(since_counts, since, meeting_name, at_meeting, headline),
    )


# --- the facts pass ------------------------------------------------------------------------


def _flag(condition) -> object:
    return case((condition, 1), else_=0)


def plans_in_view(filters: ActionFilters, choices: Choices) -> list[int]:
    """The plans whose actions a view with these filters counts."""
    plan = choices.plan(filters.plan_id)
    if plan is None and (strand := choices.strand(filters.strand_id)) is not None:
        plan = choices.plan(strand.plan_id)
    # With no plan chosen, the default view leaves archived plans out (their pages stay readable).
    return [plan.id] if plan is not None else [plan.id for plan in choices.plans if not plan.archived]


def _strands_in_view(filters: ActionFilters, choices: Choices) -> list[int]:
    """The strands whose actions a view with these filters counts (before any agency or post is chosen)."""
    if filters.strand_id is not None:
        strand = choices.strand(filters.strand_id)
        if strand is None or filters.plan_id not in (None, strand.plan_id):
            return []
        return [strand.id]
    in_view = set(plans_in_view(filters, choices))
    return [strand.id for plan in choices.plans if plan.id in in_view for strand in plan.strands]


Groups = dict[str, list["_Group"]]


def _count(query: ActionQuery, since: date) -> Groups:
    """The grouped facts of the actions in view, in one statement."""
    statement = _grouped(_facts(query, cycle_starts(query.day), since), query.states.owners)
    groups: Groups = {name: [] for name in SECTIONS}
    # Fetched all at once: a few hundred rows (a row per strand and rating, per post).
    for section, k0, k1, t0, t1, *counts in db.session.execute(statement).all():
        groups[section].append(_Group(k0, k1, t0, t1, tuple(count or 0 for count in counts)))
    return groups


def _facts(query: ActionQuery, starts: dict[int, datetime], since: date) -> CTE:
    """One row per action in view with everything the dashboard counts, computed once."""
    states = query.states
    changes = ChangesSince.build(since, states)
    moves = due_date_moves(states.moment).subquery("moves")
    owners = states.counted_owners()
    rag = states.effective_rag()
    statement = (
        query.statement(
            Action.id.label("id"),
            Strand.id.label("strand_id"),
            rag.label("rag"),
            states.outcome_rag.label("outcome"),
            states.due_date.label("due_date"),
            _flag(states.overdue()).label("overdue"),
            _flag(states.due_soon()).label("due_soon"),
            _flag(states.not_updated(starts)).label("not_updated"),
            _flag(states.no_owner(counts=owners)).label("no_owner"),
            _flag(states.no_due_date()).label("no_due_date"),
            _flag(states.no_owner(OwnerKind.ACCOUNTABLE, counts=owners)).label("no_accountable"),
            moves.c.moves,
            *(_flag(changes.predicate(change)).label(change.value) for change in SINCE_COUNTED),
            starts=starts,
        )
    ).outerjoin(moves, moves.c.action_id == Action.id)
    if owners is not None:
        statement = statement.outerjoin(owners, owners.c.action_id == Action.id)
    # Materialised so each grouping below reads the computed rows rather than recomputing them.
    return statement.cte("facts").prefix_with("MATERIALIZED")


# Each grouping of the facts returns rows of one shape, so they can share one statement:
# (section, two whole-number keys, two text keys, up to eighteen counts).
_INT_KEYS, _TEXT_KEYS, _COUNTS = 2, 2, 18
SECTIONS = ("ratings", "post", "agency", "exception", "moves", "moved")
# The counts of the "ratings" section, in order: summed across strands and ratings they are the
# headline, the actions with no accountable post, what changed since the last meeting, and the
# actions of each outcome rating (the grid: delivery by outcome).
_TOTALS = ("overdue", "due_soon", "not_updated", "no_owner", "no_due_date", "exceptions")
_UNOWNED = ("red_or_overdue", "overdue", "red")
_OUTCOMES_FROM = 1 + len(_TOTALS) + len(_UNOWNED) + len(SINCE_COUNTED)
_RAGS = {rag.value: rag for rag in Rag}


def _section(name: str, ints=(), texts=(), counts=()) -> list:
    # Plain types, so one section's column type (an enum, say) does not decide how another's values are read.
    # Typed NULLs, or PostgreSQL guesses text for a column another section fills with numbers.
    columns = [literal(name, String).label("section")]
    columns += [type_coerce(c, Integer) for c in ints] + [cast(null(), Integer)] * (_INT_KEYS - len(ints))
    columns += [type_coerce(c, String) for c in texts] + [cast(null(), String)] * (_TEXT_KEYS - len(texts))
    columns += [type_coerce(c, Integer) for c in counts] + [cast(null(), Integer)] * (_COUNTS - len(counts))
    labels = [f"k{n}" for n in range(_INT_KEYS)] + [f"t{n}" for n in range(_TEXT_KEYS)]
    labels += [f"n{n}" for n in range(_COUNTS)]
    return [columns[0], *(c.label(label) for c, label in zip(columns[1:], labels, strict=True))]


def _grouped(facts: CTE, owners) -> CompoundSelect:
    """All the groupings of the facts in one statement (see the module docstring)."""
    f = facts.c
    red = f.rag == Rag.RED.value
    either = or_(red, f.overdue == 1)
    exception = or_(red, f.overdue == 1, f.no_owner == 1, f.no_due_date == 1, f.not_updated == 1)
    seriousness = case((red, 0), (f.overdue == 1, 1), (f.no_owner == 1, 2), (f.no_due_date == 1, 3), else_=4).label(
        "seriousness"
    )
    unowned = and_(either, f.no_accountable == 1)

    # By strand and delivery rating: the strand bars, the plans' bars and, added up, the headline,
    # what changed since the meeting and the grid (each outcome rating counted alongside, rather
    # than grouping every action a second time). A few hundred rows.
    ratings = select(
        *_section(
            "ratings",
            ints=[f.strand_id],
            texts=[f.rag],
            counts=[
                func.count(),
                func.sum(f.overdue),
                func.sum(f.due_soon),
                func.sum(f.not_updated),
                func.sum(f.no_owner),
                func.sum(f.no_due_date),
                func.sum(_flag(exception)),
                func.sum(_flag(unowned)),
                func.sum(_flag(and_(unowned, f.overdue == 1))),
                func.sum(_flag(and_(unowned, red))),
                *(func.sum(f[change.value]) for change in SINCE_COUNTED),
                *(func.sum(_flag(f.outcome == outcome.value)) for outcome in RAG_ORDER),
            ],
        )
    ).group_by(f.strand_id, f.rag)

    # Each red or overdue action with each of its accountable posts (one row each: an owner is one
    # post in one kind), kept so both groupings read it.
    attention = (
        select(f.id, Post.agency_id, Post.id.label("post_id"), f.overdue, _flag(red).label("red"))
        .select_from(facts)
        .join(owners, owners.c.action_id == f.id)
        .join(Post, owners.c.post_id == Post.id)
        # Written as a comparison of a flag: PostgreSQL has no statistics for the facts, and guessed
        # the plain OR kept 1% of them, so it looked each one's owners up one at a time.
        .where(_flag(either) > 0, owners.c.kind == OwnerKind.ACCOUNTABLE.value)
        .cte("attention")
        .prefix_with("MATERIALIZED")
    )
    a = attention.c
    per_agency = select(a.id, a.agency_id, a.overdue, a.red).distinct().subquery("per_agency")
    by_post = select(
        *_section("post", ints=[a.agency_id, a.post_id], counts=[func.count(), func.sum(a.overdue), func.sum(a.red)])
    ).group_by(a.agency_id, a.post_id)
    by_agency = select(
        *_section(
            "agency",
            ints=[per_agency.c.agency_id],
            counts=[func.count(), func.sum(per_agency.c.overdue), func.sum(per_agency.c.red)],
        )
    ).group_by(per_agency.c.agency_id)

    # The most serious exceptions and the most moved deadlines, as the tables show them.
    most_serious = (
        select(
            f.id,
            cast(f.due_date, String).label("due"),  # ISO text on both databases
            seriousness,
            _flag(red).label("red"),
            f.overdue,
            f.no_owner,
            f.no_due_date,
            f.not_updated,
        )
        .where(exception)
        .order_by(seriousness, f.due_date.asc().nulls_last(), f.id)
        .limit(EXCEPTIONS_SHOWN)
        .subquery("most_serious")
    )
    most_moved = (
        select(f.id, f.moves)
        .where(f.moves >= 1)
        .order_by(f.moves.desc(), f.id)
        .limit(MOST_MOVED_SHOWN)
        .subquery("most_moved")
    )
    bucket = case((f.moves >= MOVES_CAP, MOVES_CAP), else_=f.moves)
    exception_flags = ("seriousness", "red", "overdue", "no_owner", "no_due_date", "not_updated")
    return union_all(
        ratings,
        by_post,
        by_agency,
        select(
            *_section(
                "exception",
                ints=[most_serious.c.id],
                texts=[most_serious.c.due],
                counts=[most_serious.c[name] for name in exception_flags],
            )
        ),
        select(*_section("moves", ints=[bucket], counts=[func.count()])).where(f.moves >= 1).group_by(bucket),
        select(*_section("moved", ints=[most_moved.c.id], counts=[most_moved.c.moves])),
    )


@dataclass(frozen=True, slots=True)
class _Group:
    """One row of the grouped facts: its keys and its counts."""

    k0: int | None
    k1: int | None
    t0: str | None
    t1: str | None
    counts: tuple[int, ...]


# --- turning the groups into figures -------------------------------------------------------------


def _counts(row: _Group, how_many: int) -> list[int]:
    return list(row.counts[:how_many])


def _summary(
    groups: Groups, choices: Choices
) -> tuple[Headline, list[Bar], list[Bar], dict, OwnerLine, dict[Change, int]]:
    strand_choices = {s.id: s for plan in choices.plans for s in plan.strands}
    plan_names = {plan.id: plan.name for plan in choices.plans}
    headline = Headline()
    unowned = OwnerLine(None, "", None, "No accountable post named")
    strands: dict[int, Bar] = {}
    plans: dict[int, Bar] = {}
    grid = {rag: dict.fromkeys(RAG_ORDER, 0) for rag in RAG_ORDER}
    rows = groups["ratings"]
    # Column by column, the counts added up across strands and ratings (a few hundred rows).
    sums = [sum(column) for column in zip(*(row.counts for row in rows), strict=True)] or [0] * _COUNTS
    headline.total, *totals = sums[: 1 + len(_TOTALS)]
    for name, value in zip(_TOTALS, totals, strict=True):
        setattr(headline, name, value)
    unowned_from = 1 + len(_TOTALS)
    for name, value in zip(_UNOWNED, sums[unowned_from : unowned_from + len(_UNOWNED)], strict=True):
        setattr(unowned, name, value)
    since = dict(zip(SINCE_COUNTED, sums[unowned_from + len(_UNOWNED) : _OUTCOMES_FROM], strict=True))
    for row in rows:
        n, rag, strand = row.counts[0], _RAGS[row.t0], strand_choices[row.k0]
        headline.by_rag[rag] += n
        for outcome, actions in zip(RAG_ORDER, row.counts[_OUTCOMES_FROM:], strict=True):
            grid[rag][outcome] += actions
        bar = strands.get(strand.id)
        if bar is None:
            bar = strands[strand.id] = Bar(strand.id, strand.name, strand.plan_id)
            plans.setdefault(strand.plan_id, Bar(strand.plan_id, plan_names[strand.plan_id], strand.plan_id))
        bar.counts[rag] += n
        plans[strand.plan_id].counts[rag] += n
    order = {s.id: n for n, s in enumerate(s for plan in choices.plans for s in plan.strands)}
    strand_bars = sorted(strands.values(), key=lambda bar: order[bar.id])
    plan_bars = sorted(plans.values(), key=lambda bar: bar.label)
    if len(plan_bars) > 1:  # strand names repeat across plans ("Prevent"): say which plan
        for bar in strand_bars:
            bar.label = f"{plan_names[bar.plan_id]}: {bar.label}"
    return headline, strand_bars, plan_bars, grid, unowned, since


def _by_agency(post_rows, agency_rows, choices: Choices) -> list[OwnerLine]:
    agency_names = dict(choices.agencies)
    post_names = {post.id: post.name for post in choices.posts}
    agencies: dict[int | None, OwnerLine] = {}
    for row in agency_rows:
        name = agency_names.get(row.k0, "No agency")
        agencies[row.k0] = OwnerLine(row.k0, name, None, "", *_counts(row, 3))
    for row in post_rows:
        line = agencies[row.k0]
        line.posts.append(OwnerLine(row.k0, line.agency_name, row.k1, post_names[row.k1], *_counts(row, 3)))
    for line in agencies.values():
        line.posts.sort(key=lambda post: (-post.red_or_overdue, post.post_name))
    return sorted(agencies.values(), key=lambda a: (-a.red_or_overdue, a.agency_id is None, a.agency_name))


def _by_moves(rows) -> dict[int, int]:
    by_moves = dict.fromkeys(range(1, MOVES_CAP + 1), 0)
    for row in rows:
        by_moves[int(row.k0)] = _counts(row, 1)[0]
    return by_moves


def _since(
    counts: dict[Change, int], since: date, meeting_name: str | None, then: TrendPoint, now: Headline
) -> SinceMeeting:
    return SinceMeeting(since, meeting_name, dict(then.counts), dict(now.by_rag), counts)


def _rows(
    query: ActionQuery, exception_rows, moved_rows, as_at: date | None
) -> tuple[list[ExceptionRow], list[SlippedAction]]:
    """The exceptions and most-moved actions in full, with owners and latest commentary: four queries."""
    reasons, seriousness = {}, {}
    for row in exception_rows:  # counts: how serious (0 most), then one flag per reason
        serious, *flags = _counts(row, 1 + len(EXCEPTION_REASONS))
        seriousness[int(row.k0)] = serious
        reasons[int(row.k0)] = [reason for reason, flag in zip(EXCEPTION_REASONS, flags, strict=True) if flag]
    exception_ids = list(seriousness)
    moved = {int(row.k0): _counts(row, 1)[0] for row in moved_rows}
    ids = list(dict.fromkeys(exception_ids + list(moved)))
    if not ids:
        return [], []
    rows = {
        row.id: row
        # The dashboard's tables name owners, not partners.
        for row in list_actions(
            ActionFilters(action_ids=tuple(ids), as_at=as_at), query.viewer, query.today, with_partners=False
        )
    }
    # The order the statement chose them in (a UNION ALL keeps no order): most serious, soonest due, first added.
    found = sorted(
        (i for i in exception_ids if i in rows),
        key=lambda i: (seriousness[i], rows[i].due_date is None, rows[i].due_date or date.min, i),
    )
    exceptions = [ExceptionRow(rows[i], reasons[i]) for i in found]
    _attach_commentary(exceptions, query)
    most_moved = sorted(
        (SlippedAction(rows[i], moves) for i, moves in moved.items() if i in rows),
        key=lambda s: (-s.moves, s.row.id),
    )
    return exceptions, most_moved


def _attach_commentary(exceptions: list[ExceptionRow], query: ActionQuery) -> None:
    if not exceptions:
        return
    ids = [line.row.id for line in exceptions]
    latest = select(
        ProgressUpdate.action_id,
        ProgressUpdate.commentary,
        ProgressUpdate.created_at,
        func.row_number()
        .over(
            partition_by=ProgressUpdate.action_id,
            order_by=(ProgressUpdate.created_at.desc(), ProgressUpdate.id.desc()),
        )
        .label("n"),
    ).where(ProgressUpdate.action_id.in_(ids))
    if query.states.moment is not None:
        latest = latest.where(ProgressUpdate.created_at <= query.states.moment)
    latest = latest.subquery("latest")
    by_id = {line.row.id: line for line in exceptions}
    for action_id, commentary, created_at in db.session.execute(
        select(latest.c.action_id, latest.c.commentary, latest.c.created_at).where(latest.c.n == 1)
    ):
        by_id[action_id].latest_commentary = commentary
        by_id[action_id].latest_update_at = created_at


# --- meetings and the trend -------------------------------------------------------------------


def _meetings(query: ActionQuery) -> list[Meeting]:
    """The meetings before the day viewed, of the plans in view, oldest first."""
    statement = select(ReportingDate.plan_id, ReportingDate.meeting_name, ReportingDate.meeting_date).where(
        ReportingDate.meeting_date < query.day
    )
    f = query.filters
    if f.plan_id is not None:
        statement = statement.where(ReportingDate.plan_id == f.plan_id)
    elif f.strand_id is not None:
        statement = statement.where(
            ReportingDate.plan_id == select(Strand.plan_id).where(Strand.id == f.strand_id).scalar_subquery()
        )
    statement = statement.order_by(ReportingDate.meeting_date, ReportingDate.meeting_name)
    return [Meeting(plan_id, name, day) for plan_id, name, day in db.session.execute(statement)]


def _since_day(day: date, meetings: Sequence[Meeting], asked: date | None) -> tuple[date, str | None]:
    """The day "since the last meeting" compares with: the one asked for, the last meeting, or 30 days before."""
    if asked is not None and asked < day:
        return asked, next((m.name for m in reversed(meetings) if m.day == asked), None)
    if meetings:
        return meetings[-1].day, meetings[-1].name
    return day - timedelta(days=SINCE_FALLBACK_DAYS), None


def _trend(
    query: ActionQuery,
    headline: Headline,
    choices: Choices,
    meetings: list[Meeting],
    by_meeting: bool,
    since: date,
) -> tuple[list[TrendPoint], bool, TrendPoint]:
    """The RAG mix at each month end (or meeting) before the day viewed, then on the day itself.

    Also the mix at the end of the `since` day, counted (and kept) with the trend's points.
    """
    f = query.filters
    by_meeting = by_meeting and f.plan_id is not None and bool(meetings)
    if by_meeting:
        days = sorted({meeting.day for meeting in meetings})[-MAX_POINTS:]
    else:
        plan = choices.plan(f.plan_id)
        strand = choices.strand(f.strand_id)
        if strand is not None and plan is None:
            plan = choices.plan(strand.plan_id)
        started = [plan.started] if plan else [p.started for p in choices.plans]
        days = month_ends(min(started), query.day) if started else []
    counted = {point.day: point for point in trend_points(query, sorted({*days, since}), _strands_in_view(f, choices))}
    points = [counted[day] for day in days] + [TrendPoint(query.day, dict(headline.by_rag))]
    return points, by_meeting, counted[since]
