"""The append-only history of every change to an action, by a person or by the system.

Rows are only ever inserted: the ORM refuses to update or delete one, and no page offers to.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.people import User

SYSTEM_ACTOR = "system"


class HistoryEntry(db.Model):
    __tablename__ = "history_entry"
    __table_args__ = (
        # With the id last, "the latest entry at or before a moment" (created_at, then id, descending)
        # is read straight off the index, stopping at the first row: past views do that per action.
        Index("ix_history_entry_action_field_at_id", "action_id", "field", "created_at", "id"),
        # Dashboards read one kind of change across all actions (due-date moves, changes since a meeting).
        Index("ix_history_entry_field_at", "field", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"))
    # The Action attribute that changed ("delivery_rag", "due_date", "status", "owners" ...),
    # or an event with no single field ("created", "auto_amber", "deadline_request").
    field: Mapped[str] = mapped_column(String(50))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    # No index on actor_id or created_at alone: every read filters by action or by field first
    # (the indexes above), and each extra index slows the auto-amber job's bulk history insert.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(200))  # as it was at the time; "system" for jobs
    created_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(Text, default="")
    progress_update_id: Mapped[int | None] = mapped_column(ForeignKey("progress_update.id", ondelete="SET NULL"))

    actor: Mapped[User | None] = relationship()

    @property
    def by_system(self) -> bool:
        return self.actor_id is None and self.actor_name == SYSTEM_ACTOR


class HistoryIsAppendOnly(RuntimeError):
    pass


@event.listens_for(HistoryEntry, "before_update")
@event.listens_for(HistoryEntry, "before_delete")
def _refuse_rewrite(_mapper, _connection, target: HistoryEntry) -> None:
    raise HistoryIsAppendOnly(f"History entry {target.id} cannot be changed or deleted")
