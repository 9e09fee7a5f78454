"""Reading filters from a query string, forgivingly: a value that cannot be read is left out, not an error.

Links are shared, bookmarked and hand-edited, so an old or mistyped one still opens the page,
unfiltered on what it could not read. The plan page and the dashboard read theirs through these.
"""

from __future__ import annotations

from enum import Enum
from typing import TypeVar

Member = TypeVar("Member", bound=Enum)

# Longer digit strings are not ids (and would overflow an integer column on PostgreSQL).
_MAX_DIGITS = 9


def read_int(value: str | None) -> int | None:
    value = (value or "").strip()
    # isascii: "²" and other Unicode digits pass isdigit() but not int().
    return int(value) if value.isascii() and value.isdigit() and len(value) <= _MAX_DIGITS else None


def read_member(kind: type[Member], value: str | None) -> Member | None:
    """The enum member whose value is given (Rag, Change ...), or None."""
    try:
        return kind((value or "").strip())
    except ValueError:
        return None
