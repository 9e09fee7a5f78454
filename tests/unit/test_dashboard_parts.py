"""The small rules of the dashboard: reading dates, plotly's stylesheet, what a change means."""

from datetime import date

import pytest

from tracker.forms.dashboard import read_day
from tracker.plotly_assets import plotly_bundle
from tracker.queries.changes import Change


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2015-09-30", date(2015, 9, 30)),
        (" 30/9/2015 ", date(2015, 9, 30)),
        ("30 9 2015", date(2015, 9, 30)),
        ("30-09-2015", date(2015, 9, 30)),
        ("31/2/2015", None),
        ("September", None),
        ("", None),
        (None, None),
    ],
)
def test_read_day(text, day):
    assert read_day(text) == day


def test_plotly_bundle_gives_its_version_stylesheet_and_map_style_id():
    bundle = plotly_bundle()
    assert bundle.version.count(".") == 2
    assert ".js-plotly-plot .plotly .main-svg{position:absolute;top:0;left:0;pointer-events:none;}" in bundle.css
    assert ".plotly-notifier .notifier-note{" in bundle.css
    assert "X" not in bundle.css.split("*/", 1)[1].replace("max-", "").replace("X ", "")  # shorthand expanded
    assert bundle.map_style_id and len(bundle.map_style_id) == 64


def test_changes_have_words():
    assert [change.label for change in Change] == [
        "Delivery RAG worse",
        "Delivery RAG better",
        "Completed",
        "Newly overdue",
        "Added to the plan",
    ]
