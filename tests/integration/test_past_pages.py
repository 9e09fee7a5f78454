"""The plan page and the action page as they stood at the end of a past day (`?as_at=`), on both databases.

The story is written through the services on the days the clock is pinned to: an action due at the
end of June, reported red in May by its owner, then handed to another agency with a later due date
in June. A past view shows May's ratings, due date and owners, and nothing that came after; no
button to change anything; and a link back to today. Dates that cannot be used are refused with a
page that says why.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from tests import factories
from tracker.extensions import db
from tracker.models import Rag, Role, Status
from tracker.services.action_edit import ActionEdit, edit_action
from tracker.services.progress import ProgressSubmission, record_progress_update

TODAY = "2015-10-01"
IN_MAY = "2015-05-15"


@pytest.fixture
def story(app, pinned_today):
    pinned_today("2015-03-01")
    police, council = factories.make_agency("Police"), factories.make_agency("Council")
    inspector = factories.make_post("Detective Inspector", police)
    manager = factories.make_post("Service Manager", council)
    owner = factories.make_user(role=Role.OWNER, posts=[inspector])
    admin = factories.make_user(role=Role.ADMIN)
    plan = factories.make_plan("Plan seen in the past")
    action = factories.make_action(
        plan,
        text="Train every taxi driver",
        accountable=[inspector],
        due_date=date(2015, 6, 30),
        created_at=datetime(2015, 3, 1, 9),
    )
    db.session.commit()

    pinned_today("2015-05-01")
    record_progress_update(
        action,
        ProgressSubmission(
            delivery_rag=Rag.RED,
            outcome_rag=Rag.AMBER,
            status=Status.IN_PROGRESS,
            commentary="The trainers left in April",
            no_evidence_reason="Nothing to show yet",
        ),
        owner,
        action.version,
    )
    db.session.commit()

    pinned_today("2015-06-20")
    edit_action(
        action,
        ActionEdit(
            text=action.text,
            responsible_post_ids=(),
            accountable_post_ids=(manager.id,),
            partner_agency_ids=(),
            due_date=date(2015, 12, 31),
            is_restricted=False,
            reason="Handed to the council with more time",
        ),
        admin,
        action.version,
    )
    db.session.commit()

    pinned_today("2015-09-01")
    record_progress_update(
        action,
        ProgressSubmission(
            delivery_rag=Rag.GREEN,
            outcome_rag=Rag.GREEN,
            status=Status.IN_PROGRESS,
            commentary="New trainers in post since August",
            no_evidence_reason="Course list to follow",
        ),
        owner,
        action.version,
    )
    db.session.commit()
    pinned_today(TODAY)
    return {"plan": plan, "action": action, "admin": admin}


def _summary(page) -> dict[str, str]:
    return {
        row.select_one("dt").get_text(" ", strip=True): row.select_one("dd").get_text(" ", strip=True)
        for row in page.select(".govuk-summary-list__row")
    }


def test_the_action_page_as_at_a_past_day_shows_the_ratings_due_date_and_owners_of_then(client_as, story):
    client = client_as(Role.ADMIN)
    action = story["action"]
    page = client.get_page("actions.show", action_id=action.id, as_at=IN_MAY)
    summary = _summary(page)
    assert "Red" in summary["Delivery RAG"]
    assert "Amber" in summary["Outcome RAG"]
    assert summary["Due date"] == "30 June 2015"
    assert summary["Accountable"] == "Detective Inspector"
    banner = page.select_one(".app-past-view").get_text(" ", strip=True)
    assert "end of 15 May 2015" in banner
    assert page.select_one(".app-past-view a")["href"].endswith(f"/actions/{action.id}")
    text = page.get_text(" ", strip=True)
    assert "The trainers left in April" in text
    assert "New trainers in post since August" not in text  # written after that day
    assert "Handed to the council" not in text
    # Nothing can be changed in a past view, even by an administrator.
    assert page.select(".govuk-button") == []
    assert not page.select(f'a[href*="/actions/{action.id}/edit"]')
    plan_link = page.select(".govuk-breadcrumbs__link")[-1]["href"]
    assert plan_link.endswith(f"/plans/{story['plan'].id}?as_at={IN_MAY}")

    today = _summary(client.get_page("actions.show", action_id=action.id))
    assert today["Due date"].startswith("31 December 2015")
    assert today["Accountable"] == "Service Manager"
    assert "Green" in today["Delivery RAG"]


def test_the_plan_page_as_at_a_past_day_shows_the_actions_as_they_were(client_as, story):
    client = client_as(Role.BOARD)
    action = story["action"]
    page = client.get_page("plans.show", plan_id=story["plan"].id, as_at=IN_MAY)
    [row] = page.select(".app-actions-table tbody tr")
    cells = [cell.get_text(" ", strip=True) for cell in row.select("td")]
    assert cells[2] == "Detective Inspector"
    assert cells[3].startswith("30 June 2015")
    assert "Red" in cells[4]
    assert row.select_one("a")["href"].endswith(f"/actions/{action.id}?as_at={IN_MAY}")
    assert "end of 15 May 2015" in page.select_one(".app-past-view").get_text(" ", strip=True)
    assert page.select_one('form.app-filters input[name="as_at"]')["value"] == IN_MAY

    [row] = client.get_page("plans.show", plan_id=story["plan"].id).select(".app-actions-table tbody tr")
    cells = [cell.get_text(" ", strip=True) for cell in row.select("td")]
    assert (cells[2], cells[3].startswith("31 December 2015"), "Green" in cells[4]) == ("Service Manager", True, True)


def test_the_plan_page_in_a_past_view_offers_nothing_of_today(client_as, story):
    """No administration links and no download of today's plan on a page about the past."""
    client = client_as(Role.ADMIN)
    today = client.get_page("plans.show", plan_id=story["plan"].id)
    past = client.get_page("plans.show", plan_id=story["plan"].id, as_at=IN_MAY)
    assert today.select(".app-plan-admin-links a") and not past.select(".app-plan-admin-links a")
    exports = [a["href"] for a in today.select("a") if "format=" in a["href"] or "/export" in a["href"]]
    assert exports
    assert not [a for a in past.select("a") if a["href"] in exports]


