"""Reading a plan's free-text timescale ("May 2015", "Sept 15", "Q3 2015/16", "March 2015- Sept 2015").

The text is always kept as written. A due date is derived only where the text can be read
without guessing; anything else comes back flagged for the co-ordinator to review. Staged
timescales ("April 2015 (initial feedback) December 2015") keep each stage as a milestone and
are due at the last stage.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

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

# One point or period in time. Alternatives are tried in order: the financial year before the
# ISO date so "2015-16" is a year, the ISO date before day/month/year.
_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
_POINT = re.compile(
    rf"""
    (?:end\s+of\s+)?
    (?:
      (?P<iso>(?P<iy>\d{{4}})-(?P<im>\d{{1,2}})-(?P<id>\d{{1,2}}))(?!\d)
    | (?P<fy>(?:q(?P<q>[1-4])\s*)?(?:fy\s*)?(?P<fy1>\d{{4}})\s*[/\-–]\s*(?P<fy2>\d{{4}}|\d{{2}}))(?![\d/\-])
    | (?P<dmy>(?P<nd>\d{{1,2}})[/.\-](?P<nm>\d{{1,2}})[/.\-](?P<ny>\d{{4}}|\d{{2}}))(?!\d)
    | (?:(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+)?
      (?P<month>{_MONTH_NAMES})\.?[\s\-–/,']*(?P<year>\d{{4}}|\d{{2}})(?!\d)
    )
    """,
    re.IGNORECASE | re.VERBOSE,
)
# Words allowed before the first date ("by May 2015", "from March 2015 to ...").
_LEAD = re.compile(r"^(?:by|from|due|before|due by)?[\s:,]*$", re.IGNORECASE)
# Between two dates that make a range.
_RANGE = re.compile(r"^\s*(?:-|–|—|to|until|till)\s*$", re.IGNORECASE)
# Between two stages: a separator, possibly after a label ("- Changes sustained /").
_STAGE_SEPARATOR = re.compile(r"^[\s/,;&]*(?:and|then)?[\s/,;&]*$", re.IGNORECASE)
# A label written after a date: "(initial feedback)" or "- Changes sustained".
_PAREN_LABEL = re.compile(r"^\s*\(([^()]*)\)")
_DASH_LABEL = re.compile(r"^\s*[-–—:]\s*([A-Za-z][^/;,()]*?)\s*(?=[/;,]|$)")


@dataclass(frozen=True)
class Milestone:
    label: str
    due_date: date


@dataclass(frozen=True)
class Timescale:
    text: str
    due_date: date | None = None
    start_date: date | None = None
    ongoing: bool = False
    needs_review: bool = False
    milestones: tuple[Milestone, ...] = ()

    @property
    def is_blank(self) -> bool:
        return not self.text.strip()


def _year(raw: str) -> int:
    value = int(raw)
    return 2000 + value if value < 100 else value


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _financial_year(match: re.Match[str]) -> tuple[date, date]:
    """UK financial years run April to March: Q1 is April-June of the first year."""
    first, raw_second = int(match.group("fy1")), match.group("fy2")
    follows = int(raw_second) == (first + 1) % 100 if len(raw_second) == 2 else int(raw_second) == first + 1
    if not follows:
        raise ValueError("a financial year spans two consecutive years")
    if match.group("q"):
        quarter = int(match.group("q"))
        start_month = 4 + 3 * (quarter - 1)
        year = first if start_month <= 12 else first + 1
        start_month = start_month if start_month <= 12 else start_month - 12
        return date(year, start_month, 1), _month_end(year, start_month + 2)
    return date(first, 4, 1), date(first + 1, 3, 31)


def _point(match: re.Match[str]) -> tuple[date, date]:
    """The first and last day a point in time covers (a month covers the whole month)."""
    if match.group("iso"):
        day = date(int(match.group("iy")), int(match.group("im")), int(match.group("id")))
        return day, day
    if match.group("fy"):
        return _financial_year(match)
    if match.group("dmy"):
        day = date(_year(match.group("ny")), int(match.group("nm")), int(match.group("nd")))
        return day, day
    year = _year(match.group("year"))
    month = MONTHS[match.group("month").lower()]
    if match.group("day"):
        day = date(year, month, int(match.group("day")))
        return day, day
    return date(year, month, 1), _month_end(year, month)


def _label_and_rest(gap: str) -> tuple[str, str]:
    """Split the text after a date into that date's label and what is left."""
    for pattern in (_PAREN_LABEL, _DASH_LABEL):
        match = pattern.match(gap)
        if match:
            return " ".join(match.group(1).split()), gap[match.end() :]
    return "", gap


def parse_timescale(text: str | None) -> Timescale:
    """Read a timescale. A month means the end of that month; a range or staged plan is due at its end."""
    original = (text or "").strip()
    collapsed = " ".join(original.split())
    if not collapsed:
        return Timescale(text=original)
    if collapsed.lower().rstrip(".") in ONGOING:
        return Timescale(text=original, ongoing=True)
    review = Timescale(text=original, needs_review=True)

    matches = list(_POINT.finditer(collapsed))
    if not matches or not _LEAD.match(collapsed[: matches[0].start()]):
        return review
    try:
        points = [_point(match) for match in matches]
    except ValueError:  # "31 February 2016", "13/13/15", "2015/17"
        return review

    labels: list[str] = []
    separators: list[str] = []
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(collapsed)
        label, rest = _label_and_rest(collapsed[match.end() : end])
        labels.append(label)
        separators.append(rest)
    if separators[-1].strip(" .;,"):
        return review

    is_range = len(points) == 2 and not any(labels) and _RANGE.match(separators[0])
    if not is_range and not all(_STAGE_SEPARATOR.match(gap) or _RANGE.match(gap) for gap in separators[:-1]):
        return review
    start, due = points[0][0], points[-1][1]
    if any(later[1] < earlier[1] for earlier, later in pairwise(points)) or due < start:
        return review
    if len(points) == 1:
        return Timescale(text=original, due_date=due)
    if is_range:
        return Timescale(text=original, due_date=due, start_date=start)
    milestones = tuple(Milestone(label, end) for label, (_, end) in zip(labels, points, strict=True))
    return Timescale(text=original, due_date=due, start_date=start, milestones=milestones)
