"""Reporting cycles on the pages: reporting dates per plan, "update due by", "not updated this cycle", settings."""

from contextlib import contextmanager
from datetime import date, datetime

import pytest
from sqlalchemy import event, select

from tests import factories
from tracker.extensions import db
from tracker.models import Plan, ReportingDate, Status


@pytest.fixture
def plan_with_cycle(app, pinned_today):
    """A plan reporting to the board on 20 June (updates due 10 June) and 20 September (updates due 10 September)."""
    pinned_today("2015-07-15")
    plan = factories.make_plan(name="CSE plan")
    plan.created_at = datetime(2015, 3, 1, 9, 0)
    for meeting, due in [(date(2015, 6, 20), date(2015, 6, 10)), (date(2015, 9, 20), date(2015, 9, 10))]:
        db.session.add(
            ReportingDate(plan_id=plan.id, meeting_name="LSCB board", meeting_date=meeting, updates_due_date=due)
        )
    db.session.commit()
    return plan


def _refs_marked(page):
    return {
        row.select("td")[0].text.strip()
        for row in page.select("table.app-actions-table tbody tr")
        if row.select_one(".app-not-updated")
    }


def test_plan_page_says_when_updates_are_due_and_marks_actions_not_updated(plan_with_cycle, board_client):
    plan = plan_with_cycle
    factories.make_action(plan, reference="1.1")  # never updated
    factories.make_action(plan, reference="1.2", last_progress_at=datetime(2015, 6, 10, 17, 0))  # last cycle
    factories.make_action(plan, reference="1.3", last_progress_at=datetime(2015, 6, 11, 9, 0))  # this cycle
    factories.make_action(plan, reference="1.4", status=Status.COMPLETE)  # closed: owes no update
    db.session.commit()
    page = board_client.get_page("plans.show", plan_id=plan.id)
    line = " ".join(page.select_one(".app-update-due").text.split())
    assert line.startswith("Next updates due by 10 September 2015, for the LSCB board on 20 September 2015.")
    assert "2 open actions not updated since 11 June 2015." in line
    assert _refs_marked(page) == {"1.1", "1.2"}
    assert page.select_one(".app-not-updated").text == "Not updated this cycle"
    assert page.select_one(".app-plan-admin-links") is None  # for administrators only


def test_action_page_shows_the_cycle(plan_with_cycle, board_client):
    plan = plan_with_cycle
    stale = factories.make_action(plan, last_progress_at=datetime(2015, 6, 1, 12, 0))
    fresh = factories.make_action(plan, last_progress_at=datetime(2015, 7, 1, 12, 0))
    db.session.commit()
    panel = board_client.get_page("actions.show", action_id=stale.id).select_one("section.app-deadlines")
    text = " ".join(panel.text.split())
    assert "Next update due by 10 September 2015, for the LSCB board on 20 September 2015" in text
    assert "Not updated this cycle" in text
    assert "Last progress update 1 June 2015. This reporting period began on 11 June 2015." in text
    panel = board_client.get_page("actions.show", action_id=fresh.id).select_one("section.app-deadlines")
    assert "Not updated this cycle" not in panel.text
    assert "Last progress update 1 July 2015" in " ".join(panel.text.split())


def test_an_action_never_updated_says_so_once_in_one_wording(plan_with_cycle, board_client):
    """The cycle panel and the updates section read the same field and say it the same way."""
    never = factories.make_action(plan_with_cycle, last_progress_at=None)
    db.session.commit()
    page = board_client.get_page("actions.show", action_id=never.id)
    text = " ".join(page.text.split())
    panel = " ".join(page.select_one("section.app-deadlines").text.split())
    assert "No progress has been recorded yet. This reporting period began on 11 June 2015." in panel
    assert "No progress update since" not in text
    assert text.count("No progress has been recorded yet") == 2  # the panel and the updates section


@contextmanager
def _count_queries():
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def test_plan_page_queries_do_not_grow_with_the_plan(plan_with_cycle, board_client):
    plan = plan_with_cycle
    factories.make_action(plan)
    db.session.commit()
    with _count_queries() as small:
        board_client.get_page("plans.show", plan_id=plan.id)
    for _ in range(30):
        factories.make_action(plan)
    db.session.commit()
    with _count_queries() as large:
        board_client.get_page("plans.show", plan_id=plan.id)
    assert len(large) == len(small)


# --- the administrator's reporting-dates page ------------------------------------------------


