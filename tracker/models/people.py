"""Agencies, the posts they hold and the user accounts that hold them.

Actions are owned by posts, not people: when staff change, the post moves to
another account and every action follows it.
"""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Column, ForeignKey, String, Table, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.enums import Role
from tracker.models.types import enum_column

post_holders = Table(
    "post_holder",
    db.metadata,
    Column("post_id", ForeignKey("post.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Agency(db.Model):
    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)

    posts: Mapped[list[Post]] = relationship(back_populates="agency")
    aliases: Mapped[list[AgencyAlias]] = relationship(back_populates="agency", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Agency {self.name!r}>"


class Post(db.Model):
    """A role or post named in the plan ("CSE Co-ordinator", "WMP", "All agencies")."""

    __tablename__ = "post"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id", ondelete="SET NULL"), index=True)

    agency: Mapped[Agency | None] = relationship(back_populates="posts")
    holders: Mapped[list[User]] = relationship(secondary=post_holders, back_populates="posts")
    aliases: Mapped[list[PostAlias]] = relationship(back_populates="post", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Post {self.name!r}>"


class PostAlias(db.Model):
    """Another name that means the same post ("Head of CS" = "Head of Community Safety"), used when names are read in."""

    __tablename__ = "post_alias"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # name_key(name) (tracker/importers/names.py): case, spacing and punctuation ignored; one meaning each.
    key: Mapped[str] = mapped_column(String(200), unique=True)

    post: Mapped[Post] = relationship(back_populates="aliases")


class AgencyAlias(db.Model):
    """Another name that means the same agency ("WMP" = "West Midlands Police")."""

    __tablename__ = "agency_alias"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(200), unique=True)

    agency: Mapped[Agency] = relationship(back_populates="aliases")


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    is_enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(server_default=func.current_timestamp())
    last_signed_in_at: Mapped[datetime | None]
    # Part of every session cookie; a new one on signing out ends every session made with the old.
    session_token: Mapped[str | None] = mapped_column(String(64))

    posts: Mapped[list[Post]] = relationship(secondary=post_holders, back_populates="holders")

    def get_id(self) -> str:
        """What the session cookie holds: the account and its current session token (see security._load_user)."""
        return f"{self.id}:{self.session_token or ''}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses disabled accounts
        return self.is_enabled

    @property
    def is_invited(self) -> bool:
        """Invited and not yet signed up: no password has been set."""
        return not self.password_hash

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def __repr__(self) -> str:
        return f"<User {self.email!r} {self.role}>"
