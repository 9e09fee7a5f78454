"""An action owner signs in, finds their actions, records an update with evidence and sees it in the history."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.accessibility import assert_accessible
from tests.evidence_files import PDF
from tracker.demo import create_demo_accounts
from tracker.extensions import db

pytestmark = pytest.mark.browser


def test_owner_records_progress_with_evidence(page, live_server, coventry, monkeypatch, tmp_path):
    monkeypatch.setenv("TRACKER_TODAY", "2015-07-01")
    create_demo_accounts()
    db.session.commit()
    evidence_file = tmp_path / "Screening tool – returns June 2015.pdf"
    evidence_file.write_bytes(PDF)

    page.goto(f"{live_server}/")
    assert_accessible(page, "sign in")
    page.get_by_label("Email address").fill("owner@example.org")
    page.get_by_label("Password", exact=True).fill("demo-owner-password")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()

    # Signed in, the owner lands on their actions, grouped by when they are due.
    page.wait_for_url(f"{live_server}/my-actions")
    assert page.locator("h1").inner_text() == "My actions"
    assert page.get_by_role("heading", name="Overdue").is_visible()
    assert "need an update" in page.locator("#needing-update").inner_text()
    page.screenshot(path=str(tmp_path / "my-actions.png"), full_page=True)
    assert_accessible(page, "my actions")

    page.get_by_role("link", name="Action 1.1", exact=True).click()
    expect(page.locator("h1")).to_have_text("Action 1.1")
    assert_accessible(page, "the action")
    page.get_by_role("button", name="Record progress").click()
    expect(page.locator("h1")).to_have_text("Record progress")
    assert_accessible(page, "record progress")
    assert "This action is overdue" in page.locator(".govuk-warning-text").inner_text()

    # A first try without commentary: the error summary takes them to the field.
    page.get_by_label("Red", exact=True).first.check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save update").click()
    assert page.title().startswith("Error: Record progress")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    assert_accessible(page, "record progress, with an error")
    summary.get_by_role("link", name="Enter a progress commentary explaining why delivery is Red").click()
    expect(page.locator("#commentary")).to_be_focused()

    page.get_by_label("Progress commentary").fill(
        "Problem profile refreshed with May police data; health returns still missing."
    )
    page.get_by_label("Link to evidence (optional)").fill("https://intranet.example.org/cse/problem-profile")
    page.get_by_label("Title of the link").fill("Problem profile, June 2015")
    page.get_by_label("Upload a file (optional)").set_input_files(str(evidence_file))
    page.screenshot(path=str(tmp_path / "update-form.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Save update").click()
    page.wait_for_url(f"{live_server}/actions/**")
    expect(page.get_by_text("Your progress update has been saved.")).to_be_visible()
    assert_accessible(page, "the action, with the update saved")
    update = page.locator(".app-update").first
    assert "Problem profile refreshed with May police data" in update.inner_text()
    assert "Sam Patel" in update.inner_text()
    evidence = page.locator("table").filter(has_text="Problem profile, June 2015")
    assert "Self-reported" in evidence.inner_text()
    assert "Screening tool – returns June 2015.pdf" in evidence.inner_text()

    timeline = page.locator(".app-timeline")
    assert "Delivery RAG changed" in timeline.inner_text()
    assert "From Amber to Red" in timeline.inner_text()
    assert "Evidence added" in timeline.inner_text()
    assert "Progress update recorded" in timeline.inner_text()
    page.screenshot(path=str(tmp_path / "action-after-update.png"), full_page=True)

    # The file downloads as an attachment with its own name.
    with page.expect_download() as download_info:
        page.locator("a[href$='/download']").click()
    download = download_info.value
    assert download.suggested_filename == "Screening tool – returns June 2015.pdf"
    assert Path(download.path()).read_bytes() == PDF

    assert page.console_errors == []
