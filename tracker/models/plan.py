"""The plan and its structure: Plan -> Strand -> Objective -> Action."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, String, Table, Text, UniqueConstraint, false, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.enums import OwnerKind, Rag, Status
from tracker.models.people import Agency, Post
from tracker.models.types import enum_column

# The "Partners involved" column: agencies taking part in an action.
action_partners = Table(
    "action_partner",
    db.metadata,
    Column("action_id", ForeignKey("action.id", ondelete="CASCADE"), primary_key=True),
    Column("agency_id", ForeignKey("agency.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Plan(db.Model):
    __tablename__ = "plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(server_default=func.current_timestamp())
    # Escalation is opt-in: an overdue action turns Red after this many days (None = never).
    escalate_to_red_after_days: Mapped[int | None]
    # Reminder periods: actions due within this many days, updates due within that many.
    remind_due_within_days: Mapped[int] = mapped_column(default=14, server_default="14")
    remind_update_within_days: Mapped[int] = mapped_column(default=7, server_default="7")
    # When the plan ended: archived plans leave the dashboard's default view and stay readable.
    archived_at: Mapped[datetime | None]

    strands: Mapped[list[Strand]] = relationship(
        back_populates="plan", order_by="Strand.position", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Plan {self.name!r}>"


class Strand(db.Model):
    """The plan's top level (Prevent, Pursue, Protect ...); each plan has its own."""

    __tablename__ = "strand"
    __table_args__ = (UniqueConstraint("plan_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)

    plan: Mapped[Plan] = relationship(back_populates="strands")
    objectives: Mapped[list[Objective]] = relationship(
        back_populates="strand", order_by="Objective.position", cascade="all, delete-orphan"
    )


class Objective(db.Model):
    """A sub-objective: a numbered statement under a strand (number may be absent)."""

    __tablename__ = "objective"

    id: Mapped[int] = mapped_column(primary_key=True)
    strand_id: Mapped[int] = mapped_column(ForeignKey("strand.id", ondelete="CASCADE"), index=True)
    number: Mapped[int | None]
    statement: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)

    strand: Mapped[Strand] = relationship(back_populates="objectives")
    actions: Mapped[list[Action]] = relationship(
        back_populates="objective", order_by="Action.position", cascade="all, delete-orphan"
    )

    @property
    def title(self) -> str:
        prefix = f"{self.number}. " if self.number is not None else ""
        return f"{prefix}{self.statement}".strip()


class ActionOwner(db.Model):
    """A post named as accountable for, or responsible for, an action."""

    __tablename__ = "action_owner"

    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"), primary_key=True, index=True)
    kind: Mapped[OwnerKind] = mapped_column(enum_column(OwnerKind), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)

    action: Mapped[Action] = relationship(back_populates="owners")
    post: Mapped[Post] = relationship()


class Action(db.Model):
    __tablename__ = "action"

    id: Mapped[int] = mapped_column(primary_key=True)
    # active_history: the old objective is known when an action moves, so the month-end counts of the
    # strand it left are forgotten too (services/history.py).
    objective_id: Mapped[int] = mapped_column(
        ForeignKey("objective.id", ondelete="CASCADE"), index=True, active_history=True
    )
    reference: Mapped[str] = mapped_column(String(20), default="")
    text: Mapped[str] = mapped_column(Text)
    expected_evidence: Mapped[str] = mapped_column(Text, default="")
    expected_outcomes: Mapped[str] = mapped_column(Text, default="")
    # The timescale exactly as the plan wrote it, and what the tracker could read from it.
    timescale_text: Mapped[str] = mapped_column(String(200), default="")
    timescale_needs_review: Mapped[bool] = mapped_column(default=False)
    start_date: Mapped[date | None]
    due_date: Mapped[date | None] = mapped_column(index=True)
    baseline_due_date: Mapped[date | None]
    status: Mapped[Status] = mapped_column(enum_column(Status), default=Status.NOT_STARTED)
    delivery_rag: Mapped[Rag] = mapped_column(enum_column(Rag), default=Rag.NOT_RATED)
    outcome_rag: Mapped[Rag] = mapped_column(enum_column(Rag), default=Rag.NOT_RATED)
    is_restricted: Mapped[bool] = mapped_column(default=False)
    # "All agencies" in Partners involved: every partner agency, not an agency of its own.
    all_partners: Mapped[bool] = mapped_column(default=False, server_default=false())
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(server_default=func.current_timestamp())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.current_timestamp())
    # When an owner last recorded progress (None: never); drives "not updated this cycle".
    last_progress_at: Mapped[datetime | None] = mapped_column(index=True)
    # The due date for which the auto-amber event was last recorded, so the job records it once.
    auto_amber_recorded_for: Mapped[date | None]
    auto_red_recorded_for: Mapped[date | None]
    # Bumped on every change, so a form opened at an older version cannot overwrite a newer one.
    version: Mapped[int] = mapped_column(default=1)

    objective: Mapped[Objective] = relationship(back_populates="actions")
    owners: Mapped[list[ActionOwner]] = relationship(
        back_populates="action", order_by="ActionOwner.position", cascade="all, delete-orphan"
    )
    partners: Mapped[list[Agency]] = relationship(secondary=action_partners, order_by="Agency.name")
    # Stages read from a staged timescale ("April 2015 (initial feedback) December 2015").
    milestones: Mapped[list[ActionMilestone]] = relationship(
        back_populates="action", order_by="ActionMilestone.position", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    def posts_of(self, kind: OwnerKind) -> list[Post]:
        return [owner.post for owner in self.owners if owner.kind is kind]

    @property
    def accountable_posts(self) -> list[Post]:
        return self.posts_of(OwnerKind.ACCOUNTABLE)

    @property
    def responsible_posts(self) -> list[Post]:
        return self.posts_of(OwnerKind.RESPONSIBLE)

    @property
    def label(self) -> str:
        return action_label(self.reference, self.text)


def action_label(reference: str, text: str) -> str:
    """How an action is named in headings, lists, links and emails: its reference, or its first words."""
    if reference:
        return f"Action {reference}"
    first_line = text.splitlines()[0] if text else ""
    return first_line if len(first_line) <= 60 else first_line[:57].rstrip() + "…"


class ActionMilestone(db.Model):
    """One stage of a staged timescale; the action's due date is its last stage."""

    __tablename__ = "action_milestone"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    due_date: Mapped[date]
    position: Mapped[int] = mapped_column(default=0)

    action: Mapped[Action] = relationship(back_populates="milestones")
