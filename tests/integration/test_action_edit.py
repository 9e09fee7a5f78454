"""The administrator's edit page: text, owners, partners, due date and restriction, every change in the history."""

from __future__ import annotations

from datetime import date

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from tests import factories
from tests.integration.test_progress_updates import errors
from tracker.extensions import db
from tracker.history_values import Named, Owners, parse
from tracker.models import Action, DeadlineChange, HistoryEntry, OwnerKind, Role


@pytest.fixture
def setup(app, pinned_today):
    pinned_today("2015-07-01")
    police, health = factories.make_agency("Police"), factories.make_agency("Health")
    coordinator = factories.make_post("CSE Co-ordinator")
    wmp = factories.make_post("WMP", police)
    lscb = factories.make_post("LSCB")
    action = factories.make_action(
        factories.make_plan(),
        text="Agree an information sharing protocol",
        responsible=[coordinator],
        accountable=[lscb],
        partners=[police],
        due_date=date(2015, 9, 30),
    )
    return {"action": action, "coordinator": coordinator, "wmp": wmp, "lscb": lscb, "police": police, "health": health}


def open_edit(client, action_id: int) -> tuple[BeautifulSoup, dict]:
    page = client.get_page("actions.edit", action_id=action_id)
    return page, {name: page.select_one(f"input[name={name}]")["value"] for name in ("version", "opened_at")}


def form_data(hidden: dict, action: Action, **changes) -> dict:
    data = {
        **hidden,
        "text": action.text,
        "responsible": [p.id for p in action.responsible_posts],
        "accountable": [p.id for p in action.accountable_posts],
        "partners": [a.id for a in action.partners],
        "due_date": [str(action.due_date.day), str(action.due_date.month), str(action.due_date.year)],
        "reason": "",
    }
    if action.is_restricted:
        data["is_restricted"] = "y"
    data.update(changes)
    return data


def test_the_edit_form_shows_the_action_as_it_is(admin_client, setup):
    action = setup["action"]
    page, hidden = open_edit(admin_client, action.id)
    assert page.select_one("h1").text.strip() == "Edit the action"
    assert page.select_one("textarea[name=text]").text.strip() == "Agree an information sharing protocol"
    assert [i["value"] for i in page.select("input[name=responsible][checked]")] == [str(setup["coordinator"].id)]
    assert [i["value"] for i in page.select("input[name=accountable][checked]")] == [str(setup["lscb"].id)]
    assert [i["value"] for i in page.select("input[name=partners][checked]")] == [str(setup["police"].id)]
    assert [i["value"] for i in page.select("input[name=due_date]")] == ["30", "09", "2015"]
    assert hidden["version"] == str(action.version)
    for field in page.select("main input:not([type=hidden]), main textarea"):
        assert page.select_one(f"label[for='{field['id']}']"), field


def test_an_administrator_changes_the_action_and_every_change_is_recorded(admin_client, setup):
    action = setup["action"]
    version = action.version
    _, hidden = open_edit(admin_client, action.id)
    data = form_data(
        hidden,
        action,
        text="Agree and sign an information sharing protocol",
        responsible=[setup["coordinator"].id, setup["wmp"].id],
        accountable=[],
        partners=[setup["health"].id, setup["police"].id],
        is_restricted="y",
        reason="Agreed at the June board",
    )
    response = admin_client.post_form(f"/actions/{action.id}/edit", data)
    assert response.status_code == 302
    assert response.location.endswith(f"/actions/{action.id}#history")

    db.session.refresh(action)
    assert action.text == "Agree and sign an information sharing protocol"
    assert [p.name for p in action.posts_of(OwnerKind.RESPONSIBLE)] == ["CSE Co-ordinator", "WMP"]
    assert action.posts_of(OwnerKind.ACCOUNTABLE) == []
    assert [a.name for a in action.partners] == ["Health", "Police"]
    assert action.is_restricted is True
    assert action.version > version
    entries = {e.field: e for e in db.session.scalars(select(HistoryEntry).where(HistoryEntry.action_id == action.id))}
    assert set(entries) == {"text", "is_restricted", "owners", "partners"}
    coordinator, wmp, lscb = (Named(setup[k].id, setup[k].name) for k in ("coordinator", "wmp", "lscb"))
    assert parse("owners", entries["owners"].old_value) == Owners(accountable=(lscb,), responsible=(coordinator,))
    assert parse("owners", entries["owners"].new_value) == Owners(accountable=(), responsible=(coordinator, wmp))
    health, police = setup["health"], setup["police"]
    assert parse("partners", entries["partners"].new_value) == (Named.of(health), Named.of(police))
    assert all(e.reason == "Agreed at the June board" and e.actor_id == admin_client.user.id for e in entries.values())

    page = admin_client.get_page("actions.show", action_id=action.id)
    assert "The action has been changed." in page.text
    timeline = page.select_one(".app-timeline").text
    assert "Owners changed" in timeline
    assert "Accountable: LSCB\nResponsible: CSE Co-ordinator" in timeline
    assert "Accountable: none\nResponsible: CSE Co-ordinator, WMP" in timeline
    assert "Partners involved changed" in timeline and "Health, Police" in timeline
    assert "Restricted changed" in timeline and "From No to Yes" in timeline
    assert "Agreed at the June board" in timeline


