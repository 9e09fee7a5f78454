"""Reading a figures file's columns and periods as boards write them."""

from __future__ import annotations

import pytest

from tracker.importers.measure_figures import NoFiguresTable, PeriodNotRead, find_layout, match_columns, read_period
from tracker.importers.tables import Table
from tracker.measure_periods import Frequency

Q, M = Frequency.QUARTERLY, Frequency.MONTHLY


@pytest.mark.parametrize(
    ("text", "quarter", "month"),
    [
        ("Q2 2015/16", "Q2 2015/16", None),
        ("q2 2015-16", "Q2 2015/16", None),
        ("Q2 15/16", "Q2 2015/16", None),
        ("Quarter 2 2015/16", "Q2 2015/16", None),
        ("2015-16 Q2", "Q2 2015/16", None),
        ("FY2015/16 Q4", "Q4 2015/16", None),
        ("Jul-Sep 2015", "Q2 2015/16", None),
        ("Jul – Sep 2015", "Q2 2015/16", None),
        ("July to September 2015", "Q2 2015/16", None),
        ("Jan-Mar 2016", "Q4 2015/16", None),
        ("Oct 2015 - Dec 2015", "Q3 2015/16", None),
        ("July 2015", "Q2 2015/16", "July 2015"),
        ("Sept-15", "Q2 2015/16", "September 2015"),
        ("Sep 2015", "Q2 2015/16", "September 2015"),
        ("2015-07", "Q2 2015/16", "July 2015"),
        ("07/2015", "Q2 2015/16", "July 2015"),
        ("15/08/2015", "Q2 2015/16", "August 2015"),
        ("2015-08-15", "Q2 2015/16", "August 2015"),
        ("2015-08-15 00:00:00", "Q2 2015/16", "August 2015"),
        ("15 August 2015", "Q2 2015/16", "August 2015"),  # how an Excel date cell is read
        ("31st March 2016", "Q4 2015/16", "March 2016"),
        ("42186", "Q2 2015/16", "July 2015"),  # a date cell saved without its date format: 1 July 2015
    ],
)
def test_periods_as_boards_write_them(text, quarter, month):
    assert read_period(text, Q).label == quarter
    if month is None:
        with pytest.raises(PeriodNotRead, match="this measure's figures are monthly"):
            read_period(text, M)
    else:
        assert read_period(text, M).label == month


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "No period"),
        ("2015/16", "is a whole year"),
        ("2015", "is a whole year"),
        ("Q2 2015", "is not a period the tracker can read"),
        ("Q2 2015/17", "two years that follow each other"),
        ("Aug-Oct 2015", "is not a quarter of the financial year"),
        ("31/02/2016", "is not a real date"),
        ("soon", "is not a period the tracker can read"),
        ("123", "is not a period the tracker can read"),
    ],
)
def test_periods_that_cannot_be_read_say_why(text, reason):
    with pytest.raises(PeriodNotRead, match=reason):
        read_period(text, Q)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (["Period", "Measure", "Value"], {"period": 0, "measure": 1, "value": 2}),
        (["Quarter", "Measure name", "Figure", "Notes", "Data source"],
         {"period": 0, "measure": 1, "value": 2, "note": 3, "source": 4}),
        (["Ref", "Name of indicator", "Q2 figure (%)", "Reporting period"], {"period": 3, "measure": 1, "value": 2}),
        (["MEASURE:", "Month", "Count"], {"period": 1, "measure": 0, "value": 2}),
    ],
    ids=["plain", "loose", "inside-longer-names", "capitals"],
)  # fmt: skip
def test_columns_are_found_by_their_header_words(header, expected):
    assert match_columns(header) == expected


def test_the_header_may_sit_below_a_title_in_any_table():
    plan_table = Table("Actions", [["Ref", "Action"], ["1.1", "Do it"]])
    figures = Table("Figures", [["Figures for the board"], ["Quarter", "Measure", "Figure"], ["Q1 2015/16", "A", "1"]])
    layout = find_layout([plan_table, figures])
    assert (layout.table_index, layout.header_row) == (1, 1)
    with pytest.raises(NoFiguresTable, match="no column for the period"):
        find_layout([Table("Sheet", [["Measure", "Value"], ["A", "1"]])])
