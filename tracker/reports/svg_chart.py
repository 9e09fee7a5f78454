"""Bar charts for the printed report, as plain geometry a template turns into inline SVG.

Why not Plotly's static export or matplotlib: Plotly needs Kaleido and a Chrome to draw a file,
and matplotlib is a large library for a handful of rectangles. A stacked bar is a few numbers;
computing them here and writing <rect> elements in the template keeps charts vector, free of
JavaScript, exact to the counts in the table beside them, and adds no dependency.
"""

from __future__ import annotations

from dataclasses import dataclass

from tracker.models import RAG_ORDER, Rag

# GOV.UK colours, as on the dashboard.
RAG_COLOURS = {
    Rag.RED: "#d4351c",
    Rag.AMBER: "#f47738",
    Rag.GREEN: "#00703c",
    Rag.BLUE: "#1d70b8",
    Rag.NOT_RATED: "#b1b4b6",
}
LABEL_WIDTH = 220
BAR_WIDTH = 440
ROW_HEIGHT = 24
BAR_HEIGHT = 16
COUNT_WIDTH = 50


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    colour: str
    rag: Rag
    count: int


@dataclass(frozen=True)
class BarRow:
    label: str
    y: int
    total: int
    segments: list[Segment]

    @property
    def text_y(self) -> int:
        return self.y + BAR_HEIGHT - 4


@dataclass(frozen=True)
class BarChart:
    title: str
    rows: list[BarRow]
    width: int = LABEL_WIDTH + BAR_WIDTH + COUNT_WIDTH
    label_width: int = LABEL_WIDTH
    bar_end: int = LABEL_WIDTH + BAR_WIDTH

    @property
    def height(self) -> int:
        return max(1, len(self.rows)) * ROW_HEIGHT

    @property
    def legend(self) -> list[tuple[Rag, str]]:
        return [(rag, RAG_COLOURS[rag]) for rag in RAG_ORDER]


def stacked_bars(title: str, bars: list[tuple[str, dict[Rag, int]]]) -> BarChart:
    """One bar per label, split by rating in RAG_ORDER; bars share one scale, so lengths compare."""
    longest = max((sum(counts.values()) for _label, counts in bars), default=0) or 1
    rows = []
    for index, (label, counts) in enumerate(bars):
        x, segments = float(LABEL_WIDTH), []
        for rag in RAG_ORDER:
            count = counts.get(rag, 0)
            if count:
                width = BAR_WIDTH * count / longest
                segments.append(Segment(round(x, 2), round(width, 2), RAG_COLOURS[rag], rag, count))
                x += width
        rows.append(BarRow(label, index * ROW_HEIGHT + 4, sum(counts.values()), segments))
    return BarChart(title, rows)


def rag_bars(title: str, counts: dict[Rag, int]) -> BarChart:
    """One bar per rating (for the outcome RAG)."""
    return stacked_bars(title, [(rag.label, {rag: counts.get(rag, 0)}) for rag in RAG_ORDER])