def test_changing_the_due_date_needs_a_reason_and_goes_through_the_deadline_record(admin_client, setup):
    action = setup["action"]
    _, hidden = open_edit(admin_client, action.id)
    response = admin_client.post_form(
        f"/actions/{action.id}/edit", form_data(hidden, action, due_date=["31", "3", "2016"])
    )
    assert response.status_code == 200
    assert errors(response) == {"reason": "Enter the reason for changing the due date"}
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert [i["value"] for i in page.select("input[name=due_date]")] == ["31", "3", "2016"]
    db.session.refresh(action)
    assert action.due_date == date(2015, 9, 30)

    response = admin_client.post_form(
        f"/actions/{action.id}/edit",
        form_data(hidden, action, due_date=["31", "3", "2016"], reason="Waiting for the police restructure"),
    )
    assert response.status_code == 302
    db.session.refresh(action)
    assert action.due_date == date(2016, 3, 31)
    assert action.baseline_due_date == date(2015, 9, 30)
    change = db.session.scalars(select(DeadlineChange)).one()
    assert (change.old_due_date, change.new_due_date, change.reason) == (
        date(2015, 9, 30), date(2016, 3, 31), "Waiting for the police restructure",
    )  # fmt: skip
    entry = db.session.scalars(select(HistoryEntry).where(HistoryEntry.field == "due_date")).one()
    assert (entry.old_value, entry.new_value) == ("2015-09-30", "2016-03-31")
    assert "From 30 September 2015 to 31 March 2016" in admin_client.get_page("actions.show", action_id=action.id).text


@pytest.mark.parametrize(
    ("due_date", "message"),
    [
        (["", "", ""], "Enter the due date, for example 31 3 2016. A due date can be moved but not removed"),
        (["31", "2", "2016"], "The due date must be a real date, for example 31 3 2016"),
        (["31", "", "2016"], "The due date must include a month"),
        (["", "", "2016"], "The due date must include a day and a month"),
        (["a", "b", "c"], "The due date must be a real date, for example 31 3 2016"),
        (["1", "1", "16"], "The due date must be a real date, for example 31 3 2016"),
    ],
)
def test_bad_due_dates_are_refused(admin_client, setup, due_date, message):
    action = setup["action"]
    _, hidden = open_edit(admin_client, action.id)
    response = admin_client.post_form(
        f"/actions/{action.id}/edit", form_data(hidden, action, due_date=due_date, reason="x")
    )
    assert response.status_code == 200
    assert errors(response) == {"due_date-day": message}  # the summary links to the day box
    db.session.refresh(action)
    assert action.due_date == date(2015, 9, 30)


def test_an_action_without_a_date_can_stay_without_one(admin_client, setup):
    action = factories.make_action(factories.make_plan(), due_date=None, text="Review annually")
    _, hidden = open_edit(admin_client, action.id)
    data = {**hidden, "text": "Review every year", "due_date": ["", "", ""], "reason": ""}
    assert admin_client.post_form(f"/actions/{action.id}/edit", data).status_code == 302
    db.session.refresh(action)
    assert (action.text, action.due_date) == ("Review every year", None)


def test_the_action_text_is_required(admin_client, setup):
    action = setup["action"]
    _, hidden = open_edit(admin_client, action.id)
    response = admin_client.post_form(f"/actions/{action.id}/edit", form_data(hidden, action, text="  "))
    assert response.status_code == 200
    assert errors(response) == {"text": "Enter the action"}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("responsible", ["999999"], "Select responsible posts from the list"),
        ("accountable", ["not-a-number"], "Select accountable posts from the list"),
        ("partners", ["999999"], "Select partner agencies from the list"),
    ],
)
def test_owners_and_partners_must_come_from_the_list(admin_client, setup, field, value, message):
    action = setup["action"]
    _, hidden = open_edit(admin_client, action.id)
    response = admin_client.post_form(f"/actions/{action.id}/edit", form_data(hidden, action, **{field: value}))
    assert response.status_code == 200
    assert errors(response) == {field: message}


def test_saving_without_changes_writes_nothing(admin_client, setup):
    action = setup["action"]
    version = action.version
    _, hidden = open_edit(admin_client, action.id)
    response = admin_client.post_form(f"/actions/{action.id}/edit", form_data(hidden, action))
    assert response.status_code == 302
    assert "Nothing was changed." in admin_client.get_page("actions.show", action_id=action.id).text
    db.session.refresh(action)
    assert action.version == version
    assert db.session.scalars(select(HistoryEntry)).all() == []


def test_an_edit_from_an_older_page_is_refused(admin_client, client_as, setup):
    action = setup["action"]
    _, old = open_edit(admin_client, action.id)
    _, fresh = open_edit(admin_client, action.id)
    assert (
        admin_client.post_form(f"/actions/{action.id}/edit", form_data(fresh, action, text="First")).status_code == 302
    )
    response = admin_client.post_form(f"/actions/{action.id}/edit", form_data(old, action, text="Second"))
    assert response.status_code == 409
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert "Someone else changed this action" in page.select_one("#conflict").text
    assert "Now: First" in page.select_one("#conflict").text
    assert page.select_one("textarea[name=text]").text.strip() == "Second"
    db.session.refresh(action)
    assert action.text == "First"


@pytest.mark.parametrize("role", [Role.OWNER, Role.BOARD, Role.SCRUTINY])
def test_only_administrators_edit_actions(client_as, setup, role):
    action = setup["action"]
    client = client_as(role, posts=[setup["coordinator"]])
    client.get_page("actions.edit", _expected_status=403, action_id=action.id)
    response = client.post_form(f"/actions/{action.id}/edit", {"version": str(action.version), "text": "Hijacked"})
    assert response.status_code == 403
    db.session.refresh(action)
    assert action.text == "Agree an information sharing protocol"
    assert db.session.scalars(select(HistoryEntry)).all() == []
