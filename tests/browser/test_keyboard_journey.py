"""An action owner signs in and records an update with the keyboard alone: Tab to move, Enter or Space to act
(and, within a group of radios, the arrow keys, which is how browsers move between radios).

Nothing is clicked and no element is focused by the test: each step presses Tab until the element
wanted has the focus, checking on the way that every element the focus lands on shows it (the
GOV.UK yellow focus state: an outline, a box shadow or the yellow background). Text is typed.
Every page on the way, the error state included, is checked with axe.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.accessibility import assert_accessible
from tracker.demo import create_demo_accounts
from tracker.extensions import db

pytestmark = pytest.mark.browser

MAX_TABS = 80

# What has the focus, and whether it shows: its own outline or shadow, the yellow focus background,
# or (radios and checkboxes, whose input is hidden) the ring drawn on its label.
FOCUSED = """() => {
  const e = document.activeElement;
  const style = getComputedStyle(e);
  let visible = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0)
    || style.boxShadow !== 'none' || style.backgroundColor === 'rgb(255, 221, 0)';
  if (!visible && (e.type === 'radio' || e.type === 'checkbox')) {
    const label = e.labels && e.labels[0];
    visible = !!label && getComputedStyle(label, '::before').boxShadow !== 'none';
  }
  const name = (e.getAttribute('aria-label') || e.innerText || e.value || '').trim().replace(/\\s+/g, ' ');
  return {tag: e.tagName.toLowerCase(), id: e.id, type: e.type || '', name: name.slice(0, 80),
          value: e.value || '', checked: !!e.checked, visible: visible};
}"""


def tab_to(page, wanted, what: str) -> dict:
    """Press Tab until wanted(focused) is true; every element passed on the way must show its focus."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["tag"] != "body":
            assert focused["visible"], f"the focus on {focused} cannot be seen"
        if wanted(focused):
            return focused
    raise AssertionError(f"{what} never got the focus in {MAX_TABS} presses of Tab")


def test_an_owner_records_an_update_with_the_keyboard_alone(page, live_server, coventry, monkeypatch):
    monkeypatch.setenv("TRACKER_TODAY", "2015-07-01")
    create_demo_accounts()
    db.session.commit()

    page.goto(f"{live_server}/sign-in")
    assert_accessible(page, "sign in")
    tab_to(page, lambda f: f["id"] == "email", "Email address")
    page.keyboard.type("owner@example.org")
    tab_to(page, lambda f: f["id"] == "password", "Password")
    page.keyboard.type("demo-owner-password")
    tab_to(page, lambda f: f["tag"] == "button" and f["name"] == "Sign in", "Sign in")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/my-actions")
    assert_accessible(page, "my actions")

    tab_to(page, lambda f: f["tag"] == "a" and f["name"] == "Action 1.1", "the link to action 1.1")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Action 1.1")
    assert_accessible(page, "the action")

    # "Record progress" is a link that looks like a button: Space works on it, as on a button.
    tab_to(page, lambda f: f["name"] == "Record progress", "Record progress")
    with page.expect_navigation():
        page.keyboard.press("Space")
    expect(page.locator("h1")).to_have_text("Record progress")
    assert_accessible(page, "record progress")

    # Tab enters the delivery ratings at the one chosen now (Amber); the arrow keys move within a group
    # of radios, as in every browser, and choosing Red there needs the commentary, not yet typed.
    current = tab_to(page, lambda f: f["type"] == "radio", "the delivery ratings")
    assert (current["value"], current["checked"]) == ("amber", True)
    page.keyboard.press("ArrowUp")
    red = page.evaluate(FOCUSED)
    assert (red["value"], red["checked"], red["visible"]) == ("red", True, True)
    tab_to(page, lambda f: f["tag"] == "button" and f["name"] == "Save update", "Save update")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.title().startswith("Error: Record progress")
    assert_accessible(page, "record progress, with an error")

    # The error summary takes the focus; its link takes the person to the field.
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    tab_to(page, lambda f: f["tag"] == "a" and "commentary" in f["name"], "the error's link")
    page.keyboard.press("Enter")
    expect(page.locator("#commentary")).to_be_focused()
    page.keyboard.type("Problem profile refreshed with the May police data.")
    tab_to(page, lambda f: f["tag"] == "button" and f["name"] == "Save update", "Save update")
    with page.expect_navigation():
        page.keyboard.press("Space")
    expect(page.get_by_text("Your progress update has been saved.")).to_be_visible()
    assert "Problem profile refreshed with the May police data." in page.locator(".app-update").first.inner_text()
    assert_accessible(page, "the action, with the update saved")
    assert page.console_errors == []
