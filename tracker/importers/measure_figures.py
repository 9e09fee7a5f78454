"""Reading measure figures from a spreadsheet: which columns hold the period, the measure and the
figure, and which period a cell names, written as boards write them.

Boards keep their figures in spreadsheets headed "Quarter", "Measure name", "Figure" and the like,
with periods such as "Q2 2015/16", "2015-16 Q2", "Jul-Sep 2015", "July 2015", a date inside the
period, or a date cell. This module gives those cells a meaning; it knows nothing of the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from openpyxl.utils.datetime import CALENDAR_WINDOWS_1900, from_excel

from tracker.importers.tables import Table
from tracker.importers.timescale import MONTHS
from tracker.measure_periods import Frequency, Period

# The columns of a figures file, and the header words each is known by (compared without case or punctuation).
COLUMNS = {
    "period": [
        "period", "quarter", "month", "reporting period", "period name", "date", "time period", "quarter ending",
        "month ending", "period ending", "period end", "qtr", "financial quarter",
    ],
    "measure": [
        "measure", "measure name", "measures", "name of measure", "indicator", "indicator name", "performance measure",
        "performance indicator", "kpi", "metric", "name",
    ],
    "value": ["value", "figure", "figures", "count", "number", "result", "actual", "amount", "total", "data", "score"],
    "note": ["note", "notes", "comment", "comments", "commentary", "narrative", "explanation"],
    "source": ["source", "data source", "sources", "source of data", "where from", "system"],
}  # fmt: skip
REQUIRED = ("period", "measure", "value")
# The header is looked for in the first rows only: a title or two above it is common, more is not a header.
HEADER_SEARCH_ROWS = 10

_NOT_WORD = re.compile(r"[^a-z0-9%]+")


def header_key(text: str) -> str:
    """ "Measure name:" -> "measure name"; "Figure (%)" -> "figure %"."""
    return " ".join(_NOT_WORD.sub(" ", text.lower()).split())


def match_columns(header: list[str]) -> dict[str, int]:
    """Each column of a figures file found in a header row: an exact header word first, then a header
    that contains one as whole words ("Q2 figure", "Name of indicator"). Each column is used once."""
    keys = [header_key(cell) for cell in header]
    found: dict[str, int] = {}
    for exact in (True, False):
        for field, words in COLUMNS.items():
            if field in found:
                continue
            for index, key in enumerate(keys):
                if index in found.values() or not key:
                    continue
                padded = f" {key} "
                if any(key == word if exact else f" {word} " in padded for word in words):
                    found[field] = index
                    break
    return found


@dataclass(frozen=True)
class FiguresLayout:
    table_index: int
    header_row: int  # index into the table's rows
    columns: dict[str, int]


class NoFiguresTable(ValueError):
    pass


def find_layout(tables: list[Table]) -> FiguresLayout:
    """The first table with a header naming the period, the measure and the figure, or NoFiguresTable."""
    best: dict[str, int] = {}
    for table_index, table in enumerate(tables):
        for row_index, row in enumerate(table.rows[:HEADER_SEARCH_ROWS]):
            columns = match_columns(row)
            if all(field in columns for field in REQUIRED):
                return FiguresLayout(table_index, row_index, columns)
            if len(columns) > len(best):
                best = columns
    missing = [field for field in REQUIRED if field not in best]
    names = {"period": "the period", "measure": "the measure", "value": "the figure"}
    raise NoFiguresTable(
        "The file has no row of column names naming the period, the measure and the figure"
        + (f" (no column for {' or '.join(names[f] for f in missing)} was found)" if best else "")
        + ". Head the columns Period, Measure and Value, and upload it again."
    )


# --- periods --------------------------------------------------------------------------------------


class PeriodNotRead(ValueError):
    pass


_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_YEAR = r"\d{4}|\d{2}"
_FINANCIAL_YEAR = rf"(?:fy\s*)?(?P<fy1>{_YEAR})\s*[/-]\s*(?P<fy2>{_YEAR})"
_QUARTER = r"(?:q|qtr|quarter)\s*(?P<q>[1-4])"
_PATTERNS = {
    "quarter": [
        re.compile(rf"^{_QUARTER}\s*,?\s*(?:of\s+)?{_FINANCIAL_YEAR}$"),
        re.compile(rf"^{_FINANCIAL_YEAR}\s*,?\s*{_QUARTER}$"),
    ],
    "months": [
        # "Jul-Sep 2015", "July to September 2015", "Jan - Mar 16", "Oct 2015 - Dec 2015"
        re.compile(
            rf"^(?P<m1>{_MONTH})\.?\s*(?:(?P<y1>{_YEAR})\s*)?(?:-|to)\s*(?P<m2>{_MONTH})\.?[\s\-/.,']*(?P<y2>{_YEAR})$"
        ),
    ],
    "month": [
        re.compile(rf"^(?P<m>{_MONTH})\.?[\s\-/.,']*(?P<y>{_YEAR})$"),  # "July 2015", "Sept-15", "Jul 15"
        re.compile(r"^(?P<y>\d{4})\s*[-/]\s*(?P<mn>\d{1,2})$"),  # "2015-07"
        re.compile(r"^(?P<mn>\d{1,2})\s*/\s*(?P<y>\d{4})$"),  # "07/2015"
    ],
    "day": [
        re.compile(r"^(?P<y>\d{4})-(?P<mn>\d{1,2})-(?P<d>\d{1,2})(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
        re.compile(
            rf"^(?P<d>\d{{1,2}})[/.-](?P<mn>\d{{1,2}})[/.-](?P<y>{_YEAR})(?:\s+\d{{1,2}}:\d{{2}}(?::\d{{2}})?)?$"
        ),
        re.compile(rf"^(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m>{_MONTH})\.?,?\s+(?P<y>{_YEAR})$"),
    ],
}
_FINANCIAL_YEAR_ONLY = re.compile(rf"^{_FINANCIAL_YEAR}$")
# A date cell saved without a date format arrives as Excel's day number (42186 is 1 July 2015).
_EXCEL_DAY = re.compile(r"^(?P<n>\d{5})(?:\.0+)?$")
EXCEL_DAYS = range(36526, 54789)  # 2000 to 2049: anything else in a period column is not a date


def _year(text: str) -> int:
    value = int(text)
    return 2000 + value if value < 100 else value


def _month(match: re.Match[str], name: str = "m", number: str = "mn") -> int:
    groups = match.groupdict()
    if groups.get(name):
        return MONTHS[groups[name]]
    return int(groups[number])


def _years_follow(match: re.Match[str]) -> bool:
    first, second = _year(match.group("fy1")), match.group("fy2")
    return int(second) == (first + 1) % 100 if len(second) == 2 else int(second) == first + 1


def _quarter_start(match: re.Match[str]) -> date:
    first = _year(match.group("fy1"))
    if not _years_follow(match):
        raise PeriodNotRead("a financial year runs over two years that follow each other, like 2015/16")
    month = 4 + 3 * (int(match.group("q")) - 1)
    return date(first + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def _shape(text: str) -> tuple[str, date, int]:
    """What the text names: its kind ("quarter", "months", "month" or "day"), its first day and its length in months."""
    for kind, patterns in _PATTERNS.items():
        for pattern in patterns:
            match = pattern.match(text)
            if not match:
                continue
            if kind == "quarter":
                return kind, _quarter_start(match), 3
            if kind == "months":
                first_month, last_month = MONTHS[match.group("m1")], MONTHS[match.group("m2")]
                last_year = _year(match.group("y2"))
                first_year = _year(match.group("y1")) if match.group("y1") else last_year
                if not match.group("y1") and first_month > last_month:
                    first_year -= 1  # "Nov-Jan 2016" runs from November 2015
                length = (last_year - first_year) * 12 + last_month - first_month + 1
                return kind, date(first_year, first_month, 1), length
            if kind == "month":
                return kind, date(_year(match.group("y")), _month(match), 1), 1
            return kind, date(_year(match.group("y")), _month(match), int(match.group("d"))), 0
    excel = _EXCEL_DAY.match(text)
    if excel and int(excel.group("n")) in EXCEL_DAYS:
        return "day", from_excel(int(excel.group("n")), CALENDAR_WINDOWS_1900).date(), 0
    raise PeriodNotRead("")


def read_period(text: str, frequency: Frequency) -> Period:
    """The period a cell names, for a measure of the given frequency, or PeriodNotRead saying why.

    A day or a month inside a quarter names that quarter; a quarter given for a monthly measure is
    refused, as it would have to be split.
    """
    cleaned = " ".join(re.sub(r"[\u2010-\u2015\u2212]", "-", text).lower().split())
    example = "Q2 2015/16, Jul-Sep 2015 or a date in the quarter" if frequency is Frequency.QUARTERLY else "July 2015"
    if not cleaned:
        raise PeriodNotRead(f"No period: write it like {example}")
    whole_year = _FINANCIAL_YEAR_ONLY.match(cleaned)
    if re.fullmatch(r"\d{4}", cleaned) or (whole_year and _years_follow(whole_year)):
        raise PeriodNotRead(
            f"{text.strip()!r} is a whole year: write the {frequency.label.lower()} period, like {example}"
        )
    try:
        kind, start, months = _shape(cleaned)
    except PeriodNotRead as error:
        detail = f" ({error})" if str(error) else ""
        raise PeriodNotRead(
            f"{text.strip()!r} is not a period the tracker can read{detail}: write it like {example}"
        ) from None
    except ValueError:  # "31/02/2016", "13/2015"
        raise PeriodNotRead(f"{text.strip()!r} is not a real date: write it like {example}") from None
    period = Period.containing(start, frequency)
    if kind in ("quarter", "months"):
        if frequency is Frequency.MONTHLY and months != 1:
            raise PeriodNotRead(f"{text.strip()!r} is longer than a month, and this measure's figures are monthly")
        if frequency is Frequency.QUARTERLY and (months != 3 or period.start != start):
            raise PeriodNotRead(
                f"{text.strip()!r} is not a quarter of the financial year (April to June, July to September, "
                "October to December or January to March)"
            )
    return period
