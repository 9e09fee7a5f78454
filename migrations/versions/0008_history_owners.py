"""history: owners and partners entries rewritten as structured values (by kind, with ids and names)

Owners were written two ways: "Responsible: A, B; Accountable: C" by the administrator's edit,
and post names joined by "; " (a plain list of names). Past views read only the second, so after
an edit the action had no owners before it. Both become the one form tracker/history_values.py
defines: {"accountable": [{"id": 3, "name": "LSCB"}], "responsible": [...]}. Partners ("A, B" or
"none") become [{"id": 2, "name": "Police"}].

A name list does not say which post was accountable: a post that still owns the action keeps its
kind now, and one that no longer does is taken as accountable, as past views counted it. Names are
matched to today's posts and agencies by their exact name for the id (none when not found), and a
name with a comma in it is kept whole when it is a known name.

The conversion is written out here, not imported, so this migration stays as it is when the
application's code moves on.

Revision ID: 0008_history_owners
Revises: 0007_aliases
Create Date: 2026-11-29 12:50:00

"""

from __future__ import annotations

import json
import re

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0008_history_owners"
down_revision = "0007_aliases"
branch_labels = None
depends_on = None

ACCOUNTABLE, RESPONSIBLE = "accountable", "responsible"
_LABELLED = re.compile(r"^Responsible: (?P<responsible>.*); Accountable: (?P<accountable>.*)$", re.DOTALL)

history = sa.table(
    "history_entry",
    sa.column("id", sa.Integer),
    sa.column("action_id", sa.Integer),
    sa.column("field", sa.String),
    sa.column("old_value", sa.Text),
    sa.column("new_value", sa.Text),
)
post = sa.table("post", sa.column("id", sa.Integer), sa.column("name", sa.String))
agency = sa.table("agency", sa.column("id", sa.Integer), sa.column("name", sa.String))
action_owner = sa.table(
    "action_owner", sa.column("action_id", sa.Integer), sa.column("post_id", sa.Integer), sa.column("kind", sa.String)
)


def _json(value) -> str:
    # As tracker/history_values.py spells a value: compact, keys sorted, names as written.
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def split_known(text: str, separator: str, known: set[str]) -> list[str]:
    """Names joined by the separator; pieces rejoined where together they make a known name."""
    pieces = text.split(separator)
    names, start = [], 0
    while start < len(pieces):
        end = next(
            (end for end in range(len(pieces), start + 1, -1) if separator.join(pieces[start:end]).strip() in known),
            start + 1,
        )
        name = separator.join(pieces[start:end]).strip()
        if name:
            names.append(name)
        start = end
    return names


def _listed(text: str, known: set[str]) -> list[str]:
    return [] if text.strip().lower() == "none" else split_known(text, ", ", known)


def owners_value(text: str | None, ids: dict[str, int], kinds_now: dict[str, str]) -> str | None:
    """An owners entry in the new form. kinds_now: post name -> its kind on the action today."""
    if text is None or text.startswith("{"):
        return text
    known = set(ids)
    labelled = _LABELLED.match(text)
    if labelled:
        by_kind = {kind: _listed(labelled.group(kind), known) for kind in (ACCOUNTABLE, RESPONSIBLE)}
    else:
        by_kind = {ACCOUNTABLE: [], RESPONSIBLE: []}
        for name in split_known(text, "; ", known):
            by_kind[kinds_now.get(name, ACCOUNTABLE)].append(name)
    return _json({kind: [{"id": ids.get(name), "name": name} for name in names] for kind, names in by_kind.items()})


def partners_value(text: str | None, ids: dict[str, int]) -> str | None:
    if text is None or text.startswith("["):
        return text
    return _json([{"id": ids.get(name), "name": name} for name in _listed(text, set(ids))])


def owners_text(value: str | None) -> str | None:
    """Back to post names joined by "; ", which past views read before this revision."""
    if value is None or not value.startswith("{"):
        return value
    data = json.loads(value)
    return "; ".join(item["name"] for kind in (ACCOUNTABLE, RESPONSIBLE) for item in data.get(kind, []))


def partners_text(value: str | None) -> str | None:
    if value is None or not value.startswith("["):
        return value
    return ", ".join(item["name"] for item in json.loads(value)) or "none"


def _rewrite(field: str, convert) -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(history.c.id, history.c.action_id, history.c.old_value, history.c.new_value).where(
            history.c.field == field
        )
    ).all()
    changed = []
    for row in rows:
        old, new = convert(row.action_id, row.old_value), convert(row.action_id, row.new_value)
        if (old, new) != (row.old_value, row.new_value):
            changed.append({"entry_id": row.id, "old": old, "new": new})
    if changed:
        connection.execute(
            history.update()
            .where(history.c.id == sa.bindparam("entry_id"))
            .values(old_value=sa.bindparam("old"), new_value=sa.bindparam("new")),
            changed,
        )


def upgrade():
    connection = op.get_bind()
    post_ids = {name: ident for ident, name in connection.execute(sa.select(post.c.id, post.c.name))}
    agency_ids = {name: ident for ident, name in connection.execute(sa.select(agency.c.id, agency.c.name))}
    kinds_now: dict[int, dict[str, str]] = {}
    for action_id, name, kind in connection.execute(
        sa.select(action_owner.c.action_id, post.c.name, action_owner.c.kind).join(
            post, post.c.id == action_owner.c.post_id
        )
    ):
        of_action = kinds_now.setdefault(action_id, {})
        # A post both accountable and responsible was counted as accountable.
        if of_action.get(name) != ACCOUNTABLE:
            of_action[name] = kind
    _rewrite("owners", lambda action_id, text: owners_value(text, post_ids, kinds_now.get(action_id, {})))
    _rewrite("partners", lambda _action_id, text: partners_value(text, agency_ids))


def downgrade():
    _rewrite("owners", lambda _action_id, text: owners_text(text))
    _rewrite("partners", lambda _action_id, text: partners_text(text))
