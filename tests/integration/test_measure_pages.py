"""Measure pages for every role: who sees what, who may change what, and the measures in
"My actions", the dashboard and the reminder digests."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from tests import factories
from tests.measures_support import enter, make_measure
from tracker.extensions import db
from tracker.models import Measure, MeasureHistory, Rag, Role


@pytest.fixture
def setting(app, pinned_today):
    """A plan with an action and two measures (one restricted); a post that supplies the first."""
    pinned_today("2015-11-15")
    plan = factories.make_plan(name="CSE plan", strands=("Prevent", "Protect"))
    post = factories.make_post("Head of IYSS")
    action = factories.make_action(plan, reference="12.3", delivery_rag=Rag.AMBER, text="Commission interviews")
    open_measure = make_measure(plan, post=post, actions=("12.3",))
    hidden = make_measure(plan, name="Disruption orders", is_restricted=True)
    enter(open_measure, "2015-04-01", 44)
    enter(open_measure, "2015-07-01", 36)  # Amber against 40 with a tolerance of 5
    db.session.commit()
    return plan, post, action, open_measure, hidden


ROLES = (Role.ADMIN, Role.OWNER, Role.BOARD, Role.SCRUTINY)


@pytest.mark.parametrize("role", ROLES)
def test_everyone_signed_in_sees_the_list_and_the_page(setting, client_as, role):
    plan, _post, _action, measure, hidden = setting
    client = client_as(role)
    page = client.get_page("measures.index")
    names = [a.text for a in page.select("table a.govuk-link")]
    assert "Return home interviews within 72 hours" in names
    assert ("Disruption orders" in names) is (role is not Role.SCRUTINY)
    assert (page.find("a", string=f"Add a measure to {plan.name}") is not None) is (role is Role.ADMIN)

    page = client.get_page("measures.show", measure_id=measure.id)
    assert page.select_one("h1").text == "Return home interviews within 72 hours"
    latest = page.select_one("#latest").text
    assert (
        "Q2 2015/16" in latest and "Amber: 36 is below the target of at least 40, within the tolerance of 5" in latest
    )
    assert page.select_one("script[data-chart='measure-chart']") is not None
    rows = {row["data-period"]: row.text for row in page.select("tr[data-period]")}
    assert "36" in rows["2015-07-01"] and "44" in rows["2015-04-01"]
    linked = page.select_one("#actions").find_next("table").text
    assert "Action 12.3" in linked and "Amber" in linked
    client.get_page("measures.show", 404 if role is Role.SCRUTINY else 200, measure_id=hidden.id)


@pytest.mark.parametrize("role", (Role.OWNER, Role.BOARD, Role.SCRUTINY))
def test_only_administrators_define_measures_and_targets(setting, client_as, role):
    plan, _post, _action, measure, _hidden = setting
    client = client_as(role)
    client.get_page("measures.new", 403, plan_id=plan.id)
    client.get_page("measures.edit", 403, measure_id=measure.id)
    client.get_page("measures.targets", 403, measure_id=measure.id)
    assert client.post_form(f"/measures/{measure.id}/targets", {"first_period": "2015-04-01"}).status_code == 403


def test_figures_are_entered_by_the_posts_holders_and_administrators(setting, client_as):
    _plan, post, _action, measure, _hidden = setting
    client_as(Role.ADMIN).get_page("measures.enter_figure", measure_id=measure.id)
    holder = client_as(Role.OWNER, posts=[post])
    page = holder.get_page("measures.show", measure_id=measure.id)
    assert page.find("a", string="Enter a figure") is not None
    holder.get_page("measures.enter_figure", measure_id=measure.id)
    holder.get_page("measures.correct", measure_id=measure.id, period_key="2015-07-01")
    other_owner = client_as(Role.OWNER, posts=[factories.make_post()])
    other_owner.get_page("measures.enter_figure", 403, measure_id=measure.id)
    assert other_owner.get_page("measures.show", measure_id=measure.id).find("a", string="Enter a figure") is None
    board_holding_the_post = client_as(Role.BOARD, posts=[post])
    board_holding_the_post.get_page("measures.enter_figure", 403, measure_id=measure.id)
    client_as(Role.SCRUTINY).get_page("measures.correct", 403, measure_id=measure.id, period_key="2015-07-01")
    holder.get_page("measures.correct", 404, measure_id=measure.id, period_key="2015-10-01")  # no figure yet


def _definition(**fields) -> dict:
    data = {
        "name": "Staff trained in CSE awareness",
        "definition": "Staff completing the course",
        "unit": "people",
        "direction": "higher",
        "frequency": "quarterly",
        "first_period": ["1", "4", "2015"],
        "strand": "",
        "post": "",
        "agency": "",
        "action_references": "",
    }
    data.update(fields)
    return data


def test_an_administrator_defines_a_measure_then_sets_its_targets(setting, admin_client):
    plan, post, action, _measure, _hidden = setting
    strand = plan.strands[1]
    response = admin_client.post_form(
        f"/plans/{plan.id}/measures/new",
        _definition(
            strand=str(strand.id), post=str(post.id), action_references="12.3", objectives=str(strand.objectives[0].id)
        ),
    )
    assert response.status_code == 302, BeautifulSoup(response.get_data(as_text=True), "html.parser").select(
        ".govuk-error-summary li"
    )
    measure = db.session.scalars(select(Measure).where(Measure.name == "Staff trained in CSE awareness")).one()
    assert response.location == f"/measures/{measure.id}/targets"
    assert (measure.strand_id, measure.post_id, [a.id for a in measure.actions]) == (strand.id, post.id, [action.id])
    assert [o.id for o in measure.objectives] == [strand.objectives[0].id]

    response = admin_client.post_form(
        f"/measures/{measure.id}/edit", _definition(name="Staff trained", strand=str(strand.id), post=str(post.id))
    )
    assert response.status_code == 302
    fields = set(db.session.scalars(select(MeasureHistory.field).where(MeasureHistory.measure_id == measure.id)))
    assert {"created", "name", "links"} <= fields


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "Enter the name of the measure"),
        (
            {"name": "Return home interviews within 72 hours"},
            "This plan already has a measure called Return home interviews within 72 hours: choose another name",
        ),
        (
            {"action_references": "1.1, 99.9"},
            "There is no action 1.1 in this plan: enter references as the plan shows them, like 1.1",
        ),
        ({"first_period": ["1", "4", ""]}, "The date figures start from must include a year"),
        ({"last_period": ["1", "1", "2015"]}, "The last period must be on or after the first period"),
        ({"unit": "furlongs"}, "Not a valid choice."),
        ({"post": "999999"}, "Choose the post that supplies the figures from the list"),
    ],
)
def test_bad_definitions_are_refused_with_a_clear_message(setting, admin_client, fields, message):
    plan = setting[0]
    before = db.session.scalar(select(db.func.count()).select_from(Measure))
    response = admin_client.post_form(f"/plans/{plan.id}/measures/new", _definition(**fields))
    assert response.status_code == 200
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert message in [li.text.strip() for li in page.select(".govuk-error-summary li")]
    assert db.session.scalar(select(db.func.count()).select_from(Measure)) == before


def test_my_actions_lists_the_figures_owed(setting, client_as):
    _plan, post, _action, _measure, _hidden = setting
    # Today is 15 November 2015: Q2 2015/16 has a figure; nothing has ended since. Q3 ends 31 December.
    holder = client_as(Role.OWNER, posts=[post])
    assert holder.get_page("actions.my_actions").select_one("#figures-due") is None


def test_late_figures_show_in_my_actions(setting, client_as, pinned_today):
    pinned_today("2016-02-10")  # Q3 2015/16 ended 31 December, due by 30 January: late
    _plan, post, _action, measure, _hidden = setting
    page = client_as(Role.OWNER, posts=[post]).get_page("actions.my_actions")
    row = page.select_one(f"#figures-due ~ ul li[data-measure-id='{measure.id}']")
    assert "No figure for Q3 2015/16" in row.text
    assert "Late" in row.text
    enter_link = row.select("a")[-1]
    assert enter_link.text.startswith("Enter figure")
    assert enter_link["href"] == (f"/measures/{measure.id}/figures?period=2015-10-01")


def test_the_dashboard_has_a_measures_section(setting, client_as, pinned_today):
    pinned_today("2016-02-10")
    _plan, _post, _action, measure, _hidden = setting
    page = client_as(Role.BOARD).get_page("dashboard.show")
    section = page.select_one("#measures")
    figures = [li.text.split() for li in section.find_next("ul", class_="app-figures").select("li")]
    assert figures[:2] == [["0", "Red"], ["1", "Amber"]]  # the restricted one has no figure: Not rated
    amber = section.find_next("ul", class_="app-figures").select("li a")[0]
    assert amber["href"] == "/measures?rag=amber"
    listed = client_as(Role.BOARD).get_page("measures.index", rag="amber")
    assert listed.select_one("h1").text == "Measures: Amber"
    assert [a.text for a in listed.select("table a.govuk-link")] == ["Return home interviews within 72 hours"]
    off = page.select_one(".app-measures-off-target")
    assert off.select_one("a")["href"] == f"/measures/{measure.id}"
    missing = page.select_one(".app-measures-missing").text
    assert "Return home interviews within 72 hours: No figure for Q3 2015/16" in missing
    assert "Disruption orders" in missing
    scrutiny = client_as(Role.SCRUTINY).get_page("dashboard.show")
    assert "Disruption orders" not in scrutiny.select_one(".app-measures-missing").text


def test_the_dashboards_past_view_uses_the_figures_known_then(setting, client_as):
    client = client_as(Role.BOARD)

    def counts(url: str) -> tuple[str, dict[str, str]]:
        page = BeautifulSoup(client.get(url).get_data(as_text=True), "html.parser")
        section = page.select_one("#measures")
        figures = section.find_next("ul", class_="app-figures").select("li")
        return section.find_next("p").text, {li.text.split()[1]: li.text.split()[0] for li in figures}

    # Q1's 44 (Green) was entered on 14 July; Q2's 36 (Amber) on 14 October.
    words, past = counts("/dashboard?as_at=2015-07-31")
    assert "as the figures and targets were known at the end of 31 July 2015" in words
    assert (past["Green"], past["Amber"]) == ("1", "0")
    _words, now = counts("/dashboard")
    assert (now["Green"], now["Amber"]) == ("0", "1")


def test_measure_pages_take_the_same_number_of_queries_however_many_figures(setting, client_as, pinned_today):
    from sqlalchemy import event

    pinned_today("2017-05-15")
    _plan, post, _action, measure, _hidden = setting
    client = client_as(Role.OWNER, posts=[post])

    def count(endpoint: str, **values) -> int:
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            client.get_page(endpoint, **values)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    pages = [("measures.show", {"measure_id": measure.id}), ("measures.index", {}), ("actions.my_actions", {})]
    few = [count(endpoint, **values) for endpoint, values in pages]
    for start in ("2015-10-01", "2016-01-01", "2016-04-01", "2016-07-01", "2016-10-01"):
        enter(measure, start, 50)
    db.session.commit()
    assert [count(endpoint, **values) for endpoint, values in pages] == few
