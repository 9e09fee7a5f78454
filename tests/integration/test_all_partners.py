""" "All agencies" in a plan means every partner agency: a flag on the action, never an agency of its own."""

from __future__ import annotations

from datetime import date

from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import stamp, upgrade
from sqlalchemy import select, text

from tests import factories
from tests.integration.test_action_edit import form_data, open_edit
from tracker.extensions import db
from tracker.history_values import parse
from tracker.importers.csv_plan import read_plan_csv
from tracker.importers.names import name_key, split_partners
from tracker.models import Action, Agency, HistoryEntry, Post
from tracker.reports.plan_export import plan_csv_chunks
from tracker.services.import_plan import import_plan

HEADER = (
    "Strand,Sub objective,Actions,RAG,Evidence,Outcomes,Accountable,Responsible,Timescale,Partners involved,"
    "Outcome RAG\n"
)


def _action(reference: str) -> Action:
    return db.session.scalars(select(Action).where(Action.reference == reference)).one()


def _agency_names() -> list[str]:
    return list(db.session.scalars(select(Agency.name).order_by(Agency.name)))


def test_the_demo_plan_has_no_all_agencies_agency(coventry):
    assert not [name for name in _agency_names() if name_key(name).startswith("all")]
    partners_all_partners = _action("3.3")  # Partners: "All partners"
    assert partners_all_partners.all_partners and partners_all_partners.partners == []
    both = _action("11.1")  # Partners: "All agencies"
    assert both.all_partners
    named = _action("1.1")
    assert not named.all_partners
    assert [a.name for a in named.partners] == ["Education", "Health", "Police", "Third Sector"]
    # An owner cell naming it is a post, belonging to no agency; so is a post said to be of "All agencies".
    posts = {p.name: p for p in db.session.scalars(select(Post))}
    assert posts["All agencies"].agency is None
    assert posts["Key safeguarding leads"].agency is None


def test_a_partners_cell_naming_all_agencies_and_an_agency_keeps_both(app):
    rows = read_plan_csv(HEADER + 'Prevent,1. Know,"1.1 Map it",Green,,,,,June 2015,"Police\nAll partners",\n')
    import_plan("Partners", rows)
    action = _action("1.1")
    assert action.all_partners
    assert [a.name for a in action.partners] == ["Police"]
    assert _agency_names() == ["Police"]


def test_filters_and_the_dashboard_never_offer_it(board_client, coventry, pinned_today):
    pinned_today("2015-10-01")
    dashboard = board_client.get_page("dashboard.show")
    options = [o.text.strip() for o in dashboard.select("select[name=agency] option")]
    assert options.count("All agencies") == 1 and options[0] == "All agencies"  # "no filter", listed once
    assert "All partner agencies" not in options
    agencies_shown = [row.th.text.strip() for row in dashboard.select("tr.app-agency-row")]
    assert agencies_shown and not [name for name in agencies_shown if name.startswith("All")]
    plan_page = board_client.get_page("plans.show", plan_id=coventry.id)
    options = [o.text.strip() for o in plan_page.select("select[name=agency] option")]
    assert not [name for name in options if name.startswith("All") and name != "All agencies"]
    assert options.count("All agencies") <= 1


def test_the_action_page_says_all_partner_agencies(board_client, coventry):
    page = board_client.get_page("actions.show", action_id=_action("3.3").id)
    row = next(r for r in page.select(".govuk-summary-list__row") if "Partners involved" in r.dt.text)
    assert row.dd.text.strip() == "All partner agencies"


def test_the_export_writes_all_agencies_and_reads_back_the_same(app, coventry, admin_client, pinned_today):
    pinned_today("2015-07-01")
    exported = "".join(plan_csv_chunks(coventry.id, admin_client.user, date(2015, 7, 1)))
    rows = read_plan_csv(exported.lstrip("\ufeff"))
    by_reference = {r.reference: r for r in rows}
    assert by_reference["3.3"].partners == "All agencies"
    import_plan("Copy", rows)
    copies = db.session.scalars(select(Action).where(Action.reference == "3.3")).all()
    assert [a.all_partners for a in copies] == [True, True]
    assert not [name for name in _agency_names() if name_key(name).startswith("all")]


def test_an_administrator_sets_it_and_the_history_says_so(admin_client, pinned_today):
    pinned_today("2015-07-01")
    action = factories.make_action(partners=[factories.make_agency("Police")], due_date=date(2015, 9, 30))
    _, hidden = open_edit(admin_client, action.id)
    response = admin_client.post_form(f"/actions/{action.id}/edit", form_data(hidden, action, all_partners="y"))
    assert response.status_code == 302
    db.session.refresh(action)
    assert action.all_partners
    entry = db.session.scalars(select(HistoryEntry).where(HistoryEntry.field == "all_partners")).one()
    assert (parse(entry.field, entry.old_value), parse(entry.field, entry.new_value)) == (False, True)
    page = admin_client.get_page("actions.edit", action_id=action.id)
    assert page.select_one("input[name=all_partners]").has_attr("checked")


def test_the_migration_moves_the_meaning_off_the_pseudo_agency(app):
    everyone, police = factories.make_agency("All Agencies"), factories.make_agency("Police")
    leads = factories.make_post("Key safeguarding leads", agency=everyone)
    flagged = factories.make_action(partners=[everyone, police], accountable=[leads])
    plain = factories.make_action(partners=[police])
    db.session.execute(
        text("INSERT INTO agency_alias (agency_id, name, key) VALUES (:id, 'All partners', 'allpartners')"),
        {"id": everyone.id},
    )
    db.session.commit()
    ids = (flagged.id, plain.id, leads.id, police.id)
    db.session.remove()

    script = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())
    before = script.get_revision("0012_all_partners").down_revision
    with db.engine.begin() as connection:  # the data as it stood before this migration
        current = connection.scalar(text("SELECT version_num FROM alembic_version"))
        connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": before})
        connection.execute(text("ALTER TABLE action DROP COLUMN all_partners"))
    upgrade(revision="0012_all_partners")  # this migration alone, wherever it sits in the chain
    stamp(revision=current)

    flagged, plain = db.session.get(Action, ids[0]), db.session.get(Action, ids[1])
    assert flagged.all_partners and not plain.all_partners
    assert [a.id for a in flagged.partners] == [ids[3]]
    assert db.session.get(Post, ids[2]).agency is None
    assert _agency_names() == ["Police"]
    assert db.session.scalar(text("SELECT count(*) FROM agency_alias")) == 0
    assert len(flagged.owners) == 1  # nothing that refers to an action was lost on the way


def test_every_spelling_of_it_is_read_as_all_partners():
    for spelling in ("All agencies", "All Agencies", "all partners", "All partner agencies", "All-agencies."):
        assert split_partners(f"Police / {spelling}") == (["Police"], True)
    assert split_partners("Police, Health") == (["Police", "Health"], False)
