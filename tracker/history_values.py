"""How each field's value is written in an action's history and read back: the one definition.

services/history.py writes every entry with serialise() (or, for the jobs' bulk inserts, with the
SQL twin as_history_text()); every reader parses with parse() in Python or with the SQL twins
below (as_value(), owner_rows()): the timeline, the past views, the trend and the changes since
a meeting. Nothing else knows how a value is spelt.

Values are text:
- dates ISO (YYYY-MM-DD), RAG ratings and statuses their enum value, yes/no flags "yes"/"no",
  other text as it is;
- owners JSON: {"accountable": [{"id": 3, "name": "LSCB"}], "responsible": [...]}. Kept by kind so
  a past view knows who was accountable then and who responsible. Each post has its id, so a post
  renamed since is still found, and its name as it was, so the timeline shows what people saw
  (and a post whose id is unknown, from an entry written before ids were kept, is found by name);
- partners JSON: [{"id": 2, "name": "Police"}], for the same reasons.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    FromClause,
    Integer,
    Select,
    Text,
    cast,
    literal,
    select,
    true,
    type_coerce,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from tracker.models import OwnerKind, Rag, Status
from tracker.models.types import enum_column

# --- field names -----------------------------------------------------------------------------

OWNERS = "owners"
PARTNERS = "partners"
# Events with values: the auto-amber job's, and a due date asked for, agreed or refused.
AUTO_AMBER = "auto_amber"
OVERDUE = "overdue"
DEADLINE_REQUEST = "deadline_request"
DEADLINE_APPROVED = "deadline_approved"
DEADLINE_REFUSED = "deadline_refused"

# Action fields whose changes are tracked, with the words the timeline uses for them.
TRACKED_FIELDS = {
    "reference": "Reference",
    "text": "Action",
    "expected_evidence": "Evidence expected",
    "expected_outcomes": "Outcomes expected",
    "timescale_text": "Timescale",
    "start_date": "Start date",
    "due_date": "Due date",
    "status": "Status",
    "delivery_rag": "Delivery RAG",
    "outcome_rag": "Outcome RAG",
    "is_restricted": "Restricted",
    OWNERS: "Owners",
    PARTNERS: "Partners involved",
    "all_partners": "All partner agencies involved",
    "objective_id": "Sub-objective",
}

# Kept in tables of their own, not columns of Action: written with record_event, not apply_changes.
LIST_FIELDS = frozenset({OWNERS, PARTNERS})


class Kind(enum.Enum):
    TEXT = "text"
    DATE = "date"
    RAG = "rag"
    STATUS = "status"
    YES_NO = "yes_no"
    OWNERS = "owners"
    PARTNERS = "partners"


# What each field's (or event's) values are. Anything not named here is text.
KINDS = {
    "start_date": Kind.DATE,
    "due_date": Kind.DATE,
    "status": Kind.STATUS,
    "delivery_rag": Kind.RAG,
    "outcome_rag": Kind.RAG,
    "is_restricted": Kind.YES_NO,
    "all_partners": Kind.YES_NO,
    OWNERS: Kind.OWNERS,
    PARTNERS: Kind.PARTNERS,
    # Events: the auto-amber job records the rating it raised from and to; the others, due dates.
    AUTO_AMBER: Kind.RAG,
    OVERDUE: Kind.DATE,
    DEADLINE_REQUEST: Kind.DATE,
    DEADLINE_APPROVED: Kind.DATE,
    DEADLINE_REFUSED: Kind.DATE,
}


def kind_of(field: str) -> Kind:
    return KINDS.get(field, Kind.TEXT)


# --- owners and partners -----------------------------------------------------------------------


@dataclass(frozen=True)
class Named:
    """A post or an agency as history keeps it: its id (None when not known) and its name then."""

    id: int | None
    name: str

    @classmethod
    def of(cls, item: Any) -> Named:
        return cls(item.id, item.name)

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name}

    @classmethod
    def from_json(cls, value: Any) -> Named:
        if not isinstance(value, dict) or not isinstance(value.get("name"), str):
            raise ValueError(f"not a named post or agency: {value!r}")
        ident = value.get("id")
        if ident is not None and (not isinstance(ident, int) or isinstance(ident, bool)):
            raise ValueError(f"not an id: {ident!r}")
        return cls(ident, value["name"])


@dataclass(frozen=True)
class Owners:
    """Who owns an action, by kind, in the action's own order."""

    accountable: tuple[Named, ...] = ()
    responsible: tuple[Named, ...] = ()

    @classmethod
    def of(cls, action: Any) -> Owners:
        """An Action's owners now."""
        return cls(
            accountable=tuple(Named.of(post) for post in action.posts_of(OwnerKind.ACCOUNTABLE)),
            responsible=tuple(Named.of(post) for post in action.posts_of(OwnerKind.RESPONSIBLE)),
        )

    def of_kind(self, kind: OwnerKind) -> tuple[Named, ...]:
        return self.accountable if kind is OwnerKind.ACCOUNTABLE else self.responsible


