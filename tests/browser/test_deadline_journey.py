"""An owner asks to move an overdue action's due date; the co-ordinator approves it; the action shows the move."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.accessibility import assert_accessible
from tracker.demo import create_demo_accounts
from tracker.extensions import db
from tracker.models import Action

pytestmark = pytest.mark.browser


def _sign_in(page, live_server, email, password):
    page.goto(f"{live_server}/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def _sign_out(page):
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()


def test_owner_asks_for_a_new_date_and_the_coordinator_agrees(page, live_server, coventry, monkeypatch, tmp_path):
    monkeypatch.setenv("TRACKER_TODAY", "2015-07-01")
    create_demo_accounts()
    db.session.commit()
    action = db.session.scalars(select(Action).where(Action.reference == "1.1")).one()

    _sign_in(page, live_server, "owner@example.org", "demo-owner-password")
    page.goto(f"{live_server}/actions/{action.id}")
    assert "Overdue since 1 June 2015" in page.locator("main").inner_text()
    assert_accessible(page, "the overdue action")
    with page.expect_navigation():
        page.get_by_role("link", name="Ask to move the due date").click()
    expect(page.locator("h1")).to_have_text("Ask to move the due date")
    assert_accessible(page, "ask to move the due date")

    # A date in the past is refused with a message that says what to do, linked to the day box.
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("6")
    page.get_by_label("Year").fill("2015")
    page.get_by_label("Why does the due date need to move?").fill("The police problem profile data arrives in August")
    with page.expect_navigation():
        page.get_by_role("button", name="Send request").click()
    assert page.title().startswith("Error: ")
    assert_accessible(page, "ask to move the due date, with an error")
    page.get_by_role("link", name="Enter a new due date in the future").click()
    assert page.evaluate("document.activeElement.id") == "new_due_date-day"

    page.get_by_label("Day").fill("30")
    page.get_by_label("Month").fill("9")
    page.get_by_label("Year").fill("2015")
    with page.expect_navigation():
        page.get_by_role("button", name="Send request").click()
    expect(page.get_by_text("has been sent to the co-ordinator")).to_be_visible()
    expect(page.get_by_text("Request waiting for the co-ordinator")).to_be_visible()
    assert_accessible(page, "the action, with its request sent")
    _sign_out(page)

    _sign_in(page, live_server, "coordinator@example.org", "demo-admin-password")
    with page.expect_navigation():
        page.get_by_role("link", name="Deadline requests").click()
    expect(page.locator("h1")).to_have_text("Deadline requests")
    assert_accessible(page, "deadline requests")
    with page.expect_navigation():
        page.get_by_role("link", name="Decide on the request for action 1.1").click()
    assert_accessible(page, "decide on the request")
    with page.expect_navigation():
        page.get_by_role("button", name="Save decision").click()
    assert page.title().startswith("Error: ")  # no decision chosen
    assert_accessible(page, "decide on the request, with an error")
    page.get_by_label("Approve the new date").check()
    page.get_by_label("Comment").fill("Agreed at the June board")
    with page.expect_navigation():
        page.get_by_role("button", name="Save decision").click()
    expect(page.get_by_text("Approved: the due date of action 1.1 is now 30 September 2015.")).to_be_visible()
    assert_accessible(page, "deadline requests, after the approval")

    page.goto(f"{live_server}/actions/{action.id}")
    deadlines = page.locator("section.app-deadlines")
    assert "Moved once" in deadlines.inner_text()
    assert "Agreed at the June board" in deadlines.inner_text()
    assert "Overdue since" not in page.locator("main").inner_text()
    assert_accessible(page, "the action, moved")
    page.screenshot(path=str(tmp_path / "action-after-approval.png"), full_page=True)
    assert page.console_errors == []
