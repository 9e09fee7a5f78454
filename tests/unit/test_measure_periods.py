"""Reporting periods: named by the UK financial year, with the day a figure is due."""

from datetime import date

import pytest

from tracker.measure_periods import Frequency, Period, ended_periods, periods_between

Q = Frequency.QUARTERLY
M = Frequency.MONTHLY


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (date(2015, 4, 1), "Q1 2015/16"),
        (date(2015, 6, 30), "Q1 2015/16"),
        (date(2015, 7, 1), "Q2 2015/16"),
        (date(2015, 9, 30), "Q2 2015/16"),
        (date(2015, 12, 31), "Q3 2015/16"),
        (date(2016, 1, 1), "Q4 2015/16"),
        (date(2016, 3, 31), "Q4 2015/16"),
        (date(1999, 4, 1), "Q1 1999/00"),
    ],
)
def test_quarters_are_named_by_the_financial_year(day, label):
    assert Period.containing(day, Q).label == label


def test_a_quarter_starts_ends_and_is_due():
    quarter = Period.containing(date(2015, 8, 15), Q)
    assert (quarter.start, quarter.end) == (date(2015, 7, 1), date(2015, 9, 30))
    assert quarter.due == date(2015, 10, 30)
    assert quarter.next().label == "Q3 2015/16"
    assert quarter.previous().label == "Q1 2015/16"
    assert Period.containing(date(2016, 2, 1), Q).next().label == "Q1 2016/17"


def test_months_are_named_as_written():
    month = Period.containing(date(2015, 12, 9), M)
    assert (month.label, month.start, month.end, month.financial_year) == (
        "December 2015",
        date(2015, 12, 1),
        date(2015, 12, 31),
        "2015/16",
    )
    assert month.next().label == "January 2016"


def test_a_period_has_ended_the_day_after_its_last_day_and_is_late_after_its_due_day():
    quarter = Period.containing(date(2015, 7, 1), Q)
    assert not quarter.has_ended(date(2015, 9, 30))
    assert quarter.has_ended(date(2015, 10, 1))
    assert not quarter.is_late(date(2015, 10, 30))
    assert quarter.is_late(date(2015, 10, 31))


def test_a_key_must_be_a_periods_first_day():
    assert Period.from_key("2015-07-01", Q).label == "Q2 2015/16"
    for bad in ("2015-08-01", "2015-07-02", "not a date", ""):
        with pytest.raises(ValueError):
            Period.from_key(bad, Q)


def test_ended_periods_run_from_the_first_to_the_last_that_has_ended():
    labels = [p.label for p in ended_periods(date(2015, 4, 1), None, Q, date(2016, 1, 15))]
    assert labels == ["Q1 2015/16", "Q2 2015/16", "Q3 2015/16"]
    assert ended_periods(date(2015, 4, 1), None, Q, date(2015, 6, 30)) == []
    # A measure that ends expects nothing after its last period.
    ended = ended_periods(date(2015, 4, 1), date(2015, 9, 30), Q, date(2020, 1, 1))
    assert [p.label for p in ended] == ["Q1 2015/16", "Q2 2015/16"]


def test_periods_between_includes_both_ends():
    first, last = Period.containing(date(2015, 11, 1), M), Period.containing(date(2016, 2, 1), M)
    assert [p.label for p in periods_between(first, last)] == [
        "November 2015",
        "December 2015",
        "January 2016",
        "February 2016",
    ]
    assert periods_between(last, first) == []