def partners_of(action: Any) -> tuple[Named, ...]:
    """An Action's partner agencies now."""
    return tuple(Named.of(agency) for agency in action.partners)


def _json(value: Any) -> str:
    # One spelling for one value: compact, keys sorted, names as written (not \u-escaped).
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


# --- Python: write and read --------------------------------------------------------------------


def serialise(field: str, value: Any) -> str | None:
    """How the field's value is written in history (None for no value)."""
    if value is None:
        return None
    kind = kind_of(field)
    if kind is Kind.OWNERS:
        if not isinstance(value, Owners):
            raise TypeError(f"owners are recorded as Owners, not {type(value).__name__}")
        return _json({k.value: [n.as_json() for n in value.of_kind(k)] for k in OwnerKind})
    if kind is Kind.PARTNERS:
        return _json([Named.of(item).as_json() if not isinstance(item, Named) else item.as_json() for item in value])
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def parse(field: str, text: str | None) -> Any:
    """A value as serialise() wrote it, back as Python: date, Rag, Status, bool, Owners, partners or text.

    None for no value. Raises ValueError for text that is not a value of the field.
    """
    if text is None:
        return None
    kind = kind_of(field)
    if kind is Kind.OWNERS:
        data = _load(text, dict)
        return Owners(**{k.value: tuple(Named.from_json(n) for n in _list(data.get(k.value, []))) for k in OwnerKind})
    if kind is Kind.PARTNERS:
        return tuple(Named.from_json(n) for n in _load(text, list))
    if text == "":
        return text
    if kind is Kind.DATE:
        return date.fromisoformat(text)
    if kind is Kind.RAG:
        return Rag(text)
    if kind is Kind.STATUS:
        return Status(text)
    if kind is Kind.YES_NO:
        if text not in ("yes", "no"):
            raise ValueError(f"not yes or no: {text!r}")
        return text == "yes"
    return text


def _load(text: str, expected: type) -> Any:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"not a recorded value: {text!r}") from error
    if not isinstance(data, expected):
        raise ValueError(f"not a recorded value: {text!r}")
    return data


def _list(value: Any) -> list:
    if not isinstance(value, list):
        raise ValueError(f"not a list: {value!r}")
    return value


def names(items: Iterable[Named]) -> str:
    return ", ".join(item.name for item in items) or "none"


# --- SQL: the same, for statements over many actions ---------------------------------------------


class _as_text(FunctionElement):
    """A column as text: PostgreSQL needs the cast, SQLite already stores dates and enums as text."""

    type = Text()
    inherit_cache = True


@compiles(_as_text)
def _as_text_default(element, compiler, **kw):
    return compiler.process(element.clauses, **kw)


@compiles(_as_text, "postgresql")
def _as_text_postgresql(element, compiler, **kw):
    return f"CAST({compiler.process(element.clauses, **kw)} AS TEXT)"


class _iso_date(FunctionElement):
    """A date column as 'YYYY-MM-DD', whatever the server's date style (SQLite stores it so)."""

    type = Text()
    inherit_cache = True


@compiles(_iso_date)
def _iso_date_default(element, compiler, **kw):
    return compiler.process(element.clauses, **kw)


@compiles(_iso_date, "postgresql")
def _iso_date_postgresql(element, compiler, **kw):
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM-DD')"


class _as_date(FunctionElement):
    """An ISO date held as text, as a date. SQLite has no date type (and CAST would make it a number)."""

    type = Date()
    inherit_cache = True