def test_administrator_adds_and_removes_reporting_dates(plan_with_cycle, admin_client):
    plan = plan_with_cycle
    plan_page = admin_client.get_page("plans.show", plan_id=plan.id)
    assert plan_page.select_one(".app-plan-admin-links a")["href"] == f"/plans/{plan.id}/reporting-dates"

    page = admin_client.get_page("deadlines.reporting_dates_page", plan_id=plan.id)
    assert page.select_one("h1").text.strip() == "Reporting dates"
    assert len(page.select("table.app-reporting-dates tbody tr")) == 2
    response = admin_client.post_form(
        f"/plans/{plan.id}/reporting-dates",
        {
            "meeting_name": "Scrutiny Co-ordination Committee",
            "meeting_date": ["14", "10", "2015"],
            "updates_due_date": ["30", "9", "2015"],
        },
    )
    assert response.status_code == 302
    page = admin_client.get_page("deadlines.reporting_dates_page", plan_id=plan.id)
    assert "Added Scrutiny Co-ordination Committee on 14 October 2015, updates due by 30 September 2015." in page.text
    rows = page.select("table.app-reporting-dates tbody tr")
    assert [r.select("td")[0].text.split("(")[0].strip() for r in rows] == [
        "LSCB board",
        "LSCB board",
        "Scrutiny Co-ordination Committee",
    ]
    assert "(held)" in rows[0].text

    remove = rows[0].select_one("form")
    assert remove.select_one("input[name=csrf_token]")
    response = admin_client.post_form(remove["action"])
    assert response.status_code == 302
    remaining = db.session.scalars(select(ReportingDate.meeting_date).where(ReportingDate.plan_id == plan.id))
    assert sorted(remaining) == [date(2015, 9, 20), date(2015, 10, 14)]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"meeting_name": "", "meeting_date": ["20", "9", "2015"], "updates_due_date": ["10", "9", "2015"]},
         "Enter the name of the meeting"),
        ({"meeting_name": "Board", "meeting_date": ["", "", ""], "updates_due_date": ["10", "9", "2015"]},
         "Enter the meeting date"),
        ({"meeting_name": "Board", "meeting_date": ["20", "9", "2015"], "updates_due_date": ["21", "9", "2015"]},
         "The date updates are due must be on or before the meeting date"),
        ({"meeting_name": "LSCB board", "meeting_date": ["20", "9", "2015"], "updates_due_date": ["1", "9", "2015"]},
         "This meeting is already in the plan's reporting dates"),
    ],
)  # fmt: skip
def test_reporting_date_errors_say_what_to_do(plan_with_cycle, admin_client, data, message):
    response = admin_client.post_form(f"/plans/{plan_with_cycle.id}/reporting-dates", data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message.replace("'", "&#39;") in html
    assert "govuk-error-summary" in html


def test_only_administrators_manage_reporting_dates_and_settings(plan_with_cycle, board_client, owner_client):
    plan = plan_with_cycle
    for client in (board_client, owner_client):
        client.get_page("deadlines.reporting_dates_page", _expected_status=403, plan_id=plan.id)
        client.get_page("deadlines.settings", _expected_status=403, plan_id=plan.id)
        rd = db.session.scalars(select(ReportingDate)).first()
        assert client.post_form(f"/plans/{plan.id}/reporting-dates/{rd.id}/remove").status_code == 403


# --- escalation and reminder settings -----------------------------------------------------------


def test_administrator_sets_escalation_and_reminder_periods(plan_with_cycle, admin_client):
    plan = plan_with_cycle
    page = admin_client.get_page("deadlines.settings", plan_id=plan.id)
    assert page.select_one("#escalate_to_red_after_days")["value"] == ""
    assert page.select_one("#remind_due_within_days")["value"] == "14"
    response = admin_client.post_form(
        f"/plans/{plan.id}/deadline-settings",
        {"escalate_to_red_after_days": "30", "remind_due_within_days": "21", "remind_update_within_days": "5"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Plan, plan.id)
    assert (saved.escalate_to_red_after_days, saved.remind_due_within_days, saved.remind_update_within_days) == (
        30,
        21,
        5,
    )
    response = admin_client.post_form(
        f"/plans/{plan.id}/deadline-settings",
        {"escalate_to_red_after_days": "", "remind_due_within_days": "21", "remind_update_within_days": "5"},
    )
    db.session.expire_all()
    assert db.session.get(Plan, plan.id).escalate_to_red_after_days is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"escalate_to_red_after_days": "soon", "remind_due_within_days": "14", "remind_update_within_days": "7"},
         "Enter the number of days as a whole number of days, like 14"),
        ({"escalate_to_red_after_days": "0", "remind_due_within_days": "14", "remind_update_within_days": "7"},
         "Enter a number of days from 1 to 365"),
        ({"escalate_to_red_after_days": "", "remind_due_within_days": "", "remind_update_within_days": "7"},
         "Enter how many days before the due date owners are reminded"),
        ({"escalate_to_red_after_days": "", "remind_due_within_days": "14", "remind_update_within_days": "99"},
         "Enter a number of days from 1 to 60"),
    ],
)  # fmt: skip
def test_settings_errors_say_what_to_do(plan_with_cycle, admin_client, data, message):
    response = admin_client.post_form(f"/plans/{plan_with_cycle.id}/deadline-settings", data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)


def test_settings_apply_to_the_plan_only(app, admin_client):
    first, second = factories.make_plan(), factories.make_plan()
    db.session.commit()
    admin_client.post_form(
        f"/plans/{first.id}/deadline-settings",
        {"escalate_to_red_after_days": "10", "remind_due_within_days": "14", "remind_update_within_days": "7"},
    )
    db.session.expire_all()
    assert db.session.get(Plan, second.id).escalate_to_red_after_days is None


def test_scrutiny_counts_leave_out_restricted_actions(plan_with_cycle, scrutiny_client, board_client):
    plan = plan_with_cycle
    factories.make_action(plan, reference="1.1")
    factories.make_action(plan, reference="1.2", is_restricted=True)
    db.session.commit()
    line = " ".join(scrutiny_client.get_page("plans.show", plan_id=plan.id).select_one(".app-update-due").text.split())
    assert "1 open action not updated since 11 June 2015." in line
    line = " ".join(board_client.get_page("plans.show", plan_id=plan.id).select_one(".app-update-due").text.split())
    assert "2 open actions not updated since 11 June 2015." in line
