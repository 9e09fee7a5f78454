"""Dashboard figures as Plotly figure dicts: pure functions, labelled and linked."""

from dataclasses import dataclass, field
from datetime import date

from tracker import charts
from tracker.models import RAG_ORDER, Rag


@dataclass
class Bar:
    id: int
    label: str
    counts: dict = field(default_factory=dict)


@dataclass
class Point:
    day: date
    counts: dict


def link(**args) -> str:
    return "/dashboard/actions?" + "&".join(f"{k}={v}" for k, v in sorted(args.items()))


def test_rag_bars_stack_labelled_segments_that_link_to_their_actions():
    bars = [
        Bar(7, "Prevent", {rag: n for n, rag in enumerate(RAG_ORDER)}),
        Bar(8, "Pursue", dict.fromkeys(RAG_ORDER, 2)),
    ]
    figure = charts.rag_bars(bars, link, "strand")
    assert figure["layout"]["barmode"] == "stack"
    assert [trace["name"] for trace in figure["data"]] == ["Red", "Amber", "Green", "Blue", "Not rated"]
    amber = figure["data"][1]
    assert amber["orientation"] == "h"
    assert amber["y"] == ["Prevent", "Pursue"] and amber["x"] == [1, 2]
    assert amber["customdata"] == ["/dashboard/actions?rag=amber&strand=7", "/dashboard/actions?rag=amber&strand=8"]
    assert "Amber" in amber["hovertemplate"]


def test_ratings_differ_by_pattern_as_well_as_colour():
    figure = charts.rag_bars([Bar(1, "Prevent", dict.fromkeys(RAG_ORDER, 1))], link, "strand")
    patterns = [trace["marker"]["pattern"]["shape"] for trace in figure["data"]]
    colours = [trace["marker"]["color"] for trace in figure["data"]]
    assert len(set(patterns)) == len(patterns) and len(set(colours)) == len(colours)
    assert colours[0] == "#D55E00"  # vermilion, not pure red: Okabe-Ito, safe for colour-blind readers
    assert figure["config"]["displayModeBar"] is False


def test_delivery_against_outcome_links_each_cell():
    grid = {delivery: dict.fromkeys(RAG_ORDER, 0) for delivery in RAG_ORDER}
    grid[Rag.GREEN][Rag.RED] = 4
    figure = charts.delivery_outcome(grid, link)
    outcome_red = figure["data"][0]
    assert outcome_red["name"] == "Outcome red"
    assert outcome_red["x"][2] == "Green delivery" and outcome_red["y"][2] == 4
    assert outcome_red["customdata"][2] == "/dashboard/actions?outcome=red&rag=green"


def test_trend_labels_months_and_today():
    points = [
        Point(date(2015, 6, 30), dict.fromkeys(RAG_ORDER, 1)),
        Point(date(2015, 7, 12), dict.fromkeys(RAG_ORDER, 2)),
    ]
    figure = charts.trend(points, link, last_is_today=True)
    assert figure["data"][0]["x"] == ["Jun 2015", "Today"]
    assert figure["data"][0]["customdata"][0] == "/dashboard/actions?as_at=2015-06-30&rag=red"
    by_meeting = charts.trend(points, link, last_is_today=False, by_meeting=True)
    assert by_meeting["data"][0]["x"] == ["30 Jun 2015", "12 Jul 2015"]


def test_slippage_and_its_words():
    figure = charts.slippage({1: 5, 2: 2, 3: 0, 4: 1}, link, 4)
    assert figure["data"][0]["x"] == ["Once", "Twice", "3 times", "4 times or more"]
    assert figure["data"][0]["customdata"][3] == "/dashboard/actions?moves=4"
    assert charts.moves_label(7, 4) == "4 times or more"


def test_agencies_show_overdue_and_red_side_by_side():
    @dataclass
    class Line:
        agency_id: int | None
        agency_name: str
        overdue: int
        red: int

    figure = charts.agencies([Line(3, "Police", 5, 2), Line(None, "No agency", 1, 1)], link)
    overdue, red = figure["data"]
    assert overdue["y"] == ["Police"]  # posts with no agency stay in the table only
    assert overdue["customdata"] == ["/dashboard/actions?accountable_agency=3&overdue=1"]
    assert red["customdata"] == ["/dashboard/actions?accountable_agency=3&rag=red"]
