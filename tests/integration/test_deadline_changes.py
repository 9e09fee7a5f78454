"""Deadline changes, agreed and visible: an owner asks, the co-ordinator approves or refuses, the history keeps it all."""

from datetime import date

import pytest
from sqlalchemy import select

from tests import factories
from tracker.extensions import db
from tracker.jobs import auto_amber as run_auto_amber
from tracker.models import Action, DeadlineChange, HistoryEntry, RequestState, Role
from tracker.services.deadlines import (
    approve_request,
    refuse_request,
    request_due_date_change,
    set_due_date,
)
from tracker.services.refusal import Refused

TODAY = "2015-07-01"


@pytest.fixture
def owned(app, pinned_today):
    """An overdue action (due 31 May 2015), a post that owns it and a user holding that post."""
    pinned_today(TODAY)
    post = factories.make_post("CSE Co-ordinator")
    owner = factories.make_user(posts=[post], name="Sam Patel")
    plan = factories.make_plan()
    action = factories.make_action(plan, reference="1.1", due_date=date(2015, 5, 31), responsible=[post])
    db.session.commit()
    return action, post, owner


def _history(action):
    return db.session.scalars(
        select(HistoryEntry).where(HistoryEntry.action_id == action.id).order_by(HistoryEntry.id)
    ).all()


# --- the rules ------------------------------------------------------------------------------


def test_a_request_changes_nothing_until_it_is_approved(owned):
    action, _post, owner = owned
    change = request_due_date_change(action, date(2015, 9, 30), owner, "Police data arrives in August")
    db.session.commit()
    assert change.state is RequestState.PENDING
    assert action.due_date == date(2015, 5, 31)
    [entry] = _history(action)
    assert (entry.field, entry.old_value, entry.new_value) == ("deadline_request", "2015-05-31", "2015-09-30")
    assert (entry.actor_id, entry.reason) == (owner.id, "Police data arrives in August")


@pytest.mark.parametrize(
    ("new_date", "reason", "field", "message"),
    [
        (date(2015, 7, 1), "Later", "new_due_date", "Enter a new due date in the future, for example 30 8 2015"),
        (date(2015, 5, 31), "Later", "new_due_date", "Enter a new due date in the future"),
        (date(2015, 9, 30), "   ", "reason", "Enter why the due date needs to move"),
    ],
)
def test_a_request_needs_a_future_date_and_a_reason(owned, new_date, reason, field, message):
    action, _post, owner = owned
    with pytest.raises(Refused) as raised:
        request_due_date_change(action, new_date, owner, reason)
    assert raised.value.field == field
    assert str(raised.value).startswith(message)


def test_one_request_at_a_time(owned):
    action, _post, owner = owned
    request_due_date_change(action, date(2015, 9, 30), owner, "Police data arrives in August")
    with pytest.raises(Refused, match="already waiting for the co-ordinator"):
        request_due_date_change(action, date(2015, 10, 31), owner, "Or later")


def test_approving_a_future_date_moves_it_keeps_the_baseline_and_clears_the_overdue_amber(owned):
    action, _post, owner = owned
    run_auto_amber(date(2015, 7, 1))
    db.session.refresh(action)
    assert action.auto_amber_recorded_for == date(2015, 5, 31)
    change = request_due_date_change(action, date(2015, 9, 30), owner, "Police data arrives in August")
    coordinator = factories.make_user(role=Role.ADMIN, name="Cara Okafor")
    approve_request(change, coordinator, "Agreed at the June board")
    db.session.commit()

    db.session.refresh(action)
    assert action.due_date == date(2015, 9, 30)
    assert action.baseline_due_date == date(2015, 5, 31)
    assert action.auto_amber_recorded_for is None
    assert change.state is RequestState.APPROVED
    assert (change.decided_by_id, change.decision_comment) == (coordinator.id, "Agreed at the June board")
    from tracker.rag import effective_delivery_rag

    effective = effective_delivery_rag(action.delivery_rag, action.status, action.due_date, date(2015, 7, 1))
    assert effective.rag.value == "green" and not effective.raised
    fields = [(e.field, e.actor_name) for e in _history(action)]
    assert fields == [
        ("auto_amber", "system"),
        ("deadline_request", "Sam Patel"),
        ("deadline_approved", "Cara Okafor"),
        ("due_date", "Cara Okafor"),
    ]
    assert _history(action)[-1].reason == "Police data arrives in August"