@compiles(_as_date)
def _as_date_default(element, compiler, **kw):
    return compiler.process(element.clauses, **kw)


@compiles(_as_date, "postgresql")
def _as_date_postgresql(element, compiler, **kw):
    return f"CAST({compiler.process(element.clauses, **kw)} AS DATE)"


_ENUM_TYPES = {Kind.RAG: enum_column(Rag), Kind.STATUS: enum_column(Status)}


def as_history_text(field: str, column: ColumnElement) -> ColumnElement[str]:
    """SQL twin of serialise() for a column of Action: the text history keeps for its value."""
    kind = kind_of(field)
    if kind is Kind.DATE:
        return _iso_date(column)
    if kind in (Kind.RAG, Kind.STATUS, Kind.TEXT):
        return _as_text(column)
    raise ValueError(f"{field} values are written by serialise(), not in SQL")


def as_value(field: str, text: ColumnElement[str]) -> ColumnElement:
    """SQL twin of parse() for the plain fields: history text as the column's own type."""
    kind = kind_of(field)
    if kind is Kind.DATE:
        return _as_date(text)
    if kind in _ENUM_TYPES:
        return type_coerce(text, _ENUM_TYPES[kind])
    if kind is Kind.TEXT:
        return text
    raise ValueError(f"{field} values are read with owner_rows() or parse()")


class _json_array_items(FunctionElement):
    """The items of a JSON array under a key of a JSON object held as text, as rows (key: the
    item's place, value: the item), for a FROM clause; the function can read the row before it.

    Arguments: the text, the key as SQLite's path ('$.accountable') and as the key itself.
    Compiled per database, so a statement built once runs on either.
    """

    inherit_cache = True


@compiles(_json_array_items)
def _json_array_items_default(element, compiler, **kw):
    document, path, _key = list(element.clauses)
    # SQLite's table-valued json_each gives the columns key and value already.
    return f"json_each({compiler.process(document, **kw)}, {compiler.process(path, **kw)})"


@compiles(_json_array_items, "postgresql")
def _json_array_items_postgresql(element, compiler, **kw):
    document, _path, key = list(element.clauses)
    items = f"json_array_elements(CAST({compiler.process(document, **kw)} AS JSON) -> {compiler.process(key, **kw)})"
    # Only compiled fragments are put in (values travel as bound parameters): no user text in the SQL.
    columns = "item.place AS key, item.value AS value"
    return f"LATERAL (SELECT {columns} FROM {items} WITH ORDINALITY AS item(value, place))"  # noqa: S608  # nosec B608 - names from the code, no user input


class _json_text(FunctionElement):
    """One field of a JSON object (a row's value from _json_array_items), as text."""

    type = Text()
    inherit_cache = True


@compiles(_json_text)
def _json_text_default(element, compiler, **kw):
    item, name = list(element.clauses)
    return f"json_extract({compiler.process(item, **kw)}, '$.' || {compiler.process(name, **kw)})"


@compiles(_json_text, "postgresql")
def _json_text_postgresql(element, compiler, **kw):
    item, name = list(element.clauses)
    return f"json_extract_path_text({compiler.process(item, **kw)}, {compiler.process(name, **kw)})"


def owner_rows(values: FromClause) -> Select:
    """SQL twin of parse() for owners: one row per owner in `values` (columns action_id and value, the
    history text), as (action_id, post_id, post_name, kind, position). post_id is NULL when the entry
    did not know it; position is the order within the kind.
    """
    return union_all(*(_owners_of_kind(values, kind) for kind in OwnerKind))


def _owners_of_kind(values: FromClause, kind: OwnerKind) -> Select:
    items = _json_array_items(values.c.value, literal(f"$.{kind.value}", Text), literal(kind.value, Text)).table_valued(
        "key", "value", name="owner_item"
    )
    return (
        select(
            values.c.action_id.label("action_id"),
            cast(_json_text(items.c.value, literal("id", Text)), Integer).label("post_id"),
            _json_text(items.c.value, literal("name", Text)).label("post_name"),
            literal(kind.value, Text).label("kind"),
            cast(items.c.key, Integer).label("position"),
        )
        .select_from(values)
        .join(items, true())
        .where(values.c.value.is_not(None))
    )
