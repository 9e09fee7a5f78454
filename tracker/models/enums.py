"""The fixed vocabularies of the plan: RAG ratings, action status and user roles."""

from __future__ import annotations

import enum


class Rag(enum.StrEnum):
    """A RAG rating as the board uses it (BRAG: Blue means complete)."""

    RED = "red"
    AMBER = "amber"
    GREEN = "green"
    BLUE = "blue"
    NOT_RATED = "not_rated"

    @property
    def label(self) -> str:
        return "Not rated" if self is Rag.NOT_RATED else self.value.capitalize()

    @classmethod
    def from_text(cls, text: str | None) -> Rag:
        """Read a rating as a plan writes it ("Amber ", "R", "" ...); raise ValueError if unreadable."""
        cleaned = (text or "").strip().lower()
        if cleaned in {"", "-", "n/a", "not rated", "not_rated", "none"}:
            return cls.NOT_RATED
        aliases = {"r": "red", "a": "amber", "g": "green", "b": "blue", "complete": "blue"}
        cleaned = aliases.get(cleaned, cleaned)
        return cls(cleaned)


# Most serious first: the order tables, charts and filters list ratings in.
RAG_ORDER = (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.BLUE, Rag.NOT_RATED)


class Status(enum.StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"
    CANCELLED = "cancelled"
    ONGOING = "ongoing"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


# Statuses that end an action: it can no longer become overdue.
CLOSED_STATUSES = (Status.COMPLETE, Status.CANCELLED)


class Role(enum.StrEnum):
    ADMIN = "admin"
    OWNER = "owner"
    BOARD = "board"
    SCRUTINY = "scrutiny"

    @property
    def label(self) -> str:
        return {
            Role.ADMIN: "Administrator",
            Role.OWNER: "Action owner",
            Role.BOARD: "Board member",
            Role.SCRUTINY: "Scrutiny councillor",
        }[self]


class OwnerKind(enum.StrEnum):
    """How a post owns an action: the source plan's Accountable and Responsible columns."""

    ACCOUNTABLE = "accountable"
    RESPONSIBLE = "responsible"
