"""Progress updates from action owners and the evidence that comes with them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.enums import Rag, Status
from tracker.models.people import User
from tracker.models.types import enum_column


class ProgressUpdate(db.Model):
    """One owner's report on one action: the RAGs and status they set and what they said."""

    __tablename__ = "progress_update"
    __table_args__ = (
        Index("ix_progress_update_action_created", "action_id", "created_at"),
        # Past views read a stretch of updates by time: who was updated this cycle, as at that day.
        Index("ix_progress_update_created_action", "created_at", "action_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    commentary: Mapped[str] = mapped_column(Text, default="")
    delivery_rag: Mapped[Rag] = mapped_column(enum_column(Rag))
    outcome_rag: Mapped[Rag] = mapped_column(enum_column(Rag))
    status: Mapped[Status] = mapped_column(enum_column(Status))
    # Why an action was marked complete without evidence, when the owner says so.
    no_evidence_reason: Mapped[str] = mapped_column(Text, default="")

    author: Mapped[User | None] = relationship()
    evidence: Mapped[list[Evidence]] = relationship(back_populates="progress_update", order_by="Evidence.id")


class Evidence(db.Model):
    """A link or an uploaded file showing what was done; self-reported until the co-ordinator verifies it."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), index=True)
    progress_update_id: Mapped[int | None] = mapped_column(
        ForeignKey("progress_update.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))  # "link" or "file"
    title: Mapped[str] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(String(2000))
    # Files are stored under a random name; the name the user gave is kept only for display.
    stored_name: Mapped[str | None] = mapped_column(String(100), unique=True)
    # Which store holds the file (tracker/evidence_store): a change of setting leaves older files where they are.
    storage: Mapped[str | None] = mapped_column(String(20))
    original_filename: Mapped[str | None] = mapped_column(String(300))
    content_type: Mapped[str | None] = mapped_column(String(200))
    size_bytes: Mapped[int | None]
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    added_at: Mapped[datetime]
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    verified_at: Mapped[datetime | None]

    progress_update: Mapped[ProgressUpdate | None] = relationship(back_populates="evidence")
    added_by: Mapped[User | None] = relationship(foreign_keys=[added_by_id])
    verified_by: Mapped[User | None] = relationship(foreign_keys=[verified_by_id])

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


class EvidenceFilePart(db.Model):
    """Part of an evidence file kept in the database (EVIDENCE_STORAGE=database).

    Written in the same transaction as its evidence row and tied to it by a foreign key, so the
    file and its update are saved together or not at all, and no part outlives its row. Files are
    split into parts of a megabyte so neither upload nor download holds a whole file in memory.
    """

    __tablename__ = "evidence_file_part"

    stored_name: Mapped[str] = mapped_column(
        String(100), ForeignKey("evidence.stored_name", ondelete="CASCADE"), primary_key=True
    )
    part: Mapped[int] = mapped_column(primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
