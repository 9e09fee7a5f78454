"""Reads for the people, posts and agencies administration pages, a fixed number of queries each."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tracker import clock
from tracker.extensions import db
from tracker.models import AccountToken, ActionOwner, Agency, Post, Role, TokenPurpose, User


@dataclass
class PersonLine:
    user: User
    invitation_open: bool

    @property
    def status(self) -> str:
        if not self.user.is_enabled:
            return "Disabled"
        if self.user.is_invited:
            return "Invited" if self.invitation_open else "Invitation expired or withdrawn"
        return "Active"


def people() -> list[PersonLine]:
    users = db.session.scalars(select(User).options(selectinload(User.posts)).order_by(User.name, User.id)).all()
    invited = _open_invitations()
    return [PersonLine(user, user.id in invited) for user in users]


def _open_invitations() -> set[int]:
    return set(
        db.session.scalars(
            select(AccountToken.user_id).where(
                AccountToken.purpose == TokenPurpose.INVITATION,
                AccountToken.used_at.is_(None),
                AccountToken.withdrawn_at.is_(None),
                AccountToken.expires_at > clock.now(),
            )
        )
    )


def person(user_id: int) -> PersonLine | None:
    user = db.session.get(User, user_id)
    return PersonLine(user, user.id in _open_invitations()) if user is not None else None


def post_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(select(Post.id, Post.name, Agency.name).outerjoin(Agency).order_by(Post.name))
    return [(post_id, f"{name} ({agency})" if agency else name) for post_id, name, agency in rows]


def agency_choices() -> list[tuple[int, str]]:
    return [
        (agency_id, name)
        for agency_id, name in db.session.execute(select(Agency.id, Agency.name).order_by(Agency.name))
    ]


def successor_choices() -> list[tuple[int, str]]:
    """People who can take a post on: enabled action owners and administrators."""
    rows = db.session.execute(
        select(User.id, User.name, User.email)
        .where(User.is_enabled.is_(True), User.role.in_([Role.OWNER, Role.ADMIN]))
        .order_by(User.name)
    )
    return [(user_id, f"{name} ({email})") for user_id, name, email in rows]


@dataclass
class PostLine:
    post: Post
    actions: int


def posts() -> list[PostLine]:
    counts = dict(
        db.session.execute(
            select(ActionOwner.post_id, func.count(func.distinct(ActionOwner.action_id))).group_by(ActionOwner.post_id)
        ).all()
    )
    rows = db.session.scalars(
        select(Post)
        .options(selectinload(Post.agency), selectinload(Post.holders), selectinload(Post.aliases))
        .order_by(Post.name)
    ).all()
    return [PostLine(post, counts.get(post.id, 0)) for post in rows]


def post_actions(post_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count(func.distinct(ActionOwner.action_id))).where(ActionOwner.post_id == post_id)
        )
        or 0
    )


def agencies() -> list[tuple[Agency, int]]:
    counts = dict(db.session.execute(select(Post.agency_id, func.count()).group_by(Post.agency_id)).all())
    rows = db.session.scalars(select(Agency).options(selectinload(Agency.aliases)).order_by(Agency.name)).all()
    return [(agency, counts.get(agency.id, 0)) for agency in rows]
