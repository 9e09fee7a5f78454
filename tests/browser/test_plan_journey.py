"""A board member signs in with the keyboard, finds the red actions and opens one."""

import pytest

from tracker.demo import create_demo_accounts
from tracker.extensions import db

pytestmark = pytest.mark.browser


def _sign_in(page, live_server, email, password):
    page.goto(f"{live_server}/plans")
    assert page.url.startswith(f"{live_server}/sign-in")
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.className").startswith("govuk-skip-link")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_board_member_reviews_the_red_actions(page, live_server, coventry, monkeypatch):
    monkeypatch.setenv("TRACKER_TODAY", "2015-07-01")
    create_demo_accounts()
    db.session.commit()

    _sign_in(page, live_server, "board@example.org", "wrong password here")
    assert page.get_by_text("Enter a correct email address and password").first.is_visible()
    assert page.title().startswith("Error: Sign in")

    _sign_in(page, live_server, "board@example.org", "demo-board-password")
    page.wait_for_url(f"{live_server}/plans")
    page.get_by_role("link", name="Coventry CSE Strategy Action Plan 2015–17").click()
    assert page.locator("h1").inner_text() == "Coventry CSE Strategy Action Plan 2015–17"
    # GOV.UK Frontend's JavaScript ran under the Content Security Policy.
    assert "govuk-frontend-supported" in page.locator("body").get_attribute("class")

    page.get_by_label("Delivery RAG").select_option("red")
    page.get_by_role("button", name="Apply filters").click()
    assert "rag=red" in page.url
    assert page.get_by_role("status").inner_text().startswith("3 actions match the filters")
    page.get_by_role("link", name="Information sharing agreement to be in place").click()
    assert page.locator("h1").inner_text() == "Action 1.3"
    assert page.get_by_text("Jayne Hutchings").first.is_visible()

    with page.expect_navigation():  # is_visible() does not wait: let the sign-out page arrive first
        page.get_by_role("button", name="Sign out").click()
    assert page.get_by_text("You have signed out.").is_visible()
    assert page.console_errors == []


def test_pages_load_fonts_styles_and_scripts_without_policy_errors(page, live_server, coventry, tmp_path):
    screenshot_dir = tmp_path
    create_demo_accounts()
    db.session.commit()
    failed = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
    _sign_in(page, live_server, "owner@example.org", "demo-owner-password")
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server}/plans/{coventry.id}")
    page.wait_for_load_state("networkidle")
    font = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
    assert "GDS Transport" in font
    page.screenshot(path=str(screenshot_dir / "plan-page.png"), full_page=False)
    assert failed == []
    assert page.console_errors == []
