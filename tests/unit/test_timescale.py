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
        "Q1 2016",  # a calendar or a financial quarter? never guessed
        "2015/17",  # a financial year spans two consecutive years
        "Q5 2015/16",
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


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("Sept 15", date(2015, 9, 30)),
        ("September 2015", date(2015, 9, 30)),
        ("Sep-2015", date(2015, 9, 30)),
        ("Sep-15", date(2015, 9, 30)),
        ("sept. 2015", date(2015, 9, 30)),
        ("31/05/2015", date(2015, 5, 31)),
        ("31.05.2015", date(2015, 5, 31)),
        ("31-05-2015", date(2015, 5, 31)),
        ("1/6/15", date(2015, 6, 1)),
        ("by June 2015", date(2015, 6, 30)),
    ],
    ids=["short-month-short-year", "full-month", "hyphenated", "hyphenated-short-year", "abbreviation-with-dot",
         "uk-slashes", "uk-dots", "uk-hyphens", "uk-short", "by-month"],
)  # fmt: skip
def test_month_year_and_uk_day_month_year_forms(text, due):
    parsed = parse_timescale(text)
    assert (parsed.due_date, parsed.needs_review, parsed.milestones) == (due, False, ())


@pytest.mark.parametrize(
    ("text", "start", "due"),
    [
        ("Q1 2015/16", date(2015, 4, 1), date(2015, 6, 30)),
        ("Q3 2015/16", date(2015, 10, 1), date(2015, 12, 31)),
        ("Q4 2015/16", date(2016, 1, 1), date(2016, 3, 31)),
        ("Q4 2015-16", date(2016, 1, 1), date(2016, 3, 31)),
        ("2015/16", date(2015, 4, 1), date(2016, 3, 31)),
        ("end of 2015/16", date(2015, 4, 1), date(2016, 3, 31)),
        ("2015/2016", date(2015, 4, 1), date(2016, 3, 31)),
        ("2099/00", date(2099, 4, 1), date(2100, 3, 31)),
    ],
    ids=["q1", "q3", "q4-crosses-the-year", "q4-hyphen", "financial-year", "end-of-financial-year",
         "four-digit-years", "century"],
)  # fmt: skip
def test_quarters_and_financial_years_run_april_to_march(text, start, due):
    parsed = parse_timescale(text)
    assert parsed.due_date == due
    assert not parsed.needs_review
    # A quarter on its own is one period: due at its end, with no separate start.
    assert parsed.start_date is None
    assert start <= due


@pytest.mark.parametrize(
    ("text", "milestones"),
    [
        ("April 2015 (initial feedback) December 2015", [("initial feedback", date(2015, 4, 30)), ("", date(2015, 12, 31))]),
        ("April 2015 / July 2015 - Changes sustained", [("", date(2015, 4, 30)), ("Changes sustained", date(2015, 7, 31))]),
        ("May 2015, June 2015 and September 2015",
         [("", date(2015, 5, 31)), ("", date(2015, 6, 30)), ("", date(2015, 9, 30))]),
        ("June 2015 (draft) / Sept 2015 (final)", [("draft", date(2015, 6, 30)), ("final", date(2015, 9, 30))]),
    ],
    ids=["labelled-first-stage", "labelled-last-stage", "three-stages", "every-stage-labelled"],
)  # fmt: skip
def test_staged_dates_are_milestones_due_at_the_last_stage(text, milestones):
    parsed = parse_timescale(text)
    assert [(m.label, m.due_date) for m in parsed.milestones] == milestones
    assert parsed.due_date == milestones[-1][1]
    assert not parsed.needs_review
    assert parsed.text == text


def test_a_range_is_not_staged():
    parsed = parse_timescale("March 2015- Sept 2015")
    assert parsed.milestones == ()
    assert (parsed.start_date, parsed.due_date) == (date(2015, 3, 1), date(2015, 9, 30))


def test_stages_out_of_order_are_flagged():
    assert parse_timescale("December 2015 / April 2015").needs_review
