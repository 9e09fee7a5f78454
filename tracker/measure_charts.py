"""A measure's figures against its targets as a Plotly figure dict (a pure function, as tracker/charts.py).

Each figure is a column coloured, patterned and named by its RAG; the targets are a line of
points over them. Bar and scatter only: the tracker serves plotly's basic bundle.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tracker.charts import CONFIG, RAG_COLOURS, RAG_PATTERNS, Figure, _layout
from tracker.measures_rag import format_figure

TARGET_COLOUR = "#0b0c0c"


def figures_against_targets(rows: Sequence[Any], unit_title: str, percentage: bool) -> Figure:
    """rows have .period (with .label), .value, .target and .rag (with .rag); periods without either are left out."""
    shown = [row for row in rows if row.value is not None or row.target is not None]
    labels = [row.period.label for row in shown]
    with_figure = [row for row in shown if row.value is not None]
    figures = {
        "type": "bar",
        "name": "Figure",
        "x": [row.period.label for row in with_figure],
        "y": [row.value for row in with_figure],
        "text": [f"{format_figure(row.value, percentage)} ({row.rag.rag.label})" for row in with_figure],
        "textposition": "none",
        "marker": {
            "color": [RAG_COLOURS[row.rag.rag] for row in with_figure],
            "line": {"color": "#ffffff", "width": 1},
            "pattern": {
                "shape": [RAG_PATTERNS[row.rag.rag] for row in with_figure],
                "fillmode": "overlay",
                "fgcolor": "#ffffff",
                "size": 8,
            },
        },
        "hovertemplate": "Figure: %{text}<extra>%{x}</extra>",
    }
    with_target = [row for row in shown if row.target is not None]
    targets = {
        "type": "scatter",
        "mode": "lines+markers",
        "name": "Target",
        "x": [row.period.label for row in with_target],
        "y": [row.target for row in with_target],
        "line": {"color": TARGET_COLOUR, "dash": "dash", "width": 2},
        "marker": {"color": TARGET_COLOUR, "symbol": "diamond", "size": 10},
        "hovertemplate": "Target: %{y}<extra>%{x}</extra>",
    }
    yaxis: dict[str, Any] = {"title": {"text": unit_title}, "rangemode": "tozero", "automargin": True}
    if percentage:
        yaxis.update(range=[0, 100], ticksuffix="%")
    return {
        "data": [figures, targets],
        "layout": _layout(
            height=420,
            yaxis=yaxis,
            xaxis={"type": "category", "automargin": True, "tickangle": -45, "categoryarray": labels},
        ),
        "config": CONFIG,
    }
