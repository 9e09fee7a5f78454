"""Owners changed by an administrator, through the edit service and through the edit page, seen in past views.

Before the change a past view shows the owners as they were, each in its own kind (accountable or
responsible); after it, the new ones. Nothing here writes history itself.
"""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from bs4 import BeautifulSoup

from tests import factories
from tests.integration.test_action_edit import form_data, open_edit
from tracker.extensions import db
from tracker.models import Post, Role
from tracker.queries.actions import ActionFilters, list_actions
from tracker.services.action_edit import ActionEdit, edit_action

BEFORE, AFTER, TODAY = "2015-05-15", "2015-07-01", "2015-10-01"


@pytest.fixture
def story(app, pinned_today):
    """An action overdue since May, accountable Police and responsible Council until June, then the other way round."""
    pinned_today("2015-03-01")
    police, council = factories.make_agency("Police"), factories.make_agency("Council")
    inspector = factories.make_post("Detective Inspector", police)
    manager = factories.make_post("Service Manager", council)
    plan = factories.make_plan("Plan with a handover")
    action = factories.make_action(
        plan, accountable=[inspector], responsible=[manager], due_date=date(2015, 4, 30), created_at=_morning("03-01")
    )
    admin = factories.make_user(role=Role.ADMIN)
    db.session.commit()
    return {"action": action, "police": police, "council": council, "inspector": inspector, "manager": manager,
            "admin": admin, "plan": plan}  # fmt: skip


def _morning(month_day: str) -> datetime:
    return datetime.fromisoformat(f"2015-{month_day}T09:00:00")


def _hand_over_by_service(story, client) -> None:
    action, inspector, manager = story["action"], story["inspector"], story["manager"]
    edit = ActionEdit(
        text=action.text,
        responsible_post_ids=(inspector.id,),
        accountable_post_ids=(manager.id,),
        partner_agency_ids=(),
        due_date=action.due_date,
        is_restricted=False,
        reason="Handed over to the council",
    )
    edit_action(action, edit, story["admin"], action.version)
    db.session.commit()


def _hand_over_by_form(story, client) -> None:
    action = story["action"]
    _, hidden = open_edit(client, action.id)
    data = form_data(
        hidden,
        action,
        responsible=[story["inspector"].id],
        accountable=[story["manager"].id],
        reason="Handed over to the council",
    )
    assert client.post_form(f"/actions/{action.id}/edit", data).status_code == 302


@pytest.fixture(params=["service", "form"])
def handed_over(request, story, admin_client, pinned_today):
    """The story, with the owners changed on 1 June 2015 through the service or the edit page."""
    pinned_today("2015-06-01")
    change = _hand_over_by_service if request.param == "service" else _hand_over_by_form
    change(story, admin_client)
    db.session.expire_all()
    pinned_today(TODAY)
    return story


def _row(story, as_at: str | None):
    viewer = story["admin"]
    day = date.fromisoformat(as_at) if as_at else None
    [row] = list_actions(ActionFilters(action_ids=(story["action"].id,), as_at=day), viewer, date.fromisoformat(TODAY))
    return row


def test_past_views_keep_who_was_accountable_and_who_responsible(handed_over):
    before, after, now = _row(handed_over, BEFORE), _row(handed_over, AFTER), _row(handed_over, None)
    assert (before.accountable, before.responsible) == (["Detective Inspector"], ["Service Manager"])
    assert before.accountable_agencies == ["Police"]
    assert (after.accountable, after.responsible) == (["Service Manager"], ["Detective Inspector"])
    assert after.accountable_agencies == ["Council"]
    assert (now.accountable, now.responsible) == (after.accountable, after.responsible)


