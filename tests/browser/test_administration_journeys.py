"""The co-ordinator sets up a plan and invites its first owner, who signs up from the email and finds their
action; then a post is handed over and the successor finds its actions. axe checks each page on the way."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.accessibility import assert_accessible
from tests.smtp_inbox import smtp_inbox
from tracker.extensions import db
from tracker.models import Role

pytestmark = pytest.mark.browser

ADMIN_PASSWORD = "admin journey password 2015"


def _sign_in(page, live_server, email, password):
    page.goto(f"{live_server}/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def _submit(page, name):
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()


def test_coordinator_sets_up_a_plan_and_invites_its_owner(app, browser, page, live_server, monkeypatch):
    monkeypatch.setenv("TRACKER_TODAY", "2016-02-01")
    factories.make_user(Role.ADMIN, email="cara@example.org", name="Cara Okafor", password=ADMIN_PASSWORD)
    db.session.commit()
    with smtp_inbox(app, base_url=live_server) as inbox:
        _sign_in(page, live_server, "cara@example.org", ADMIN_PASSWORD)
        page.get_by_role("link", name="Administration").click()
        assert_accessible(page, "administration")

        page.get_by_role("link", name="Posts").click()
        page.get_by_label("Name of the post").fill("Missing Children Lead")
        _submit(page, "Add post")
        expect(page.get_by_text("Post “Missing Children Lead” added.")).to_be_visible()
        assert_accessible(page, "posts")

        page.get_by_role("link", name="Administration").first.click()
        page.get_by_role("link", name="Plans", exact=True).last.click()
        page.get_by_role("button", name="Create a plan").click()
        _submit(page, "Save")  # empty: the error summary says what to do
        assert page.title().startswith("Error: Create a plan")
        assert_accessible(page, "create a plan, with an error")
        page.get_by_label("Name of the plan").fill("CSE plan 2016")
        _submit(page, "Save")
        expect(page.locator("h1")).to_have_text("CSE plan 2016")
        assert_accessible(page, "plan administration")

        page.get_by_role("button", name="Add a strand").click()
        page.get_by_label("Name of the strand").fill("Protect")
        _submit(page, "Save")
        page.get_by_role("link", name="Add a sub-objective to Protect").click()
        page.get_by_label("Number (optional)").fill("3")
        page.get_by_label("Sub-objective").fill("Find children who go missing")
        _submit(page, "Save")
        page.get_by_role("link", name="Add an action to sub-objective").click()
        page.get_by_label("Reference (optional)").fill("3.1")
        page.get_by_label("Action", exact=True).fill("Hold a return interview within 72 hours")
        page.get_by_role("group", name="Responsible").get_by_label("Missing Children Lead").check()
        page.locator("#due_date-day").fill("31")
        page.locator("#due_date-month").fill("3")
        page.locator("#due_date-year").fill("2016")
        assert_accessible(page, "add an action")
        _submit(page, "Add action")
        expect(page.locator("h1")).to_have_text("Action 3.1")
        assert_accessible(page, "the new action")

        page.get_by_role("link", name="Administration").first.click()
        page.get_by_role("link", name="People").click()
        page.get_by_role("button", name="Invite someone").click()
        page.get_by_label("Full name").fill("Priya Shah")
        page.get_by_label("Email address").fill("priya@example.org")
        page.get_by_label("Action owner").check()
        page.get_by_role("group", name="Posts (optional)").get_by_label("Missing Children Lead").check()
        assert_accessible(page, "invite someone")
        _submit(page, "Send invitation")
        expect(page.get_by_text("Invitation sent to priya@example.org.")).to_be_visible()
        assert_accessible(page, "the invited person")
        link = inbox.last_link("priya@example.org")

    invitee = browser.new_context().new_page()
    invitee.goto(f"{live_server}{link}")
    expect(invitee.locator("h1")).to_have_text("Set your password")
    invitee.get_by_label("New password").fill("password1234")
    invitee.get_by_label("Confirm the password").fill("password1234")
    _submit(invitee, "Set password and sign in")
    assert invitee.title().startswith("Error: Set your password")
    assert_accessible(invitee, "set your password, with an error")
    invitee.get_by_label("New password").fill("lantern orchard velvet 2016")
    invitee.get_by_label("Confirm the password").fill("lantern orchard velvet 2016")
    _submit(invitee, "Set password and sign in")
    invitee.wait_for_url(f"{live_server}/my-actions")
    expect(invitee.get_by_role("link", name="Action 3.1", exact=True)).to_be_visible()
    assert_accessible(invitee, "my actions")

    invitee.goto(f"{live_server}{link}")  # once only
    expect(invitee.locator("h1")).to_have_text("This link cannot be used")
    assert page.console_errors == []


def test_a_post_is_handed_over_and_the_successor_sees_its_actions(app, browser, page, live_server, monkeypatch):
    monkeypatch.setenv("TRACKER_TODAY", "2016-02-01")
    post = factories.make_post("CSE Co-ordinator")
    plan = factories.make_plan("CSE plan")
    factories.make_action(plan, reference="1.1", text="Keep the problem profile current", responsible=[post])
    factories.make_user(Role.ADMIN, email="cara@example.org", name="Cara Okafor", password=ADMIN_PASSWORD)
    factories.make_user(Role.OWNER, email="lee@example.org", name="Lee Leaver", posts=[post])
    factories.make_user(Role.OWNER, email="sue@example.org", name="Sue Successor", password="successor password 2016")
    db.session.commit()
    with smtp_inbox(app, base_url=live_server) as inbox:
        _sign_in(page, live_server, "cara@example.org", ADMIN_PASSWORD)
        page.goto(f"{live_server}/admin/posts")
        page.get_by_role("link", name="CSE Co-ordinator").click()
        assert_accessible(page, "a post")
        page.get_by_role("button", name="Hand over this post").click()
        expect(page.get_by_label("Person leaving the post")).to_have_value(str(db.session.scalars(
            db.select(factories.User.id).where(factories.User.email == "lee@example.org")).one()))  # fmt: skip
        _submit(page, "Hand over post")
        assert page.title().startswith("Error: Hand over")
        assert_accessible(page, "hand over, with an error")
        page.get_by_label("Successor").select_option(label="Sue Successor (sue@example.org)")
        _submit(page, "Hand over post")
        expect(page.get_by_text("has been handed over to Sue Successor")).to_be_visible()
        assert inbox.to("sue@example.org")[0]["Subject"] == "You now hold the post CSE Co-ordinator"

    successor = browser.new_context().new_page()
    _sign_in(successor, live_server, "sue@example.org", "successor password 2016")
    successor.wait_for_url(f"{live_server}/my-actions")
    expect(successor.get_by_role("link", name="Action 1.1", exact=True)).to_be_visible()
    assert page.console_errors == []
