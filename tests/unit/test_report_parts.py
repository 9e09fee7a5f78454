"""Pure parts of the reports: chart geometry, text that could run as a formula, file names."""

import pytest

from tracker.models import Rag
from tracker.reports.cell_text import neutralise
from tracker.reports.files import slug
from tracker.reports.svg_chart import BAR_WIDTH, LABEL_WIDTH, stacked_bars


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=SUM(A1:A2)", "'=SUM(A1:A2)"),
        ("+44 24 7683 3003", "'+44 24 7683 3003"),
        ("-1", "'-1"),
        ("@cmd", "'@cmd"),
        ("\tTabbed", "'\tTabbed"),
        ("\rReturn", "'\rReturn"),
        ("Plain = fine", "Plain = fine"),
        ("", ""),
    ],
)
def test_text_that_would_start_a_formula_gets_an_apostrophe(text, expected):
    assert neutralise(text) == expected


def test_bars_share_one_scale_and_stack_in_rag_order():
    chart = stacked_bars("By strand", [("Prevent", {Rag.GREEN: 2, Rag.RED: 2}), ("Pursue", {Rag.AMBER: 2})])
    prevent, pursue = chart.rows
    assert [s.rag for s in prevent.segments] == [Rag.RED, Rag.GREEN]
    assert prevent.segments[0].x == LABEL_WIDTH
    assert prevent.segments[1].x == LABEL_WIDTH + BAR_WIDTH / 2
    assert sum(s.width for s in prevent.segments) == BAR_WIDTH
    assert pursue.segments[0].width == BAR_WIDTH / 2
    assert (prevent.total, pursue.total) == (4, 2)


def test_an_empty_chart_has_no_bars():
    assert stacked_bars("Nothing", []).rows == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Coventry CSE Strategy Action Plan 2015–17", "coventry-cse-strategy-action-plan-2015-17"),
        ("All plans", "all-plans"),
        ("../../etc/passwd", "etc-passwd"),
        ("Équipe café", "equipe-cafe"),
        ("***", "report"),
    ],
)
def test_file_names_say_what_the_report_is_and_are_safe(name, expected):
    assert slug(name) == expected
