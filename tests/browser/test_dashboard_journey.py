"""A board member reads the dashboard before a meeting: charts drawn under the strict policy, a chart
segment opens the actions behind it; and without JavaScript the same figures are there as tables."""

import pytest

from tests.browser.accessibility import assert_accessible
from tests.browser.test_plan_journey import _sign_in
from tracker.demo import create_demo_accounts
from tracker.extensions import db

pytestmark = pytest.mark.browser

CHARTS = ("strands", "agencies", "trend", "slippage", "outcomes")


def test_charts_draw_under_the_content_security_policy_and_open_their_lists(
    page, live_server, coventry, monkeypatch, tmp_path
):
    monkeypatch.setenv("TRACKER_TODAY", "2015-10-01")
    create_demo_accounts()
    db.session.commit()
    failed = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
    _sign_in(page, live_server, "board@example.org", "demo-board-password")
    page.wait_for_url(f"{live_server}/plans")

    page.get_by_role("link", name="Dashboard").click()
    page.wait_for_selector("body[data-charts-drawn='true']", state="attached", timeout=30000)
    assert page.locator("h1").inner_text() == "Dashboard"
    for name in CHARTS:
        chart = page.locator(f"#{name}-chart")
        assert chart.is_visible()
        assert chart.get_attribute("data-drawn") == "true"
        assert chart.locator("svg.main-svg").count() >= 1
        assert page.locator(f"#{name}-chart ~ details[data-chart-table]").get_attribute("open") is None
    # plotly's own rules came from the stylesheet the tracker serves, not from an inline <style>.
    assert page.evaluate("getComputedStyle(document.querySelector('.main-svg')).position") == "absolute"
    assert page.evaluate("document.querySelectorAll('style').length") == 0
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
    assert_accessible(page, "dashboard")
    assert page.console_errors == []
    assert failed == []

    # The red part of the Prevent bar: 1.3, 4.1 and 4.2 as the plan was written.
    red_prevent = page.locator("#strands-chart g.trace.bars").first.locator("g.point path").first
    red_prevent.scroll_into_view_if_needed()
    box = red_prevent.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x - 2, y)  # plotly knows which segment is clicked from the hover
    page.mouse.move(x, y)
    page.wait_for_selector("#strands-chart .hoverlayer .hovertext", state="attached")
    with page.expect_navigation():
        page.mouse.click(x, y)
    assert "/dashboard/actions?" in page.url and "rag=red" in page.url
    assert page.locator("h1").inner_text() == "Delivery RAG: Red"
    assert page.get_by_role("status").inner_text().startswith("3 actions")
    assert_accessible(page, "the actions behind the figure")
    assert page.console_errors == []


def test_without_javascript_the_tables_carry_the_figures(browser, live_server, coventry, monkeypatch):
    monkeypatch.setenv("TRACKER_TODAY", "2015-10-01")
    create_demo_accounts()
    db.session.commit()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server}/sign-in")
        page.get_by_label("Email address").fill("board@example.org")
        page.get_by_label("Password", exact=True).fill("demo-board-password")
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()
        page.goto(f"{live_server}/dashboard?as_at=2015-06-30")
        assert "as it stood at the end of 30 June 2015" in page.locator(".govuk-notification-banner").inner_text()
        for name in CHARTS:
            assert not page.locator(f"#{name}-chart").is_visible()
            table = page.locator(f"#{name}-chart ~ details[data-chart-table] table")
            assert table.is_visible()
        strands = page.locator("#strands-chart ~ details table")
        assert strands.locator("thead").inner_text().split("\t")[:3] == ["Strand", "Red", "Amber"]
        strands.get_by_role("link", name="3 Red, Prevent").click()
        assert "as_at=2015-06-30" in page.url
        assert page.get_by_role("status").inner_text().startswith("3 actions")
    finally:
        context.close()