def test_refusing_needs_a_comment_and_leaves_the_date(owned):
    action, _post, owner = owned
    change = request_due_date_change(action, date(2015, 9, 30), owner, "Police data arrives in August")
    coordinator = factories.make_user(role=Role.ADMIN)
    with pytest.raises(Refused, match="Enter why the request is refused"):
        refuse_request(change, coordinator, "  ")
    refuse_request(change, coordinator, "The board needs this before the September meeting")
    db.session.commit()
    assert action.due_date == date(2015, 5, 31)
    assert change.state is RequestState.REFUSED
    assert _history(action)[-1].field == "deadline_refused"
    assert _history(action)[-1].reason == "The board needs this before the September meeting"


def test_a_request_is_decided_once(owned):
    action, _post, owner = owned
    change = request_due_date_change(action, date(2015, 9, 30), owner, "Police data arrives in August")
    db.session.commit()
    coordinator = factories.make_user(role=Role.ADMIN)
    # A second co-ordinator refused it a moment ago, in another session.
    db.session.execute(DeadlineChange.__table__.update().where(DeadlineChange.id == change.id).values(state="refused"))
    with pytest.raises(Refused, match="already been decided"):
        approve_request(change, coordinator, "")
    db.session.rollback()
    assert db.session.get(Action, action.id).due_date == date(2015, 5, 31)


def test_a_requested_date_that_has_passed_cannot_be_approved(owned, pinned_today):
    action, _post, owner = owned
    change = request_due_date_change(action, date(2015, 7, 15), owner, "A fortnight more")
    db.session.commit()
    pinned_today("2015-07-20")
    with pytest.raises(Refused, match="has already passed"):
        approve_request(change, factories.make_user(role=Role.ADMIN), "")


def test_an_administrator_changing_a_date_directly_must_give_a_reason(owned):
    action, _post, _owner = owned
    admin = factories.make_user(role=Role.ADMIN)
    with pytest.raises(Refused, match="Enter the reason"):
        set_due_date(action, date(2015, 8, 31), admin, "")
    set_due_date(action, date(2015, 8, 31), admin, "Agreed with the chair")
    db.session.commit()
    change = db.session.scalars(select(DeadlineChange)).one()
    assert (change.state, change.reason, change.decided_by_id) == (
        RequestState.APPROVED,
        "Agreed with the chair",
        admin.id,
    )


# --- the pages ------------------------------------------------------------------------------


