"""A number that moves on after every committed change to the tracker's data.

Counting the whole dashboard takes a tenth of a second or more at scale, yet between two changes
to the data every view of it counts the same thing. Pages that cost that much keep what they
counted per worker process, under this number (tracker/queries/dashboard.py): a kept result is
used only while the number is unchanged, so nothing shown is older than the data.

The number moves after any transaction that changed something through the ORM session: a flush
with new, changed or deleted objects, or an INSERT, UPDATE, DELETE or raw SQL statement executed
through it. That is how every service in the tracker writes. Writes that bypass the session
(a migration, psql) are not seen; the next change through the app moves the number on anyway.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, has_app_context
from flask_sqlalchemy.session import Session as AppSession
from sqlalchemy import TextClause, event, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from tracker.extensions import db
from tracker.models import DataVersion

_CHANGED = "tracker_data_changed"
T = TypeVar("T")


def current() -> int | None:
    """The data version now (None before the first change: then nothing may be kept)."""
    return db.session.scalar(select(DataVersion.version).where(DataVersion.id == 1))


def move_on() -> None:
    """Move the version on, in a transaction of its own (after the change it marks is committed).

    After, not within, the change's own transaction: a view that reads the old number while the
    change is still uncommitted may keep what it counted, but only under the old number, which
    no later view will ask for.
    """
    table = DataVersion.__table__
    with db.engine.begin() as connection:
        moved = connection.execute(update(table).where(table.c.id == 1).values(version=table.c.version + 1))
        if moved.rowcount:
            return
    try:
        with db.engine.begin() as connection:
            # Start from the clock, never from 1: a table emptied and begun again (as the tests do)
            # must not meet a number an earlier life of it already used.
            connection.execute(table.insert().values(id=1, version=time.time_ns()))
    except IntegrityError:
        move_on()  # another process made the row first


# The app's sessions only (Flask-SQLAlchemy's own class), not any SQLAlchemy session in the process.
@event.listens_for(AppSession, "after_flush")
def _flushed(session: Session, _context) -> None:
    session.info[_CHANGED] = True


@event.listens_for(AppSession, "do_orm_execute")
def _executed(state) -> None:
    if state.is_insert or state.is_update or state.is_delete or isinstance(state.statement, TextClause):
        state.session.info[_CHANGED] = True


@event.listens_for(AppSession, "after_commit")
def _committed(session: Session) -> None:
    if not session.info.pop(_CHANGED, False) or not has_app_context():
        return
    try:
        move_on()
    except SQLAlchemyError:
        # The change is committed already: failing the request now would only hide that. This
        # process forgets what it kept; others keep theirs until the number next moves.
        with _KEPT_LOCK:
            _KEPT.clear()
        logging.getLogger(__name__).exception("Could not move the data version on")


@event.listens_for(AppSession, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop(_CHANGED, None)


# What pages counted, per worker process: key -> (data version, result). Bounded, oldest out first.
_KEPT: OrderedDict[tuple, tuple[int, Any]] = OrderedDict()
_KEPT_LOCK = threading.Lock()
KEEP_AT_MOST = 64


def kept(key: tuple, compute: Callable[[], T]) -> T:
    """compute(), or what it returned before under the same key and the same data version.

    The key must hold everything the result depends on besides the data (filters, the viewer's
    visibility, the day). A change committed while this counts leaves the result under the old
    version, so no later request is given it.
    """
    if not current_app.config.get("KEEP_COUNTED_RESULTS", True):
        return compute()
    version = current()
    if version is None:
        return compute()
    key = (str(db.engine.url), *key)
    with _KEPT_LOCK:
        hit = _KEPT.get(key)
        if hit is not None and hit[0] == version:
            _KEPT.move_to_end(key)
            return hit[1]
    result = compute()
    with _KEPT_LOCK:
        _KEPT[key] = (version, result)
        _KEPT.move_to_end(key)
        while len(_KEPT) > KEEP_AT_MOST:
            _KEPT.popitem(last=False)
    return result
