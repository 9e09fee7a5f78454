"""The timescale parser reads every form in the source plan and flags what it cannot read."""

from datetime import date

import pytest

from tracker.importers.timescale import parse_timescale


@pytest.mark.parametrize(
    ("text", "due", "start"),
    [
        # Every form in the Coventry 2015 plan.
        ("May 2015", date(2015, 5, 31), None),
        ("June 2015", date(2015, 6, 30), None),
        ("April 2015", date(2015, 4, 30), None),
        ("Sept 2015", date(2015, 9, 30), None),
        ("March 2016", date(2016, 3, 31), None),
        ("March 2015", date(2015, 3, 31), None),
        ("Sept 15", date(2015, 9, 30), None),
        ("June 15", date(2015, 6, 30), None),
        ("March 2015- Sept 2015", date(2015, 9, 30), date(2015, 3, 1)),
        # Forms other plans use.
        ("April 2015 (initial feedback) December 2015", date(2015, 12, 31), date(2015, 4, 1)),
        ("February 2016", date(2016, 2, 29), None),
        ("31 May 2015", date(2015, 5, 31), None),
        ("1st June 2015", date(2015, 6, 1), None),
        ("31/03/2016", date(2016, 3, 31), None),
        ("2016-03-31", date(2016, 3, 31), None),
        ("end of March 2016", date(2016, 3, 31), None),
        ("Sep 2015 to Dec 2015", date(2015, 12, 31), date(2015, 9, 1)),
        ("  March   2016 \n", date(2016, 3, 31), None),
    ],
)
def test_reads_dates(text, due, start):
    parsed = parse_timescale(text)
    assert parsed.due_date == due
    assert parsed.start_date == start
    assert not parsed.needs_review
    assert parsed.text == text.strip()


@pytest.mark.parametrize("text", ["", "   ", None])
def test_blank_has_no_date_and_is_not_flagged(text):
    parsed = parse_timescale(text)
    assert parsed.due_date is None
    assert not parsed.needs_review
    assert parsed.is_blank


@pytest.mark.parametrize("text", ["On-going", "Ongoing", "on going"])
def test_ongoing_is_read_as_ongoing_without_a_date(text):
    parsed = parse_timescale(text)
    assert parsed.ongoing
    assert parsed.due_date is None
    assert not parsed.needs_review


@pytest.mark.parametrize(
    "text",
    [
        "TBC",
        "Summer 2015",
        "Q1 2016",
        "2016",
        "31 February 2016",
        "13/13/2015",
        "Sept 2015 - March 2015",  # ends before it starts
        "As soon as possible after May 2015",
        "May 20155",
        "Immediately and ongoing",
    ],
)
def test_unreadable_text_is_kept_and_flagged_never_guessed(text):
    parsed = parse_timescale(text)
    assert parsed.due_date is None
    assert parsed.needs_review
    assert parsed.text == text
