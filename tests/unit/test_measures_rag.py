"""The RAG rule for a figure against its target, as a pure function (its SQL twin: tests/integration)."""

import pytest

from tracker.measures_rag import format_figure, measure_rag, read_target_text, target_text
from tracker.models import Direction, Rag

HIGHER = Direction.HIGHER_IS_BETTER
LOWER = Direction.LOWER_IS_BETTER


@pytest.mark.parametrize(
    ("value", "direction", "rag"),
    [
        (40, HIGHER, Rag.GREEN),  # meeting the target is Green
        (55, HIGHER, Rag.GREEN),
        (35, HIGHER, Rag.AMBER),  # the edge of the tolerance is still Amber
        (34.9, HIGHER, Rag.RED),
        (40, LOWER, Rag.GREEN),
        (20, LOWER, Rag.GREEN),
        (45, LOWER, Rag.AMBER),
        (45.1, LOWER, Rag.RED),
    ],
)
def test_green_meets_the_target_amber_within_the_tolerance_red_beyond(value, direction, rag):
    assert measure_rag(value, 40, 5, direction).rag is rag


def test_no_figure_or_no_target_is_not_rated():
    assert measure_rag(None, 40, 5, HIGHER) == measure_rag(None, 40, 5, HIGHER)
    assert measure_rag(None, 40, 5, HIGHER).rag is Rag.NOT_RATED
    assert measure_rag(12, None, None, HIGHER).rag is Rag.NOT_RATED
    assert measure_rag(12, None, None, HIGHER).reason == "No target set for this period"


def test_no_tolerance_means_any_miss_is_red():
    assert measure_rag(39.5, 40, 0, HIGHER).rag is Rag.RED
    assert measure_rag(39.5, 40, None, HIGHER).rag is Rag.RED


def test_the_reason_says_why():
    assert measure_rag(43, 40, 8, HIGHER).reason == "Green: 43 meets the target of at least 40"
    assert measure_rag(38, 40, 8, HIGHER).reason == (
        "Amber: 38 is below the target of at least 40, within the tolerance of 8"
    )
    assert measure_rag(187, 150, 20, LOWER).reason == (
        "Red: 187 is above the target of at most 150 by more than the tolerance of 20"
    )
    assert measure_rag(61, 80, 10, HIGHER, percentage=True).reason == (
        "Red: 61% is below the target of at least 80% by more than the tolerance of 10%"
    )


@pytest.mark.parametrize(
    ("value", "text"), [(12.0, "12"), (12.5, "12.5"), (1234, "1,234"), (0.126, "0.13"), (None, "")]
)
def test_figures_are_written_without_needless_decimals(value, text):
    assert format_figure(value) == text


@pytest.mark.parametrize(
    ("target", "tolerance"), [(1250.0, 12.5), (33.333, 0.0), (0.125, 0.005), (66.6666667, 1.0 / 3)]
)
def test_a_target_written_to_history_reads_back_exactly(target, tolerance):
    """Past views rate old figures against the target read back from history: no decimal may be lost."""
    assert read_target_text(target_text(target, tolerance)) == (round(target, 10), round(tolerance, 10))
