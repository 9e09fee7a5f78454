"""An owner enters a quarter's figure for the measure their post supplies; the board member sees the
measure turn from Red to Green on the dashboard."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.measures_support import enter, make_measure
from tracker.extensions import db
from tracker.models import Role

pytestmark = pytest.mark.browser


def _sign_in(page, live_server, email):
    page.goto(f"{live_server}/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def _measures_figures(page) -> dict[str, str]:
    figures = page.locator("#measures ~ ul.app-figures li").all_inner_texts()
    return {text.split()[1]: text.split()[0] for text in figures}


def test_an_owner_enters_a_figure_and_the_board_sees_the_measure_turn_green(
    browser, page, live_server, monkeypatch, tmp_path
):
    monkeypatch.setenv("TRACKER_TODAY", "2015-10-05")
    post = factories.make_post("CSE Service Manager")
    plan = factories.make_plan(name="CSE plan")
    factories.make_action(plan, reference="10.2", responsible=[post])
    measure = make_measure(plan, name="Referrals to the multi-agency CSE meeting", post=post, actions=("10.2",))
    enter(measure, "2015-04-01", 31)  # Q1 2015/16: Red against 40 with a tolerance of 5
    owner = factories.make_user(Role.OWNER, posts=[post])
    board = factories.make_user(Role.BOARD)
    db.session.commit()

    board_page = browser.new_context().new_page()
    _sign_in(board_page, live_server, board.email)
    board_page.goto(f"{live_server}/dashboard")
    assert _measures_figures(board_page)["Red"] == "1"
    expect(board_page.locator(".app-measures-off-target")).to_contain_text("Referrals to the multi-agency CSE meeting")

    # The owner sees the figure owed in "My actions" and enters it.
    _sign_in(page, live_server, owner.email)
    page.wait_for_url(f"{live_server}/my-actions")
    owed = page.locator("#figures-due ~ ul li").first
    expect(owed).to_contain_text("No figure for Q2 2015/16")
    owed.get_by_role("link", name="Enter figure").click()
    expect(page.locator("h1")).to_have_text("Enter a figure")
    expect(page.get_by_label("Period")).to_have_value("2015-07-01")

    page.get_by_label("Figure").fill("forty-five")
    page.get_by_role("button", name="Save figure").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the figure as a number, like 42 or 12.5")
    assert page.title().startswith("Error: ")

    page.get_by_label("Figure").fill("45")
    page.get_by_label("Source").fill("CSE meeting minutes")
    page.get_by_role("button", name="Save figure").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Figure for Q2 2015/16 saved: 45.")
    expect(page.locator("#latest")).to_contain_text("Green: 45 meets the target of at least 40")
    page.wait_for_selector("#measure-chart[data-drawn='true']", state="attached", timeout=30000)
    page.screenshot(path=str(tmp_path / "measure.png"), full_page=True)
    assert page.console_errors == []
    # No sideways scroll on a small phone: wide tables scroll inside their own labelled region.
    page.set_viewport_size({"width": 320, "height": 640})
    for address in (
        page.url,
        f"{live_server}/measures",
        f"{live_server}/measures/{measure.id}/figures/2015-07-01/correct",
    ):
        page.goto(address)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, address

    # The board member's dashboard now shows the measure Green, and it links to the measure.
    board_page.goto(f"{live_server}/dashboard")
    figures = _measures_figures(board_page)
    assert (figures["Green"], figures["Red"]) == ("1", "0")
    expect(board_page.locator("#measures-off-target + p")).to_have_text("No measure's latest figure misses its target.")
    board_page.goto(f"{live_server}/measures")
    board_page.get_by_role("link", name="Referrals to the multi-agency CSE meeting").click()
    expect(board_page.locator("#latest")).to_contain_text("Green")
    expect(board_page.get_by_role("link", name="Enter a figure")).to_have_count(0)
    board_page.context.close()


def test_an_administrator_imports_a_quarters_figures_from_a_spreadsheet(page, live_server, monkeypatch, tmp_path):
    from tests.browser.accessibility import assert_accessible

    monkeypatch.setenv("TRACKER_TODAY", "2015-10-05")
    plan = factories.make_plan(name="CSE plan")
    measure = make_measure(plan, name="Referrals to the multi-agency CSE meeting")
    enter(measure, "2015-04-01", 31)  # Red against 40
    admin = factories.make_user(Role.ADMIN)
    db.session.commit()
    figures = tmp_path / "LSCB figures.csv"
    figures.write_bytes(
        b"Quarter,Measure name,Figure\r\n"
        b"Jul-Sep 2015,referrals to the multi-agency CSE meeting,45\r\n"
        b"Oct-Dec 2015,Referrals to the multi-agency CSE meeting,50\r\n"
    )

    _sign_in(page, live_server, admin.email)
    page.goto(f"{live_server}/measures")
    page.get_by_role("link", name="Import figures from a spreadsheet").click()
    expect(page.locator("h1")).to_have_text("Import figures")
    assert_accessible(page, "the figures upload page")
    page.get_by_label("Plan").select_option(label="CSE plan")
    page.get_by_label("Upload a file of figures").set_input_files(str(figures))
    page.get_by_role("button", name="Upload and check").click()

    expect(page.locator("h1")).to_have_text("Check the figures before importing")
    expect(page.locator("tr[data-row='2']")).to_contain_text("New")
    expect(page.locator("tr[data-row='3']")).to_contain_text("Q3 2015/16 is in the future or not over yet")
    expect(page.locator("[data-refused-rows]")).to_contain_text("Row 3")
    assert_accessible(page, "the figures preview")
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.set_viewport_size({"width": 1280, "height": 800})

    page.get_by_role("button", name="Import the figures").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "1 new, 0 corrected, 0 unchanged, 1 refused and not saved"
    )
    page.get_by_role("link", name="Referrals to the multi-agency CSE meeting").click()
    expect(page.locator("#latest")).to_contain_text("Green: 45 meets the target of at least 40")
    expect(page.locator("main")).to_contain_text("Imported from LSCB figures.csv")
    assert page.console_errors == []
