"""The administration log and the single-use tokens sent by email (invitations, password resets).

The log is append-only, like the action history: the ORM refuses to update or delete a row.
It records changes to everything that is not an action (plans, strands, objectives, posts,
agencies, people, aliases, merges, hand-overs); changes to actions stay in their own history.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.people import User
from tracker.models.types import enum_column


class AdminLogEntry(db.Model):
    __tablename__ = "admin_log_entry"
    __table_args__ = (
        Index("ix_admin_log_entry_plan_id_at", "plan_id", "created_at"),
        Index("ix_admin_log_entry_actor_id_at", "actor_id", "created_at"),
        Index("ix_admin_log_entry_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(200))  # as it was at the time
    # What was changed: "plan", "strand", "objective", "post", "agency", "user", "post_alias" ...
    subject_kind: Mapped[str] = mapped_column(String(30))
    subject_id: Mapped[int]
    subject_name: Mapped[str] = mapped_column(Text)
    # The plan it belongs to, when it belongs to one: the log's plan filter.
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plan.id", ondelete="SET NULL"))
    # "created", "name", "archived", "position", "role", "posts", "enabled", "merged", "handed_over" ...
    field: Mapped[str] = mapped_column(String(50))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text, default="")


class AdminLogIsAppendOnly(RuntimeError):
    pass


@event.listens_for(AdminLogEntry, "before_update")
@event.listens_for(AdminLogEntry, "before_delete")
def _refuse_rewrite(_mapper, _connection, target: AdminLogEntry) -> None:
    raise AdminLogIsAppendOnly(f"Administration log entry {target.id} cannot be changed or deleted")


class TokenPurpose(enum.StrEnum):
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"  # noqa: S105  # nosec B105 - a purpose, not a password


class AccountToken(db.Model):
    """A link sent by email: only the SHA-256 of its random token is kept, so the table alone opens nothing."""

    __tablename__ = "account_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[TokenPurpose] = mapped_column(enum_column(TokenPurpose))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
