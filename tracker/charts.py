"""Dashboard figures as Plotly figure dicts: pure functions from counted data to {data, layout, config}.

Every bar segment carries the address of the list of actions behind it (customdata), which the
page's script follows on click. Ratings are told apart by colour, by pattern and by name (legend,
hover text and the table beside each chart), never by colour alone. The colours are the
Okabe-Ito palette, chosen to stay distinct for people with the common colour-vision deficiencies.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from tracker.formatting import format_date
from tracker.models import RAG_ORDER, Rag

Figure = dict[str, Any]
Link = Callable[..., str]

RAG_COLOURS = {
    Rag.RED: "#D55E00",  # vermilion
    Rag.AMBER: "#E69F00",  # orange
    Rag.GREEN: "#009E73",  # bluish green
    Rag.BLUE: "#0072B2",  # blue
    Rag.NOT_RATED: "#999999",  # grey
}
RAG_PATTERNS = {Rag.RED: "x", Rag.AMBER: "/", Rag.GREEN: "", Rag.BLUE: ".", Rag.NOT_RATED: "-"}
OVERDUE_COLOUR = "#CC79A7"  # reddish purple: overdue is not a rating, so not a rating's colour
FONT = "GDS Transport, arial, sans-serif"
CONFIG = {"displayModeBar": False, "responsive": True, "displaylogo": False}


def _layout(**extra: Any) -> dict[str, Any]:
    layout = {
        "font": {"family": FONT, "size": 16, "color": "#0b0c0c"},
        "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
        "legend": {"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom", "traceorder": "normal"},
        "hoverlabel": {"font": {"family": FONT}},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "separators": ".,",
    }
    layout.update(extra)
    return layout


def _rag_trace(
    rag: Rag,
    name: str,
    values: Sequence[int],
    categories: Sequence[str],
    links: Sequence[str],
    horizontal: bool = False,
) -> dict[str, Any]:
    trace: dict[str, Any] = {
        "type": "bar",
        "name": name,
        "marker": {
            "color": RAG_COLOURS[rag],
            "line": {"color": "#ffffff", "width": 1},
            "pattern": {"shape": RAG_PATTERNS[rag], "fillmode": "overlay", "fgcolor": "#ffffff", "size": 8},
        },
        "customdata": list(links),
    }
    if horizontal:
        trace.update(orientation="h", x=list(values), y=list(categories))
        trace["hovertemplate"] = f"{name}: %{{x}}<extra>%{{y}}</extra>"
    else:
        trace.update(x=list(categories), y=list(values))
        trace["hovertemplate"] = f"{name}: %{{y}}<extra>%{{x}}</extra>"
    return trace


def rag_bars(bars: Sequence[Any], link: Link, link_key: str) -> Figure:
    """Horizontal stacked bars: one per strand (or plan), segments by effective delivery RAG.

    `bars` have .id, .label and .counts; link(rag=..., <link_key>=bar.id) is a segment's list.
    """
    labels = [bar.label for bar in bars]
    data = [
        _rag_trace(
            rag,
            rag.label,
            [bar.counts[rag] for bar in bars],
            labels,
            [link(rag=rag.value, **{link_key: bar.id}) for bar in bars],
            horizontal=True,
        )
        for rag in RAG_ORDER
    ]
    height = 120 + 44 * max(1, len(bars))
    return {
        "data": data,
        "layout": _layout(
            barmode="stack",
            height=height,
            yaxis={"autorange": "reversed", "automargin": True, "ticksuffix": "  "},
            xaxis={"title": {"text": "Actions"}, "rangemode": "tozero", "automargin": True, "tickformat": ",d"},
        ),
        "config": CONFIG,
    }


def delivery_outcome(grid: dict[Rag, dict[Rag, int]], link: Link) -> Figure:
    """For each delivery rating, its actions by outcome rating (stacked columns)."""
    categories = [f"{rag.label} delivery" for rag in RAG_ORDER]
    data = [
        _rag_trace(
            outcome,
            f"Outcome {outcome.label.lower()}",
            [grid[delivery][outcome] for delivery in RAG_ORDER],
            categories,
            [link(rag=delivery.value, outcome=outcome.value) for delivery in RAG_ORDER],
        )
        for outcome in RAG_ORDER
    ]
    return {
        "data": data,
        "layout": _layout(
            barmode="stack",
            height=420,
            yaxis={"title": {"text": "Actions"}, "rangemode": "tozero", "automargin": True, "tickformat": ",d"},
            xaxis={"automargin": True},
        ),
        "config": CONFIG,
    }


def agencies(lines: Sequence[Any], link: Link, shown: int = 15) -> Figure:
    """Red and overdue actions by accountable agency (the agencies with most, up to `shown`)."""
    top = [line for line in lines if line.agency_id is not None][:shown]
    labels = [line.agency_name for line in top]
    overdue = {
        "type": "bar",
        "orientation": "h",
        "name": "Overdue",
        "x": [line.overdue for line in top],
        "y": labels,
        "marker": {
            "color": OVERDUE_COLOUR,
            "line": {"color": "#ffffff", "width": 1},
            "pattern": {"shape": "/", "fillmode": "overlay", "fgcolor": "#ffffff", "size": 8},
        },
        "customdata": [link(accountable_agency=line.agency_id, overdue=1) for line in top],
        "hovertemplate": "Overdue: %{x}<extra>%{y}</extra>",
    }
    red = _rag_trace(
        Rag.RED,
        "Red",
        [line.red for line in top],
        labels,
        [link(accountable_agency=line.agency_id, rag=Rag.RED.value) for line in top],
        horizontal=True,
    )
    return {
        "data": [overdue, red],
        "layout": _layout(
            barmode="group",
            height=140 + 56 * max(1, len(top)),
            yaxis={"autorange": "reversed", "automargin": True, "ticksuffix": "  "},
            xaxis={"title": {"text": "Actions"}, "rangemode": "tozero", "automargin": True, "tickformat": ",d"},
        ),
        "config": CONFIG,
    }


def trend(points: Sequence[Any], link: Link, last_is_today: bool, by_meeting: bool = False) -> Figure:
    """The RAG mix at each month end (or meeting), as stacked columns, the last one the day viewed."""
    labels = [
        "Today" if last_is_today and n == len(points) - 1 else short_label(point.day, by_meeting)
        for n, point in enumerate(points)
    ]
    data = [
        _rag_trace(
            rag,
            rag.label,
            [point.counts[rag] for point in points],
            labels,
            [link(rag=rag.value, as_at=point.day.isoformat()) for point in points],
        )
        for rag in RAG_ORDER
    ]
    return {
        "data": data,
        "layout": _layout(
            barmode="stack",
            height=460,
            yaxis={"title": {"text": "Actions"}, "rangemode": "tozero", "automargin": True, "tickformat": ",d"},
            xaxis={"type": "category", "automargin": True, "tickangle": -45},
        ),
        "config": CONFIG,
    }


def point_label(day: date, today: bool) -> str:
    return "Today" if today else format_date(day)


def short_label(day: date, with_day: bool) -> str:
    """An axis label: "Mar 2015" for a month end, "20 Jun 2016" for a meeting."""
    return f"{day.day} {day:%b %Y}" if with_day else f"{day:%b %Y}"


def slippage(by_moves: dict[int, int], link: Link, cap: int) -> Figure:
    """How many actions' due dates moved once, twice, three times, or more."""
    labels = [moves_label(n, cap) for n in by_moves]
    return {
        "data": [
            {
                "type": "bar",
                "name": "Actions",
                "x": labels,
                "y": list(by_moves.values()),
                "marker": {"color": RAG_COLOURS[Rag.BLUE], "line": {"color": "#ffffff", "width": 1}},
                "customdata": [link(moves=n) for n in by_moves],
                "hovertemplate": "%{x}: %{y} actions<extra></extra>",
                "text": [str(v) for v in by_moves.values()],
                "textposition": "outside",
            }
        ],
        "layout": _layout(
            height=360,
            showlegend=False,
            yaxis={"title": {"text": "Actions"}, "rangemode": "tozero", "automargin": True, "tickformat": ",d"},
            xaxis={"title": {"text": "Times the due date moved"}, "automargin": True, "type": "category"},
        ),
        "config": CONFIG,
    }


def moves_label(moves: int, cap: int) -> str:
    if moves >= cap:
        return f"{cap} times or more"
    return {1: "Once", 2: "Twice"}.get(moves, f"{moves} times")
