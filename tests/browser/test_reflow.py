"""WCAG 1.4.10 reflow: at 320 CSS pixels wide no page the tracker serves scrolls sideways, for any role.

The pages are those of the access table (tests/integration/test_access_table.py) that each role may
open, in the world that table builds (an update with a file, a due-date request, measures, frozen
reports, an import waiting at its preview), with long unbroken text (a web address, a long word) in
an action, its update and its evidence, as people paste them. A wide table may scroll inside its own
labelled region; the page itself must not.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests import factories
from tests.integration.test_access_table import OUT, TABLE, VISITORS, world  # noqa: F401 (world: a fixture)
from tracker.extensions import db
from tracker.models import Action, Evidence, ProgressUpdate

pytestmark = pytest.mark.browser

WIDTH = 320
LONG_ADDRESS = "https://intranet.example.org/safeguarding/cse/" + "problem-profile-" * 12 + "final.pdf"
LONG_WORD = "Multi-agency-sexual-exploitation-and-missing-children-panel-referral-pathway-" * 3
# Files, scripts, styles and downloads are not pages.
NOT_PAGES = ("static", "system.", "dashboard.plotly", "imports.export_plan", "actions.download_evidence")
NOT_PAGES_EXACT = {"reports.frozen_download"}


def pages_for(visitor) -> list[str]:
    return [
        row.url
        for row in TABLE
        if row.method == "GET"
        and row.expected[visitor] == 200
        and not row.endpoint.startswith(NOT_PAGES)
        and row.endpoint not in NOT_PAGES_EXACT
    ]


def _lengthen_text(ids: dict) -> None:
    """Long unbroken text where people type it: the action, its latest update and its evidence."""
    action = db.session.get(Action, ids["mine"])
    action.text = f"Publish the problem profile at {LONG_ADDRESS} ({LONG_WORD})"
    action.expected_evidence = LONG_ADDRESS
    update = db.session.scalar(select(ProgressUpdate).where(ProgressUpdate.action_id == action.id))
    update.commentary = f"See {LONG_ADDRESS} and {LONG_WORD}"
    evidence = db.session.get(Evidence, ids["evidence"])
    evidence.title = LONG_WORD
    db.session.commit()


def overflowing(page) -> int:
    """How many pixels the page scrolls sideways (0 when it does not)."""
    return page.evaluate(
        "() => { const e = document.scrollingElement; return Math.max(0, e.scrollWidth - e.clientWidth); }"
    )


def sign_in(page, live_server, email: str) -> None:
    page.goto(f"{live_server}/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert "/sign-in" not in page.url, f"{email} could not sign in"


@pytest.mark.parametrize("visitor", VISITORS, ids=lambda v: getattr(v, "value", v))
def test_no_page_scrolls_sideways_at_320_pixels(browser, live_server, world, visitor):  # noqa: F811
    clients, ids, _ = world
    _lengthen_text(ids)
    context = browser.new_context(viewport={"width": WIDTH, "height": 640})
    page = context.new_page()
    try:
        if visitor != OUT:
            sign_in(page, live_server, clients[visitor].user.email)
        wide = {}
        for url in pages_for(visitor) + (["/sign-in", "/forgot-password"] if visitor == OUT else []):
            address = url.format(**ids)
            response = page.goto(f"{live_server}{address}")
            assert response is not None and response.status == 200, address
            if (extra := overflowing(page)) > 0:
                wide[address] = extra
        assert wide == {}, f"pages scrolling sideways at {WIDTH}px (by how many pixels): {wide}"
    finally:
        context.close()
