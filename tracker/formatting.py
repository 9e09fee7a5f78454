"""How the tracker writes dates and times for people (GOV.UK style: "1 June 2015")."""

from __future__ import annotations

from datetime import date, datetime

# English month names, looked up rather than formatted by strftime: a list of 100 actions writes
# hundreds of dates, and strftime is several times slower than a look-up.
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")  # fmt: skip


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def format_datetime(value: datetime | None) -> str:
    """A stored UTC time as "1 June 2015 at 2:05pm"."""
    if value is None:
        return ""
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    return f"{format_date(value)} at {hour}:{value:%M}{suffix}"


NO_PROGRESS_YET = "No progress has been recorded yet"


def last_progress(value: datetime | None) -> str:
    """When an action last had a progress update (Action.last_progress_at), in the one wording every page uses."""
    return f"Last progress update {format_date(value)}" if value else NO_PROGRESS_YET
