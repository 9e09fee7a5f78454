"""The co-ordinator uploads a Word file, adjusts a mapping, fixes a date in the preview and imports it."""

import pytest

from tests.import_files import committee_report_docx
from tracker.demo import create_demo_accounts
from tracker.extensions import db

pytestmark = pytest.mark.browser


def test_coordinator_imports_a_committee_report(page, live_server, tmp_path):
    create_demo_accounts()
    db.session.commit()
    report = tmp_path / "SCR recommendations.docx"
    report.write_bytes(committee_report_docx())

    page.goto(f"{live_server}/sign-in")
    page.get_by_label("Email address").fill("coordinator@example.org")
    page.get_by_label("Password", exact=True).fill("demo-admin-password")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.goto(f"{live_server}/plans")
    page.get_by_role("link", name="Import a plan from a CSV, Excel or Word file").click()

    page.get_by_label("Upload a file").set_input_files(str(report))
    page.get_by_role("button", name="Upload and continue").click()
    assert page.locator("h1").inner_text() == "Choose the table and its header row"
    assert page.get_by_label("Which row holds the column names?").input_value() == "0"
    page.get_by_role("button", name="Continue").click()

    assert page.locator("h1").inner_text() == "Say which column is which"
    # "Lead" is suggested as Responsible; this board's leads are accountable.
    lead = page.get_by_label("Column 3: Lead")
    assert lead.input_value() == "responsible"
    lead.select_option("accountable")
    page.get_by_role("button", name="Continue").click()

    assert page.locator("h1").inner_text() == "Check the rows before importing"
    assert "1 row has problems" in page.locator("main").inner_text()
    fix = page.get_by_label("Timescale for row 8")
    assert fix.input_value() == "Summer 2015"
    fix.fill("September 2015")
    page.get_by_role("button", name="Check again").click()
    assert "0 rows have problems" in page.locator("main").inner_text()
    # The wide preview scrolls in its own region, reachable with the keyboard, never the page.
    region = page.get_by_role("region", name="Rows as they will be imported")
    assert region.get_attribute("tabindex") == "0"

    page.get_by_label("Name of the new plan").fill("Serious case review 2015")
    page.get_by_role("button", name="Import", exact=True).click()
    page.wait_for_url("**/plans/*")
    assert page.locator("h1").inner_text() == "Serious case review 2015"
    assert "5 actions added" in page.locator(".govuk-notification-banner").inner_text()
    assert page.get_by_role("heading", name="Protect").is_visible()
    assert page.console_errors == []
