"""Reading a plan's free-text timescale ("May 2015", "Sept 15", "March 2015- Sept 2015").

The text is always kept as written. A due date is derived only where the text can be read
without guessing; anything else comes back flagged for the co-ordinator to review.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

MONTHS = {
    "jan": 1, "january": 1,
    "feb": 2, "february": 2,
    "mar": 3, "march": 3,
    "apr": 4, "april": 4,
    "may": 5,
    "jun": 6, "june": 6,
    "jul": 7, "july": 7,
    "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9,
    "oct": 10, "october": 10,
    "nov": 11, "november": 11,
    "dec": 12, "december": 12,
}  # fmt: skip

ONGOING = {"ongoing", "on-going", "on going", "continuous", "continual"}

# One point in time: "31 May 2015", "May 2015", "Sept 15", "31/05/2015", "2015-05-31".
_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
_POINT = re.compile(
    rf"""
    (?P<iso>(?P<iy>\d{{4}})-(?P<im>\d{{1,2}})-(?P<id>\d{{1,2}}))
    | (?P<dmy>(?P<nd>\d{{1,2}})/(?P<nm>\d{{1,2}})/(?P<ny>\d{{4}}|\d{{2}})(?!\d))
    | (?:end\s+of\s+)?(?:(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+)?
      (?P<month>{_MONTH_NAMES})\.?\s*,?\s*(?P<year>\d{{4}}|\d{{2}})(?!\d)
    """,
    re.IGNORECASE | re.VERBOSE,
)
# What may stand between or around the points without making the text unreadable.
_FILLER = re.compile(r"^[\s\-–—,;:&.]*(?:to|until|and|by|from|\([^()]*\))?[\s\-–—,;:&]*$", re.IGNORECASE)


@dataclass(frozen=True)
class Timescale:
    text: str
    due_date: date | None = None
    start_date: date | None = None
    ongoing: bool = False
    needs_review: bool = False

    @property
    def is_blank(self) -> bool:
        return not self.text.strip()


def _year(raw: str) -> int:
    value = int(raw)
    return 2000 + value if value < 100 else value


def _point(match: re.Match[str]) -> tuple[date, date]:
    """The first and last day a point in time covers (a month covers the whole month)."""
    if match.group("iso"):
        day = date(int(match.group("iy")), int(match.group("im")), int(match.group("id")))
        return day, day
    if match.group("dmy"):
        day = date(_year(match.group("ny")), int(match.group("nm")), int(match.group("nd")))
        return day, day
    year = _year(match.group("year"))
    month = MONTHS[match.group("month").lower()]
    if match.group("day"):
        day = date(year, month, int(match.group("day")))
        return day, day
    last = calendar.monthrange(year, month)[1]
    return date(year, month, 1), date(year, month, last)


def parse_timescale(text: str | None) -> Timescale:
    """Read a timescale. A month means the end of that month; a range is due at its end."""
    original = (text or "").strip()
    collapsed = " ".join(original.split())
    if not collapsed:
        return Timescale(text=original)
    if collapsed.lower().rstrip(".") in ONGOING:
        return Timescale(text=original, ongoing=True)

    matches = list(_POINT.finditer(collapsed))
    if not matches:
        return Timescale(text=original, needs_review=True)
    # Every character outside the dates must be filler ("-", "to", "(initial feedback)").
    gaps, cursor = [], 0
    for match in matches:
        gaps.append(collapsed[cursor : match.start()])
        cursor = match.end()
    gaps.append(collapsed[cursor:])
    if not all(_FILLER.match(gap) for gap in gaps):
        return Timescale(text=original, needs_review=True)
    try:
        points = [_point(match) for match in matches]
    except ValueError:  # "31 February 2016", "13/13/15"
        return Timescale(text=original, needs_review=True)
    start, due = points[0][0], points[-1][1]
    if due < start:
        return Timescale(text=original, needs_review=True)
    return Timescale(text=original, due_date=due, start_date=start if len(points) > 1 else None)
