"""The RAG rule as a pure function."""

from datetime import date

import pytest

from tracker.models import Rag, Status
from tracker.rag import effective_delivery_rag, is_overdue

TODAY = date(2015, 7, 1)
PAST = date(2015, 5, 31)
FUTURE = date(2015, 9, 30)


@pytest.mark.parametrize("reported", [Rag.GREEN, Rag.NOT_RATED, Rag.AMBER, Rag.BLUE])
def test_overdue_open_action_is_at_least_amber(reported):
    result = effective_delivery_rag(reported, Status.IN_PROGRESS, PAST, TODAY)
    assert result.rag is Rag.AMBER
    assert result.overdue_since == date(2015, 6, 1)


def test_reason_names_the_day_it_became_overdue():
    result = effective_delivery_rag(Rag.GREEN, Status.IN_PROGRESS, PAST, TODAY)
    assert result.reason == "Amber: overdue since 1 June 2015"
    assert result.raised


def test_red_stays_red_when_overdue():
    result = effective_delivery_rag(Rag.RED, Status.IN_PROGRESS, PAST, TODAY)
    assert result.rag is Rag.RED
    assert not result.raised
    assert result.reason == ""


def test_complete_shows_blue_even_when_past_due():
    assert effective_delivery_rag(Rag.GREEN, Status.COMPLETE, PAST, TODAY).rag is Rag.BLUE


def test_cancelled_is_never_raised():
    result = effective_delivery_rag(Rag.GREEN, Status.CANCELLED, PAST, TODAY)
    assert result.rag is Rag.GREEN
    assert not is_overdue(Status.CANCELLED, PAST, TODAY)


@pytest.mark.parametrize("due", [FUTURE, TODAY, None])
def test_not_overdue_on_or_before_the_due_date(due):
    result = effective_delivery_rag(Rag.GREEN, Status.IN_PROGRESS, due, TODAY)
    assert result.rag is Rag.GREEN
    assert not result.raised


def test_owner_cannot_clear_amber_by_rating_green():
    # Re-rating Green while still overdue shows Amber all the same.
    assert effective_delivery_rag(Rag.GREEN, Status.ONGOING, PAST, TODAY).rag is Rag.AMBER


@pytest.mark.parametrize(
    ("text", "rag"),
    [("Amber ", Rag.AMBER), ("red", Rag.RED), ("G", Rag.GREEN), ("", Rag.NOT_RATED), ("Blue", Rag.BLUE)],
)
def test_reads_ratings_as_plans_write_them(text, rag):
    assert Rag.from_text(text) is rag


def test_unknown_rating_is_an_error():
    with pytest.raises(ValueError):
        Rag.from_text("Purple")
