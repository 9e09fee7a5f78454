"""The one way a service says no to a single change: what to do, and which form field it is about."""

from __future__ import annotations


class Refused(ValueError):
    """A change a service will not make; the message says what to do, `field` names the form field it is about.

    Views put it on that field (or the form's first, when field is None) for the error summary.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
