"""The RAG rule for a measure's figure against its target, as a pure function and as its SQL twin.

Meeting the target is Green; missing it by no more than the tolerance is Amber; missing it by
more is Red. Which way "missing" lies is the measure's direction: a figure below the target
misses it when higher is better, above it when lower is better. With no figure or no target
there is nothing to rate. Pages, the dashboard and reports use these two; tests hold them equal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, case, func, literal, or_

from tracker.models.enums import Rag
from tracker.models.measures import Direction


def format_figure(value: float | None, percentage: bool = False, places: int = 2) -> str:
    """12.0 -> "12", 12.5 -> "12.5", 1234 -> "1,234"; with a % sign for percentages."""
    if value is None:
        return ""
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.{places}f}".rstrip("0").rstrip(".")
    return f"{text}%" if percentage else text


# A target as its measure's history writes it, "1,250 (tolerance 12.5)": read back for past views.
_TARGET_TEXT = re.compile(r"^(?P<target>[\d,]+(?:\.\d+)?) \(tolerance (?P<tolerance>[\d,]+(?:\.\d+)?)\)$")


def target_text(target: float, tolerance: float) -> str:
    """How a period's target is written in the measure's history.

    Every decimal the target was given with is written, so a past view reads back the very target
    that applied (33.333 stays 33.333, not 33.33), and a figure of 33.332 is rated against it alike.
    """
    return f"{format_figure(target, places=10)} (tolerance {format_figure(tolerance, places=10)})"


def read_target_text(text: str | None) -> tuple[float, float] | None:
    """The target and tolerance a history entry set, or None when the text is not a target."""
    match = _TARGET_TEXT.match(text or "")
    if match is None:
        return None
    return float(match["target"].replace(",", "")), float(match["tolerance"].replace(",", ""))


@dataclass(frozen=True)
class MeasureRag:
    rag: Rag
    reason: str


def measure_rag(
    value: float | None,
    target: float | None,
    tolerance: float | None,
    direction: Direction,
    percentage: bool = False,
) -> MeasureRag:
    if value is None:
        return MeasureRag(Rag.NOT_RATED, "No figure yet")
    if target is None:
        return MeasureRag(Rag.NOT_RATED, "No target set for this period")
    tolerance = tolerance or 0.0

    def show(number: float) -> str:
        return format_figure(number, percentage)

    higher = direction is Direction.HIGHER_IS_BETTER
    at_least = "at least" if higher else "at most"
    if (value >= target) if higher else (value <= target):
        return MeasureRag(Rag.GREEN, f"Green: {show(value)} meets the target of {at_least} {show(target)}")
    side = "below" if higher else "above"
    if (value >= target - tolerance) if higher else (value <= target + tolerance):
        return MeasureRag(
            Rag.AMBER,
            f"Amber: {show(value)} is {side} the target of {at_least} {show(target)}, "
            f"within the tolerance of {show(tolerance)}",
        )
    return MeasureRag(
        Rag.RED,
        f"Red: {show(value)} is {side} the target of {at_least} {show(target)} "
        f"by more than the tolerance of {show(tolerance)}",
    )


# --- the SQL twin -------------------------------------------------------------------------


def measure_rag_sql(value, target, tolerance, direction) -> ColumnElement[str]:
    """The same rule as measure_rag, as a CASE expression over columns (a value's, its target's, its measure's)."""
    slack = func.coalesce(tolerance, 0.0)
    higher = direction == Direction.HIGHER_IS_BETTER.value
    lower = direction == Direction.LOWER_IS_BETTER.value
    return case(
        (or_(value.is_(None), target.is_(None)), literal(Rag.NOT_RATED.value)),
        (or_(and_(higher, value >= target), and_(lower, value <= target)), literal(Rag.GREEN.value)),
        (
            or_(and_(higher, value >= target - slack), and_(lower, value <= target + slack)),
            literal(Rag.AMBER.value),
        ),
        else_=literal(Rag.RED.value),
    )