def test_owner_asks_from_the_action_page_and_the_coordinator_approves(owned, client_as, admin_client):
    action, post, _owner = owned
    owner_client = client_as(Role.OWNER, posts=[post], name="Sam Patel")

    page = owner_client.get_page("actions.show", action_id=action.id)
    panel = page.select_one("section.app-deadlines")
    assert "Not moved" in panel.text
    link = panel.find("a", string="Ask to move the due date")
    assert link["href"] == f"/actions/{action.id}/due-date"

    form_page = owner_client.get_page("deadlines.change_due_date", action_id=action.id)
    assert form_page.select_one("h1").text.strip() == "Ask to move the due date"
    assert form_page.select_one("#new_due_date-day")
    response = owner_client.post_form(
        f"/actions/{action.id}/due-date",
        {"new_due_date": ["30", "9", "2015"], "reason": "Police data arrives in August"},
    )
    assert response.status_code == 302
    assert response.location == f"/actions/{action.id}"

    page = owner_client.get_page("actions.show", action_id=action.id)
    assert "has been sent to the co-ordinator" in page.text
    pending = page.select_one(".app-pending-request")
    assert "Sam Patel asked on 1 July 2015 to move the due date to 30 September 2015" in " ".join(pending.text.split())
    assert page.find("a", string="Ask to move the due date") is None

    queue = admin_client.get_page("deadlines.requests")
    [row] = queue.select("table.app-requests-table tbody tr")
    assert "Action 1.1" in row.text and "30 September 2015" in row.text and "Police data arrives" in row.text
    change = db.session.scalars(select(DeadlineChange)).one()
    decide = admin_client.get_page("deadlines.decide", change_id=change.id)
    assert decide.select_one("h1").text.strip() == "Request to move the due date"
    response = admin_client.post_form(
        f"/deadline-requests/{change.id}", {"decision": "approve", "comment": "Agreed at the June board"}
    )
    assert response.status_code == 302
    assert response.location == "/deadline-requests"
    queue = admin_client.get_page("deadlines.requests")
    assert "Approved: the due date of action 1.1 is now 30 September 2015." in queue.text
    assert queue.select_one(".app-no-requests")

    page = owner_client.get_page("actions.show", action_id=action.id)
    panel = page.select_one("section.app-deadlines")
    assert "Moved once" in panel.text
    [move] = panel.select("table.app-deadline-table tbody tr")
    cells = [" ".join(td.text.split()) for td in move.select("td")]
    assert cells[0] == "31 May 2015" and cells[1] == "30 September 2015"
    assert "Police data arrives in August" in cells[2] and "Agreed at the June board" in cells[2]
    assert cells[3].startswith(admin_client.user.name)
    assert "Original (baseline) due date 31 May 2015" in " ".join(panel.text.split())
    assert page.select(".app-overdue") == []  # the overdue Amber is gone


@pytest.mark.parametrize(
    ("data", "field_id", "message"),
    [
        ({"new_due_date": ["", "", ""], "reason": "x"}, "new_due_date-day", "Enter the new due date"),
        (
            {"new_due_date": ["30", "", "2015"], "reason": "x"},
            "new_due_date-day",
            "The new due date must include a month",
        ),
        (
            {"new_due_date": ["31", "9", "2015"], "reason": "x"},
            "new_due_date-day",
            "The new due date must be a real date",
        ),
        ({"new_due_date": ["1", "6", "2015"], "reason": "x"}, "new_due_date-day", "Enter a new due date in the future"),
        ({"new_due_date": ["30", "9", "2015"], "reason": ""}, "reason", "Enter why the due date needs to move"),
    ],
)
def test_request_form_errors_say_what_to_do(owned, client_as, data, field_id, message):
    action, post, _owner = owned
    owner_client = client_as(Role.OWNER, posts=[post])
    page = owner_client.post_page("deadlines.change_due_date", data, action_id=action.id)
    assert page.select_one("title").text.startswith("Error: ")
    link = page.select_one(".govuk-error-summary a")
    assert link.text.startswith(message)
    assert link["href"] == f"#{field_id}"
    assert page.select_one(f"#{field_id}") is not None


def test_refusing_on_the_page_needs_a_comment(owned, admin_client):
    action, _post, owner = owned
    change = request_due_date_change(action, date(2015, 9, 30), owner, "Police data arrives in August")
    db.session.commit()
    response = admin_client.post_form(f"/deadline-requests/{change.id}", {"decision": "refuse", "comment": ""})
    assert response.status_code == 200
    assert "Enter why the request is refused" in response.get_data(as_text=True)
    response = admin_client.post_form(
        f"/deadline-requests/{change.id}", {"decision": "refuse", "comment": "Needed for September"}
    )
    assert response.status_code == 302
    page = admin_client.get_page("actions.show", action_id=action.id)
    refused = page.select("section.app-deadlines table.app-deadline-table")[-1]
    assert "Requests refused" in refused.text and "Needed for September" in refused.text


