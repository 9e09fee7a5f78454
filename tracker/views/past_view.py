"""`?as_at=` on the plan and action pages: the page as it stood at the end of a past day.

The dashboard's past views link here with their date, so a person who follows one lands on the
plan or action as it was then, not as it is today. The date is read by the dashboard's own rule;
a date that cannot be read (or is in the future) is refused with a page saying why, never a
guess and never a failure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import Request, render_template

from tracker import clock
from tracker.forms.dashboard import as_at_problem, read_day


@dataclass(frozen=True)
class PastView:
    day: date  # the past day shown
    moment: datetime  # its end: what happened after it is left out

    @property
    def query(self) -> dict[str, str]:
        """The query-string argument every link from a past view carries on."""
        return {"as_at": self.day.isoformat()}


class BadAsAt(Exception):
    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def read_past_view(request: Request) -> PastView | None:
    """The past day asked for; None for today (no as_at, or today's date). Raises BadAsAt."""
    text = request.args.get("as_at")
    problem = as_at_problem(text)
    if problem:
        raise BadAsAt(problem)
    day = read_day(text)
    if day is None or day >= clock.today():
        return None
    return PastView(day=day, moment=clock.end_of_day(day))


def bad_as_at_page(error: BadAsAt, today_link: str):
    """A 400 page that says what is wrong with the date and links to today's view."""
    return (
        render_template("errors/bad_as_at.html", problem=error.problem, today_link=today_link),
        400,
    )
