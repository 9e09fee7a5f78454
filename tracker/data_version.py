"""Numbers that move on after every committed change to the tracker's data.

Counting the whole dashboard takes a tenth of a second or more at scale, yet between two changes
to the data every view of it counts the same thing. Pages that cost that much keep what they
counted per worker process, under these numbers (tracker/queries/dashboard.py): a kept result is
used only while its numbers are unchanged, so nothing shown is older than the data.

There are two kinds of number:
- one for everything (DataVersion), moved on by any change that is not to a single plan's
  actions: plans, strands, objectives, posts, agencies, reporting dates, bulk statements;
- one per plan (PlanDataVersion), moved on by a change to that plan's actions alone: the action
  itself, its owners, partners, progress updates, evidence, history and deadline changes. That is
  what owners do all day, and it leaves what was counted for every other plan still good.

Changes are seen in the app's ORM session: a flush with new, changed or deleted objects, or an
INSERT, UPDATE, DELETE or raw SQL statement executed through it (counted as a change to
everything, unless it only touches a table no kept result reads). That is how every service in the
tracker writes. Writes that bypass the session (a migration, psql) are not seen; the next change
through the app moves the numbers on anyway.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import current_app, has_app_context, has_request_context, request
from flask_sqlalchemy.session import Session as AppSession
from sqlalchemy import BigInteger, TextClause, event, inspect, literal, select, union_all, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from tracker.extensions import db
from tracker.models import (
    AccountToken,
    Action,
    ActionOwner,
    AdminLogEntry,
    DataVersion,
    DeadlineChange,
    Evidence,
    HistoryEntry,
    ImportUpload,
    Notification,
    Objective,
    Plan,
    PlanDataVersion,
    ProgressUpdate,
    RagTrendPoint,
    ReminderEmail,
    SignInEvent,
    SignInThrottle,
    Strand,
    User,
)

_CHANGED = "tracker_data_changed"
_VERSIONS_READ = "tracker_versions_read"
T = TypeVar("T")

# Rows that belong to one action: a change to them is a change to that action's plan alone.
_PARTS_OF_AN_ACTION = (ActionOwner, DeadlineChange, Evidence, HistoryEntry, ProgressUpdate)
# Rows no kept result reads (a dashboard depends on its viewer only through the key it is kept
# under): changing them moves no number. A new kind of kept result must not read these tables.
_NOT_COUNTED = (
    AccountToken,
    AdminLogEntry,
    DataVersion,
    ImportUpload,
    Notification,
    PlanDataVersion,
    RagTrendPoint,
    ReminderEmail,
    # Sign-in events and the throttle's counters: every sign-in writes them, and a refused link
    # (tracker/services/link_throttle.py) commits its count; neither may throw away the dashboard.
    SignInEvent,
    SignInThrottle,
    User,
)
_NOT_COUNTED_TABLES = frozenset(model.__table__.name for model in _NOT_COUNTED)


@dataclass(frozen=True)
class Versions:
    everything: int | None  # None before the first change: then nothing may be kept
    plans: dict[int, int]

    def of(self, plan_ids: Iterable[int] = ()) -> tuple[int, ...] | None:
        """The numbers a result over these plans depends on (None: it may not be kept)."""
        if self.everything is None:
            return None
        return (self.everything, *(self.plans.get(plan_id, 0) for plan_id in plan_ids))


def current() -> int | None:
    """The number for everything now."""
    return db.session.scalar(select(DataVersion.version).where(DataVersion.id == 1))


def versions() -> Versions:
    """Every number now, in one query; read once per request, which is one snapshot for all it keeps."""
    if not has_request_context():
        return _read_versions()
    if (numbers := request.environ.get(_VERSIONS_READ)) is None:
        numbers = request.environ[_VERSIONS_READ] = _read_versions()
    return numbers


def _forget_versions_read() -> None:
    """After a change made in this request (or a number moved by hand), read them again."""
    if has_request_context():
        request.environ.pop(_VERSIONS_READ, None)


def _read_versions() -> Versions:
    everything = select(literal(None).label("plan_id"), DataVersion.version).where(DataVersion.id == 1)
    per_plan = select(PlanDataVersion.plan_id, PlanDataVersion.version)
    rows = db.session.execute(union_all(everything, per_plan)).all()
    return Versions(
        everything=next((version for plan_id, version in rows if plan_id is None), None),
        plans={plan_id: version for plan_id, version in rows if plan_id is not None},
    )


def move_on(plan_ids: Iterable[int] | None = None) -> None:
    """Move the number for everything on (or, given plans, each of theirs), in a transaction of its own.

    After, not within, the change's own transaction: a view that reads the old number while the
    change is still uncommitted may keep what it counted, but only under the old number, which
    no later view will ask for.
    """
    _forget_versions_read()
    if plan_ids is None:
        _move_on(DataVersion.__table__, "id", [1])
    else:
        _move_on(PlanDataVersion.__table__, "plan_id", sorted(set(plan_ids)))


def _move_on(table, key: str, ids: list[int], tries: int = 3) -> None:
    if not ids:
        return
    column = table.c[key]
    with db.engine.begin() as connection:
        moved = connection.execute(
            update(table).where(column.in_(ids)).values(version=table.c.version + 1).returning(column)
        )
        missing = sorted(set(ids) - set(moved.scalars()))
    if not missing:
        return
    # Start from the clock, never from 1: a table emptied and begun again (as the tests do) must
    # not meet a number an earlier life of it already used.
    start = literal(time.time_ns(), BigInteger)
    if table is DataVersion.__table__:
        rows = select(literal(1).label(key), start)
    else:  # only plans that still exist
        rows = select(Plan.id, start).where(Plan.id.in_(missing))
    try:
        with db.engine.begin() as connection:
            connection.execute(table.insert().from_select([key, "version"], rows))
    except IntegrityError:
        if tries:  # another process made a row first: move that one on
            _move_on(table, key, missing, tries - 1)


@dataclass
class _Changes:
    everything: bool = False
    action_ids: set[int] = field(default_factory=set)


def _changes(session: Session) -> _Changes:
    return session.info.setdefault(_CHANGED, _Changes())


# The app's sessions only (Flask-SQLAlchemy's own class), not any SQLAlchemy session in the process.
@event.listens_for(AppSession, "after_flush")
def _flushed(session: Session, _context) -> None:
    changes = _changes(session)
    for instance in (*session.new, *session.dirty, *session.deleted):
        if isinstance(instance, _NOT_COUNTED):
            continue
        if isinstance(instance, _PARTS_OF_AN_ACTION) and instance.action_id is not None:
            changes.action_ids.add(instance.action_id)
        elif (
            isinstance(instance, Action)
            and instance not in session.deleted
            and instance.id is not None
            # Not moved to another sub-objective, perhaps of another plan. (Moved through the
            # relationship, the sub-objectives' own lists change too, and so everything moves on.)
            and not inspect(instance).attrs.objective_id.history.deleted
        ):
            changes.action_ids.add(instance.id)
        else:
            changes.everything = True


@event.listens_for(AppSession, "do_orm_execute")
def _executed(state) -> None:
    if isinstance(state.statement, TextClause):
        _changes(state.session).everything = True
    elif state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) not in _NOT_COUNTED_TABLES:
            _changes(state.session).everything = True


@event.listens_for(AppSession, "after_commit")
def _committed(session: Session) -> None:
    changes = session.info.pop(_CHANGED, None)
    if changes is None or not has_app_context():
        return
    _forget_versions_read()
    try:
        if changes.everything:
            move_on()
        elif changes.action_ids:
            plans = _plans_of(changes.action_ids)
            move_on(plans if plans else None)  # actions gone since: move everything on, to be safe
    except SQLAlchemyError:
        # The change is committed already: failing the request now would only hide that. This
        # process forgets what it kept; others keep theirs until the number next moves.
        with _KEPT_LOCK:
            _KEPT.clear()
        logging.getLogger(__name__).exception("Could not move the data version on")


def _plans_of(action_ids: set[int]) -> set[int]:
    with db.engine.connect() as connection:
        return set(
            connection.scalars(
                select(Strand.plan_id)
                .join(Objective, Objective.strand_id == Strand.id)
                .join(Action, Action.objective_id == Objective.id)
                .where(Action.id.in_(sorted(action_ids)))
                .distinct()
            )
        )


@event.listens_for(AppSession, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop(_CHANGED, None)


# What pages counted, per worker process: key -> (numbers, result). Bounded, oldest out first.
_KEPT: OrderedDict[tuple, tuple[tuple[int, ...], Any]] = OrderedDict()
_KEPT_LOCK = threading.Lock()
KEEP_AT_MOST = 256


def _keeping() -> bool:
    return current_app.config.get("KEEP_COUNTED_RESULTS", True)


def kept(key: tuple, compute: Callable[[], T], plan_ids: Iterable[int] = ()) -> T:
    """compute(), or what it returned before under the same key and the same numbers.

    The key must hold everything the result depends on besides the data (filters, the viewer's
    visibility, the day); plan_ids, the plans whose actions it counts. A change committed while
    this counts leaves the result under the old numbers, so no later request is given it.
    """
    numbers = versions().of(plan_ids) if _keeping() else None
    if numbers is None:
        return compute()
    key = (str(db.engine.url), *key)
    hit = _get(key, numbers)
    if hit is not None:
        return hit[0]
    result = compute()
    _put(key, numbers, result)
    return result


def kept_each(key: tuple, plan_ids: list[int], compute: Callable[[list[int]], dict[int, T]]) -> dict[int, T]:
    """For each plan, what compute() counted for it before under the same key and that plan's numbers.

    compute(plans) counts the plans given, all at once, and returns one result per plan; it is
    called once, for the plans with nothing kept (or not at all).
    """
    numbers = versions() if _keeping() else None
    if numbers is None or numbers.everything is None:
        return compute(plan_ids)
    key = (str(db.engine.url), *key)
    found: dict[int, T] = {}
    for plan_id in plan_ids:
        hit = _get((*key, plan_id), numbers.of([plan_id]))
        if hit is not None:
            found[plan_id] = hit[0]
    missing = [plan_id for plan_id in plan_ids if plan_id not in found]
    if missing:
        counted = compute(missing)
        for plan_id in missing:
            _put((*key, plan_id), numbers.of([plan_id]), counted[plan_id])
        found.update(counted)
    return found


def _get(key: tuple, numbers) -> tuple[Any] | None:
    with _KEPT_LOCK:
        hit = _KEPT.get(key)
        if hit is None or hit[0] != numbers:
            return None
        _KEPT.move_to_end(key)
        return (hit[1],)


def _put(key: tuple, numbers, result) -> None:
    with _KEPT_LOCK:
        _KEPT[key] = (numbers, result)
        _KEPT.move_to_end(key)
        while len(_KEPT) > KEEP_AT_MOST:
            _KEPT.popitem(last=False)
