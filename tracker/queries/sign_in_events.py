"""Reads for the sign-in events page: one page of events, newest first, in one query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import SignInEvent, SignInEventKind, User

PAGE_SIZE = 100


@dataclass(frozen=True)
class SignInEventRow:
    id: int
    occurred_at: datetime
    kind: SignInEventKind
    email: str
    client_address: str
    user_name: str | None


@dataclass(frozen=True)
class SignInEventPage:
    rows: list[SignInEventRow]
    older_than: int | None  # the id to ask for the next (older) page from, if there is one


def sign_in_events(before_id: int | None = None) -> SignInEventPage:
    page_size = PAGE_SIZE
    query = (
        select(SignInEvent, User.name)
        .outerjoin(User, User.id == SignInEvent.user_id)
        .order_by(SignInEvent.id.desc())
        .limit(page_size + 1)  # one more than shown tells whether an older page exists
    )
    if before_id is not None:
        query = query.where(SignInEvent.id < before_id)
    rows = [
        SignInEventRow(
            id=event.id,
            occurred_at=event.occurred_at,
            kind=event.kind,
            email=event.email,
            client_address=event.client_address,
            user_name=name,
        )
        for event, name in db.session.execute(query)
    ]
    shown = rows[:page_size]
    return SignInEventPage(rows=shown, older_than=shown[-1].id if len(rows) > page_size else None)
