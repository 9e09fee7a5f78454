"""Performance measures kept beside the actions: what is counted, its targets and its figures.

A measure belongs to a plan (optionally under a strand) and may evidence actions and objectives.
The post that supplies it enters one figure per period; a correction changes the figure and is
written, with its reason, to the measure's append-only history.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Column, Float, ForeignKey, Index, String, Table, Text, UniqueConstraint, event, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.measure_periods import Frequency, Period
from tracker.models.people import Agency, Post, User
from tracker.models.plan import Action, Objective, Plan, Strand
from tracker.models.types import enum_column


class Direction(enum.StrEnum):
    HIGHER_IS_BETTER = "higher"
    LOWER_IS_BETTER = "lower"

    @property
    def label(self) -> str:
        return "Higher is better" if self is Direction.HIGHER_IS_BETTER else "Lower is better"


class Unit(enum.StrEnum):
    NUMBER = "number"
    PERCENTAGE = "percentage"
    CHILDREN = "children"
    PEOPLE = "people"

    @property
    def label(self) -> str:
        return {
            Unit.NUMBER: "Number",
            Unit.PERCENTAGE: "Percentage",
            Unit.CHILDREN: "Count of children",
            Unit.PEOPLE: "Count of people",
        }[self]


measure_actions = Table(
    "measure_action",
    db.metadata,
    Column("measure_id", ForeignKey("measure.id", ondelete="CASCADE"), primary_key=True),
    Column("action_id", ForeignKey("action.id", ondelete="CASCADE"), primary_key=True, index=True),
)

measure_objectives = Table(
    "measure_objective",
    db.metadata,
    Column("measure_id", ForeignKey("measure.id", ondelete="CASCADE"), primary_key=True),
    Column("objective_id", ForeignKey("objective.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Measure(db.Model):
    __tablename__ = "measure"
    __table_args__ = (UniqueConstraint("plan_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    strand_id: Mapped[int | None] = mapped_column(ForeignKey("strand.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    definition: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[Unit] = mapped_column(enum_column(Unit), default=Unit.NUMBER)
    direction: Mapped[Direction] = mapped_column(enum_column(Direction), default=Direction.HIGHER_IS_BETTER)
    frequency: Mapped[Frequency] = mapped_column(enum_column(Frequency), default=Frequency.QUARTERLY)
    # The post that supplies the figures (its holders enter them) and the agency they come from.
    post_id: Mapped[int | None] = mapped_column(ForeignKey("post.id", ondelete="SET NULL"), index=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id", ondelete="SET NULL"), index=True)
    # Figures are expected for every period from the one holding first_period, to last_period if set.
    first_period: Mapped[date]
    last_period: Mapped[date | None]
    # Hidden from scrutiny councillors and from the public version of reports, as restricted actions are.
    is_restricted: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(server_default=func.current_timestamp())

    plan: Mapped[Plan] = relationship()
    strand: Mapped[Strand | None] = relationship()
    post: Mapped[Post | None] = relationship()
    agency: Mapped[Agency | None] = relationship()
    actions: Mapped[list[Action]] = relationship(secondary=measure_actions, order_by="Action.id")
    objectives: Mapped[list[Objective]] = relationship(secondary=measure_objectives, order_by="Objective.id")

    @property
    def is_percentage(self) -> bool:
        return self.unit is Unit.PERCENTAGE

    def period(self, start: date) -> Period:
        return Period.containing(start, self.frequency)

    def __repr__(self) -> str:
        return f"<Measure {self.name!r}>"


class MeasureTarget(db.Model):
    """The target for one period, with its tolerance: missing the target by no more than this is Amber."""

    __tablename__ = "measure_target"
    __table_args__ = (UniqueConstraint("measure_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id", ondelete="CASCADE"))
    period: Mapped[date]  # the first day of the period
    target: Mapped[float] = mapped_column(Float)
    tolerance: Mapped[float] = mapped_column(Float, default=0.0)


class MeasureValue(db.Model):
    """A period's figure as it stands now; what it was before a correction is in MeasureHistory."""

    __tablename__ = "measure_value"
    __table_args__ = (UniqueConstraint("measure_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id", ondelete="CASCADE"))
    period: Mapped[date]
    value: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text, default="")
    # When this figure (the latest correction, if any) was recorded, and by whom.
    recorded_at: Mapped[datetime]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    recorded_by_name: Mapped[str] = mapped_column(String(200))

    recorded_by: Mapped[User | None] = relationship()


class MeasureHistory(db.Model):
    """Every change to a measure's figures and targets: who, when, old, new and why. Append-only."""

    __tablename__ = "measure_history"
    __table_args__ = (
        # Past views read the latest figure per period recorded at or before a moment.
        Index("ix_measure_history_measure_field_period_at", "measure_id", "field", "period", "recorded_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id", ondelete="CASCADE"))
    # "value" or "target" (a period's), or "definition" for the measure itself.
    field: Mapped[str] = mapped_column(String(50))
    period: Mapped[date | None]
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(Text, default="")


class MeasureHistoryIsAppendOnly(RuntimeError):
    pass


@event.listens_for(MeasureHistory, "before_update")
@event.listens_for(MeasureHistory, "before_delete")
def _refuse_rewrite(_mapper, _connection, target: MeasureHistory) -> None:
    raise MeasureHistoryIsAppendOnly(f"Measure history entry {target.id} cannot be changed or deleted")