def test_administrator_changes_the_date_directly_with_a_reason(owned, admin_client):
    action, _post, _owner = owned
    page = admin_client.get_page("actions.show", action_id=action.id)
    assert page.find("a", string="Change the due date")
    response = admin_client.post_form(f"/actions/{action.id}/due-date", {"new_due_date": ["31", "8", "2015"]})
    assert response.status_code == 200
    assert "Enter the reason for changing the due date" in response.get_data(as_text=True)
    response = admin_client.post_form(
        f"/actions/{action.id}/due-date", {"new_due_date": ["31", "5", "2015"], "reason": "Same"}
    )
    assert "Enter a date different from the current due date" in response.get_data(as_text=True)
    response = admin_client.post_form(
        f"/actions/{action.id}/due-date", {"new_due_date": ["31", "8", "2015"], "reason": "Agreed with the chair"}
    )
    assert response.status_code == 302
    page = admin_client.get_page("actions.show", action_id=action.id)
    move = page.select_one("section.app-deadlines table.app-deadline-table tbody tr")
    assert "Agreed with the chair" in move.text and "changed directly" in move.text


def test_who_may_ask_and_who_may_decide(owned, client_as, board_client, scrutiny_client):
    action, _post, owner = owned
    stranger = client_as(Role.OWNER, posts=[factories.make_post()])
    for client in (stranger, board_client, scrutiny_client):
        client.get_page("deadlines.change_due_date", _expected_status=403, action_id=action.id)
    change = request_due_date_change(action, date(2015, 9, 30), owner, "Reason")
    db.session.commit()
    owner_client = client_as(Role.OWNER, posts=action.responsible_posts)
    owner_client.get_page("deadlines.requests", _expected_status=403)
    owner_client.get_page("deadlines.decide", _expected_status=403, change_id=change.id)
    response = owner_client.post_form(f"/deadline-requests/{change.id}", {"decision": "approve"})
    assert response.status_code == 403
    assert db.session.get(DeadlineChange, change.id).state is RequestState.PENDING
    page = stranger.get_page("actions.show", action_id=action.id)
    assert page.find("a", string="Ask to move the due date") is None


def test_restricted_actions_stay_hidden_from_scrutiny(app, scrutiny_client):
    plan = factories.make_plan()
    hidden = factories.make_action(plan, is_restricted=True, due_date=date(2015, 5, 31))
    db.session.commit()
    scrutiny_client.get_page("deadlines.change_due_date", _expected_status=403, action_id=hidden.id)


def test_coordinator_sees_deadline_requests_in_the_navigation(admin_client, owner_client):
    nav = [a.text.strip() for a in admin_client.get_page("plans.list_plans").select(".govuk-service-navigation__link")]
    assert "Deadline requests" in nav
    nav = [a.text.strip() for a in owner_client.get_page("plans.list_plans").select(".govuk-service-navigation__link")]
    assert "Deadline requests" not in nav


def test_timeline_tells_the_deadline_exchange_in_plain_words(app, owner_client, admin_client, pinned_today):
    from tracker.models import Rag
    from tracker.services.deadlines import request_due_date_change

    pinned_today("2015-06-15")
    post = factories.make_post("Timeline post")
    owner_client.user.posts = [post]
    action = factories.make_action(due_date=date(2015, 5, 31), delivery_rag=Rag.GREEN, responsible=[post])
    request_due_date_change(action, date(2015, 9, 30), owner_client.user, "Waiting for the regional framework")
    db.session.commit()
    page = admin_client.get_page("actions.show", action_id=action.id)
    timeline = page.select_one("ol.app-timeline").text
    assert "New due date asked for" in timeline
    assert "From 31 May 2015 to 30 September 2015" in " ".join(timeline.split())
    assert "Waiting for the regional framework" in timeline


def test_an_agreed_date_settles_a_timescale_that_could_not_be_read(app, pinned_today):
    pinned_today(TODAY)
    action = factories.make_action(timescale_text="Ongoing", timescale_needs_review=True)
    db.session.commit()
    set_due_date(action, date(2015, 12, 31), None, "Agreed at the board: end of the year")
    db.session.commit()
    assert (action.due_date, action.timescale_needs_review, action.timescale_text) == (
        date(2015, 12, 31),
        False,
        "Ongoing",
    )
