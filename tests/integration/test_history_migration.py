"""Migration 0008 rewrites owners and partners entries written in the old forms, on both databases.

The old forms can no longer be written by the tracker, so this is the one test that puts history
rows in by hand: as the earlier code wrote them, into the database as it stood before the migration.
"""

from __future__ import annotations

import importlib.util
from datetime import date, datetime

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import insert, select

from tests import factories
from tests.conftest import ROOT
from tracker.extensions import db
from tracker.history_values import Named, Owners, parse
from tracker.models import HistoryEntry, Role, User
from tracker.queries.actions import ActionFilters, list_actions

TODAY = date(2015, 10, 1)


def _migration():
    path = ROOT / "migrations" / "versions" / "0008_history_owners.py"
    spec = importlib.util.spec_from_file_location("history_owners_migration", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_names_with_commas_are_kept_whole_when_known():
    migration = _migration()
    known = {"Head of Service, Children's Services", "WMP"}
    assert migration.split_known("Head of Service, Children's Services, WMP", ", ", known) == [
        "Head of Service, Children's Services",
        "WMP",
    ]
    assert migration.split_known("A, B", ", ", known) == ["A", "B"]
    assert migration.split_known("", "; ", known) == []


def test_both_old_forms_become_the_one_form():
    migration = _migration()
    ids = {"LSCB": 1, "CSE Co-ordinator": 2, "WMP": 3}
    labelled = migration.owners_value("Responsible: CSE Co-ordinator, WMP; Accountable: none", ids, {})
    assert parse("owners", labelled) == Owners(responsible=(Named(2, "CSE Co-ordinator"), Named(3, "WMP")))
    listed = migration.owners_value("LSCB; Gone Post; WMP", ids, {"WMP": "responsible"})
    assert parse("owners", listed) == Owners(accountable=(Named(1, "LSCB"), Named(None, "Gone Post")),
                                             responsible=(Named(3, "WMP"),))  # fmt: skip
    assert migration.owners_value(labelled, ids, {}) == labelled  # already rewritten: left alone
    assert migration.owners_value(None, ids, {}) is None
    assert parse("partners", migration.partners_value("Health, Police", {"Police": 7})) == (
        Named(None, "Health"),
        Named(7, "Police"),
    )
    assert parse("partners", migration.partners_value("none", {})) == ()
    assert migration.owners_text(labelled) == "CSE Co-ordinator; WMP"


@pytest.fixture
def before_the_migration(app):
    """Posts and an action made now; then the database taken back to the revision before 0008."""
    police = factories.make_agency("Police")
    inspector = factories.make_post("Detective Inspector", police)
    manager = factories.make_post("Service Manager", factories.make_agency("Council"))
    plan = factories.make_plan()
    plan.created_at = datetime(2015, 3, 1)
    edited = factories.make_action(plan, accountable=[manager], partners=[police], created_at=datetime(2015, 3, 1))
    listed = factories.make_action(plan, responsible=[manager], created_at=datetime(2015, 3, 1))
    viewer = factories.make_user(role=Role.BOARD)
    db.session.commit()
    ids = {"edited": edited.id, "listed": listed.id, "viewer": viewer.id, "police": police.id,
           "inspector": inspector.id, "manager": manager.id}  # fmt: skip
    db.session.remove()
    downgrade(revision="0007_aliases")
    yield ids
    db.session.remove()
    upgrade()


def _old_entry(action_id: int, field: str, old: str, new: str) -> dict:
    return {"action_id": action_id, "field": field, "old_value": old, "new_value": new, "actor_id": None,
            "actor_name": "Cara Okafor", "created_at": datetime(2015, 6, 1, 10), "reason": ""}  # fmt: skip


def test_past_views_read_the_rewritten_entries(app, before_the_migration):
    ids = before_the_migration
    with db.engine.begin() as connection:
        connection.execute(
            insert(HistoryEntry.__table__),
            [
                # The administrator's edit wrote this form ...
                _old_entry(ids["edited"], "owners", "Responsible: none; Accountable: Detective Inspector",
                           "Responsible: none; Accountable: Service Manager"),
                _old_entry(ids["edited"], "partners", "none", "Police"),
                # ... and a plain list of names was written this one.
                _old_entry(ids["listed"], "owners", "Detective Inspector", "Service Manager"),
            ],
        )  # fmt: skip
    upgrade()

    entries = {(e.action_id, e.field): e for e in db.session.scalars(select(HistoryEntry))}
    edited = entries[ids["edited"], "owners"]
    assert parse("owners", edited.old_value) == Owners(accountable=(Named(ids["inspector"], "Detective Inspector"),))
    assert parse("partners", entries[ids["edited"], "partners"].new_value) == (Named(ids["police"], "Police"),)
    listed = entries[ids["listed"], "owners"]
    assert parse("owners", listed.new_value) == Owners(responsible=(Named(ids["manager"], "Service Manager"),))

    viewer = db.session.get(User, ids["viewer"])

    def owners(action: str, day: date) -> tuple[list[str], list[str]]:
        [row] = list_actions(ActionFilters(action_ids=(ids[action],), as_at=day), viewer, TODAY)
        return row.accountable, row.responsible

    assert owners("edited", date(2015, 5, 1)) == (["Detective Inspector"], [])  # not "no owner", as before
    assert owners("edited", date(2015, 7, 1)) == (["Service Manager"], [])
    assert owners("listed", date(2015, 5, 1)) == (["Detective Inspector"], [])  # a former owner: accountable
    assert owners("listed", date(2015, 7, 1)) == ([], ["Service Manager"])  # still owns it: its kind today