def test_the_plan_page_leaves_out_actions_added_after_the_day(client_as, story, pinned_today):
    pinned_today("2015-08-01")
    factories.make_action(story["plan"], text="Added in August", created_at=datetime(2015, 8, 1, 9))
    db.session.commit()
    pinned_today(TODAY)
    client = client_as(Role.BOARD)
    past = client.get_page("plans.show", plan_id=story["plan"].id, as_at=IN_MAY).get_text(" ", strip=True)
    assert "Added in August" not in past
    assert "Added in August" in client.get_page("plans.show", plan_id=story["plan"].id).get_text(" ", strip=True)
    client.get_page("actions.show", _expected_status=404, action_id=story["action"].id + 1, as_at=IN_MAY)


@pytest.mark.parametrize(
    ("as_at", "problem"),
    [
        ("yesterday", "year-month-day"),
        ("2015-02-30", "year-month-day"),
        ("2015-13-01", "year-month-day"),
        ("2016-01-01", "today or in the past"),
        ("1999-12-31", "2000 or later"),
        ("9" * 40, "year-month-day"),
        ("2015-05-15\x00", "year-month-day"),
    ],
)
def test_an_as_at_date_that_cannot_be_used_is_refused_with_the_reason(client_as, story, as_at, problem):
    client = client_as(Role.BOARD)
    for endpoint, values in (
        ("plans.show", {"plan_id": story["plan"].id}),
        ("actions.show", {"action_id": story["action"].id}),
    ):
        page = client.get_page(endpoint, _expected_status=400, as_at=as_at, **values)
        assert problem in page.select_one(".govuk-error-summary").get_text(" ", strip=True)
        assert page.select_one("main a.govuk-link, .govuk-grid-column-two-thirds a.govuk-link")["href"].endswith(
            str(next(iter(values.values())))
        )


def test_today_or_no_date_is_todays_view(client_as, story):
    client = client_as(Role.BOARD)
    for as_at in (TODAY, "", " "):
        page = client.get_page("plans.show", plan_id=story["plan"].id, as_at=as_at)
        assert page.select_one(".app-past-view") is None


def test_the_dashboards_past_list_links_to_the_action_as_at_that_day(client_as, story):
    client = client_as(Role.BOARD)
    page = client.get_page("dashboard.actions", plan=story["plan"].id, as_at=IN_MAY)
    link = page.select_one(f'a[href*="/actions/{story["action"].id}"]')["href"]
    assert link.endswith(f"?as_at={IN_MAY}")
    page = client.get_page("dashboard.actions", plan=story["plan"].id)
    assert page.select_one(f'a[href*="/actions/{story["action"].id}"]')["href"].endswith(
        f"/actions/{story['action'].id}"
    )