def test_the_accountable_agency_filter_follows_the_owners_of_the_day(handed_over):
    viewer, plan, today = handed_over["admin"], handed_over["plan"], date.fromisoformat(TODAY)

    def accountable(agency: str, as_at: str) -> list[int]:
        filters = ActionFilters(
            plan_id=plan.id, accountable_agency_id=handed_over[agency].id, as_at=date.fromisoformat(as_at)
        )
        return [row.id for row in list_actions(filters, viewer, today)]

    action_id = handed_over["action"].id
    assert (accountable("police", BEFORE), accountable("council", BEFORE)) == ([action_id], [])
    assert (accountable("police", AFTER), accountable("council", AFTER)) == ([], [action_id])


def _agency_rows(page: BeautifulSoup) -> dict[str, int]:
    """The dashboard's "agencies behind" table: agency name -> red or overdue actions."""
    table = page.select_one("#agencies-heading").find_parent(class_="app-chart").select_one("table")
    rows = {}
    for row in table.select("tr.app-agency-row"):
        figure = row.select_one("td").get_text(" ", strip=True)
        rows[row.select_one("th").text.strip()] = int(re.match(r"\d+", figure).group(0))
    return rows


def _figures(page: BeautifulSoup, label: str) -> dict[str, int]:
    return {
        f.select_one(".app-figure__label").text.strip(): int(f.select_one(".app-figure__number").text.replace(",", ""))
        for f in page.select(f"ul[aria-label='{label}'] .app-figure")
    }


def _listed(client, href: str) -> list[str]:
    response = client.get(href)
    assert response.status_code == 200, href
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    return [row.get_text(" ", strip=True) for row in page.select("main table tbody tr")]


@pytest.mark.parametrize(
    ("as_at", "accountable_agency", "other_agency", "accountable_post", "responsible_post"),
    [
        (BEFORE, "police", "council", "inspector", "manager"),
        (AFTER, "council", "police", "manager", "inspector"),
    ],
)
def test_the_past_dashboard_counts_the_owners_of_the_day(
    board_client, handed_over, as_at, accountable_agency, other_agency, accountable_post, responsible_post
):
    page = board_client.get_page("dashboard.show", as_at=as_at)
    agencies = _agency_rows(page)
    assert agencies == {handed_over[accountable_agency].name: 1}  # no "No accountable post named"
    exceptions = _figures(page, "Exceptions")
    assert exceptions.get("With no owner", 0) == 0

    plan = handed_over["plan"].id
    agency = handed_over[accountable_agency]
    rows = _listed(board_client, f"/dashboard/actions?plan={plan}&as_at={as_at}&accountable_agency={agency.id}")
    assert len(rows) == 1
    assert handed_over[accountable_post].name in rows[0] and handed_over[responsible_post].name in rows[0]
    other = handed_over[other_agency]
    assert _listed(board_client, f"/dashboard/actions?plan={plan}&as_at={as_at}&accountable_agency={other.id}") == []
    # Involved (owning in either kind) both days: the agency filter of the dashboard itself.
    for name in ("police", "council"):
        involved = _listed(board_client, f"/dashboard/actions?plan={plan}&as_at={as_at}&agency={handed_over[name].id}")
        assert len(involved) == 1
    no_owner = _listed(board_client, f"/dashboard/actions?plan={plan}&as_at={as_at}&no_owner=1")
    assert no_owner == []


def test_the_timeline_shows_the_owners_before_and_after(admin_client, handed_over):
    page = admin_client.get_page("actions.show", action_id=handed_over["action"].id)
    timeline = page.select_one(".app-timeline").text
    assert "Owners changed" in timeline
    assert "Accountable: Detective Inspector\nResponsible: Service Manager" in timeline
    assert "Accountable: Service Manager\nResponsible: Detective Inspector" in timeline
    assert "Handed over to the council" in timeline


def test_a_post_renamed_since_is_still_found_in_past_views(handed_over):
    inspector = db.session.get(Post, handed_over["inspector"].id)
    inspector.name = "Detective Chief Inspector"
    db.session.commit()
    assert _row(handed_over, BEFORE).accountable == ["Detective Chief Inspector"]
