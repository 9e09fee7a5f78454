"""The one clock: every "today" and "now" in the tracker comes from here.

TRACKER_TODAY (YYYY-MM-DD) pins the date so a demo or a test can look at the plan
as it stood on any day; it is read on every call so tests can change it.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time


def today() -> date:
    pinned = os.environ.get("TRACKER_TODAY", "").strip()
    if pinned:
        return date.fromisoformat(pinned)
    return datetime.now(UTC).date()


def now() -> datetime:
    """The current moment in UTC (naive, as stored), on the pinned day when TRACKER_TODAY is set."""
    current = datetime.now(UTC).replace(tzinfo=None)
    pinned = os.environ.get("TRACKER_TODAY", "").strip()
    if pinned:
        return datetime.combine(date.fromisoformat(pinned), current.time())
    return current


def end_of_day(day: date) -> datetime:
    return datetime.combine(day, time.max)
