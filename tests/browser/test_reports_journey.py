"""A scrutiny councillor prepares for committee: downloads the PDF and the workbook of the plan, then
opens the report frozen for the meeting and checks a file against its SHA-256."""

import hashlib
import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.browser.accessibility import assert_accessible
from tests.browser.test_plan_journey import _sign_in
from tracker.demo import DEMO_PLAN_NAME, create_demo_accounts
from tracker.extensions import db
from tracker.models import Role, User
from tracker.reports.dataset import ReportChoice
from tracker.services.frozen_reports import Meeting, freeze_report

pytestmark = pytest.mark.browser
DOWNLOAD_WAIT_MS = 180_000


def test_a_councillor_downloads_the_pdf_and_workbook_and_opens_a_frozen_report(
    page, live_server, coventry, monkeypatch
):
    monkeypatch.setenv("TRACKER_TODAY", "2015-10-01")
    create_demo_accounts()
    admin = db.session.scalar(select(User).where(User.role == Role.ADMIN))
    frozen = freeze_report(
        ReportChoice(plan_id=coventry.id, as_at=date(2015, 9, 30), public=True),
        Meeting("Scrutiny committee", date(2015, 10, 14)),
        admin,
        date(2015, 10, 1),
        datetime(2015, 10, 1, 9),
    )
    db.session.commit()
    frozen_id, frozen_pdf_sha = frozen.id, frozen.pdf_sha256

    _sign_in(page, live_server, "scrutiny@example.org", "demo-scrutiny-password")
    page.get_by_role("link", name="Reports").click()
    assert page.locator("h1").inner_text() == "Reports"
    assert_accessible(page, "reports")
    # A date that does not exist is refused on the page, not in a download.
    page.goto(f"{live_server}/reports?plan={coventry.id}&as_at=2015-02-31&format=pdf")
    assert page.title().startswith("Error: ")
    assert_accessible(page, "reports, with an error")
    page.goto(f"{live_server}/reports")
    page.get_by_label("Plan").select_option(label=DEMO_PLAN_NAME)
    page.get_by_label("As at (leave blank for today)").fill("2015-09-30")

    # Printing a PDF takes seconds, more on a busy machine: wait for the file, not for the click.
    with page.expect_download(timeout=DOWNLOAD_WAIT_MS) as pdf_download:
        page.get_by_role("button", name="Download PDF").click(no_wait_after=True)
    assert pdf_download.value.suggested_filename == "coventry-cse-strategy-action-plan-2015-17-as-at-2015-09-30.pdf"
    with open(pdf_download.value.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"

    with page.expect_download(timeout=DOWNLOAD_WAIT_MS) as xlsx_download:
        page.get_by_role("button", name="Download Excel workbook").click(no_wait_after=True)
    with open(xlsx_download.value.path(), "rb") as handle:
        book = load_workbook(io.BytesIO(handle.read()))
    assert book.sheetnames == ["Summary", "Actions", "Changes", "Exceptions", "Measures"]
    assert book["Actions"].max_row == 54  # the header and 53 actions (none of Coventry's is restricted)

    # The choices are in the address: the link to share opens the same report.
    page.goto(f"{live_server}/reports?plan={coventry.id}&as_at=2015-09-30")
    shared = page.locator("a", has_text=f"{live_server}/reports?")
    assert "as_at=2015-09-30" in shared.inner_text()
    assert_accessible(page, "reports, with its choices in the address")

    page.get_by_role("link", name="Scrutiny committee, 14 October 2015").click()
    assert page.url.endswith(f"/reports/frozen/{frozen_id}")
    assert page.locator("h1").inner_text() == "Scrutiny committee, 14 October 2015"
    assert frozen_pdf_sha in page.locator("table").first.inner_text()
    assert_accessible(page, "the frozen report")
    with page.expect_download() as frozen_download:
        page.get_by_role("link", name="Download the PDF").click()
    with open(frozen_download.value.path(), "rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == frozen_pdf_sha

    # Nothing to edit, and no sideways scrolling on a phone.
    assert page.get_by_role("button", name="Freeze the report").count() == 0
    page.set_viewport_size({"width": 320, "height": 640})
    for url in ("/reports", f"/reports/frozen/{frozen_id}", "/reports/frozen"):
        page.goto(live_server + url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, url
        assert_accessible(page, f"{url} at 320px")
    assert page.console_errors == []
