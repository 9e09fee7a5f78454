"""Reporting periods for measures: a quarter or a month, named the way boards name them.

A period is stored as the date it starts. Quarters follow the UK financial year, which starts on
1 April: Q1 is April to June, so July to September 2015 is "Q2 2015/16". Months are named as
written ("July 2015"). A period's figure is due a set number of days after it ends; after that,
a missing figure is late, as an action past its due date is overdue.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta

# A figure is due this many days after its period ends (time for the agency to count it).
FIGURE_DUE_AFTER_DAYS = 30


class Frequency(enum.StrEnum):
    QUARTERLY = "quarterly"
    MONTHLY = "monthly"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def months(self) -> int:
        return 3 if self is Frequency.QUARTERLY else 1


@dataclass(frozen=True, order=True)
class Period:
    start: date
    frequency: Frequency

    @classmethod
    def containing(cls, day: date, frequency: Frequency) -> Period:
        """The period a day falls in."""
        month = day.month
        if frequency is Frequency.QUARTERLY:
            # Quarters start in April, July, October and January.
            month = month - ((month - 1) % 3)
        return cls(date(day.year, month, 1), frequency)

    @classmethod
    def from_key(cls, key: str, frequency: Frequency) -> Period:
        """A period from its key (the ISO date it starts); ValueError if it is not a period's start."""
        start = date.fromisoformat(key.strip())
        period = cls.containing(start, frequency)
        if period.start != start:
            raise ValueError(f"{key} is not the first day of a {frequency.value} period")
        return period

    @property
    def key(self) -> str:
        return self.start.isoformat()

    @property
    def end(self) -> date:
        return self.next().start - timedelta(days=1)

    @property
    def due(self) -> date:
        """The last day to supply its figure before it is late."""
        return self.end + timedelta(days=FIGURE_DUE_AFTER_DAYS)

    def next(self) -> Period:
        month = self.start.month + self.frequency.months
        year = self.start.year + (month - 1) // 12
        return Period(date(year, (month - 1) % 12 + 1, 1), self.frequency)

    def previous(self) -> Period:
        month = self.start.month - self.frequency.months
        year = self.start.year + (month - 1) // 12
        return Period(date(year, (month - 1) % 12 + 1, 1), self.frequency)

    @property
    def financial_year(self) -> str:
        """ "2015/16" for any day from 1 April 2015 to 31 March 2016."""
        first = self.start.year if self.start.month >= 4 else self.start.year - 1
        return f"{first}/{(first + 1) % 100:02d}"

    @property
    def label(self) -> str:
        if self.frequency is Frequency.QUARTERLY:
            quarter = (self.start.month - 4) % 12 // 3 + 1
            return f"Q{quarter} {self.financial_year}"
        return f"{self.start:%B %Y}"

    def has_ended(self, today: date) -> bool:
        """Over, so its figure can be counted: today is after its last day."""
        return self.end < today

    def is_late(self, today: date) -> bool:
        return self.due < today

    def __str__(self) -> str:
        return self.label


def periods_between(first: Period, last: Period) -> list[Period]:
    """Every period from first to last, both included (empty if last is before first)."""
    periods = []
    current = first
    while current <= last:
        periods.append(current)
        current = current.next()
    return periods


def ended_periods(first: date, last: date | None, frequency: Frequency, today: date) -> list[Period]:
    """The periods a measure expects figures for by today: from its first to the last that has ended."""
    start = Period.containing(first, frequency)
    final = Period.containing(today, frequency).previous()  # the period holding today has not ended
    if last is not None:
        final = min(final, Period.containing(last, frequency))
    return periods_between(start, final)
