"""The board dashboard: its figures, the lists behind them, past views and who sees what."""

import re
from datetime import date, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import delete, select

from tests import factories
from tests.conftest import checked_page
from tracker.extensions import db
from tracker.models import RAG_ORDER, Action, Post, ProgressUpdate, Rag, ReportingDate, Role, Status
from tracker.services.deadlines import set_due_date
from tracker.services.history import apply_changes

TODAY = "2015-10-01"


def _action(reference: str) -> Action:
    return db.session.scalars(select(Action).where(Action.reference == reference)).one()


def _update(action: Action, day: str, commentary: str) -> None:
    moment = datetime.fromisoformat(f"{day}T10:00:00")
    db.session.add(
        ProgressUpdate(
            action_id=action.id,
            author_name="Sam Patel",
            created_at=moment,
            commentary=commentary,
            delivery_rag=action.delivery_rag,
            outcome_rag=action.outcome_rag,
            status=action.status,
        )
    )
    action.last_progress_at = moment


@pytest.fixture
def board_story(coventry, pinned_today):
    """The Coventry plan through the summer of 2015: a meeting, updates, a completion, moved deadlines."""
    # The story has its own meetings: the demo plan's illustrative ones would be "the last meeting".
    db.session.execute(delete(ReportingDate))
    pinned_today("2015-08-15")
    for meeting, due in (("2015-07-20", "2015-07-10"), ("2015-10-20", "2015-10-10")):
        db.session.add(
            ReportingDate(
                plan_id=coventry.id,
                meeting_name="LSCB board",
                meeting_date=date.fromisoformat(meeting),
                updates_due_date=date.fromisoformat(due),
            )
        )
    _update(_action("1.3"), "2015-08-14", "Agreement drafted; police sign-off awaited. <b>not bold</b>")
    apply_changes(_action("2.1"), {"status": Status.COMPLETE, "delivery_rag": Rag.BLUE}, None, "Done")
    apply_changes(_action("13.1"), {"outcome_rag": Rag.RED}, None, "No difference yet")
    apply_changes(_action("2.3"), {"delivery_rag": Rag.RED}, None, "Off track")
    set_due_date(_action("5.1"), date(2015, 12, 31), None, "Regional plan delayed")
    set_due_date(_action("5.1"), date(2016, 3, 31), None, "Delayed again")
    set_due_date(_action("1.1"), date(2015, 11, 30), None, "New data source")
    db.session.commit()
    pinned_today(TODAY)
    return coventry


def _number(link) -> int:
    figure = link.select_one(".app-figure__number")
    text = figure.get_text() if figure else (link.find(string=True, recursive=False) or link.get_text())
    digits = re.sub(r"[^\d]", "", text)
    return int(digits)


def _status_total(client, href: str) -> int:
    page = checked_page(client.get(href))  # a link the page gave, followed as it is
    return int(re.match(r"[\d,]+", page.select_one("[role=status]").text.strip()).group(0).replace(",", ""))


def _figure_links(page: BeautifulSoup):
    """Every link on the dashboard to a list of actions that shows a number."""
    for link in page.select("main a[href^='/dashboard/actions']"):
        text = link.get_text(" ", strip=True)
        if re.search(r"\d", text):
            yield link


@pytest.mark.parametrize("as_at", [None, "2015-08-31"])
def test_every_figure_is_the_number_of_actions_in_the_list_it_links_to(board_client, board_story, as_at):
    values = {"as_at": as_at} if as_at else {}
    page = board_client.get_page("dashboard.show", **values)
    links = list(_figure_links(page))
    assert len(links) > 60
    checked = set()
    for link in links:
        href = link["href"]
        if "See all" in link.text:
            shown = int(re.search(r"See all ([\d,]+)", link.text).group(1).replace(",", ""))
        else:
            shown = _number(link)
        if href in checked:
            continue
        checked.add(href)
        assert _status_total(board_client, href) == shown, (link.get_text(" ", strip=True), href)
        if as_at and "as_at=" not in href:
            pytest.fail(f"a past view's link left its date behind: {href}")


def test_headline_figures(board_client, board_story):
    page = board_client.get_page("dashboard.show")
    figures = {
        f.select_one(".app-figure__label").text.strip(): int(f.select_one(".app-figure__number").text.replace(",", ""))
        for f in page.select("ul[aria-label='Actions by delivery RAG'] .app-figure")
    }
    assert figures["All actions"] == 53
    assert figures["Red"] == 4  # 1.3, 4.1 and 4.2 as written in the plan, and 2.3 since August
    assert figures["Blue"] == 1  # 2.1, completed this summer
    assert sum(figures[rag.label] for rag in Rag) == 53
    exceptions = page.select_one("ul[aria-label='Exceptions']").text
    assert "With no owner" in exceptions and "With no due date" in exceptions
    assert "Not updated this cycle" in exceptions


def test_exceptions_table_shows_owners_and_latest_commentary(board_client, board_story):
    page = board_client.get_page("dashboard.show")
    table = page.select_one("table.app-exceptions")
    rows = table.select("tbody tr")
    assert len(rows) == 20
    assert [r.select("td")[1].text.strip().startswith("Red") for r in rows[:3]] == [True] * 3  # most serious first
    sharing = [r for r in rows if "Information sharing agreement" in r.text][0]  # 1.3, red
    assert "Jayne Hutchings" in sharing.text  # its owner, by name
    latest = sharing.select("td")[-1]
    assert "14 August 2015" in latest.text
    assert "Agreement drafted; police sign-off awaited. <b>not bold</b>" in latest.text  # shown as typed
    assert latest.select("b") == []  # never as markup


def test_agencies_behind_by_accountable_agency_and_post(board_client, board_story):
    page = board_client.get_page("dashboard.show")
    table = page.select_one("#agencies-heading").find_parent(class_="app-chart").select_one("table")
    agencies = [row.select_one("th").text.strip() for row in table.select("tr.app-agency-row")]
    assert "Police" in agencies
    assert agencies[0] != "No accountable post named"
    police = db.session.scalars(select(Post).where(Post.name == "WMP")).one()
    assert table.select_one(f"a[href*='accountable_post={police.id}']")


def test_since_the_last_meeting(board_client, board_story):
    page = board_client.get_page("dashboard.show")
    since = page.select_one("#since").find_next("p").text
    assert "20 July 2015" in since and "LSCB board" in since
    changes = {
        f.select_one(".app-figure__label").text.strip(): int(f.select_one(".app-figure__number").text)
        for f in page.select("ul[aria-label='Changes since the last meeting'] .app-figure")
    }
    assert changes["Completed"] == 1
    assert changes["Added to the plan"] == 0
    # Due 31 July, 31 August and 30 September 2015, still open: overdue since the meeting.
    assert changes["Newly overdue"] >= 1


def test_lists_of_actions_worse_and_better_since_the_meeting(board_client, board_story):
    worse = board_client.get_page("dashboard.actions", change="worse", since="2015-07-20")
    better = board_client.get_page("dashboard.actions", change="better", since="2015-07-20")
    worse_refs = {r.select("td")[0].text.strip() for r in worse.select("tbody tr")}
    better_refs = {r.select("td")[0].text.strip() for r in better.select("tbody tr")}
    assert better_refs == {"2.1"}  # in progress at the meeting, complete now
    assert worse_refs == {"2.3"}  # Amber at the meeting, Red since August


def test_slippage_counts_agreed_deadline_changes(board_client, board_story):
    page = board_client.get_page("dashboard.show")
    table = page.select_one("#slippage-heading").find_parent(class_="app-chart").select_one("table")
    counts = {r.select_one("th").text.strip(): _number(r.select_one("td a")) for r in table.select("tbody tr") if r.a}
    assert counts == {"Once": 1, "Twice": 1}  # 1.1, then 5.1
    most = page.select_one("caption#most-moved-caption").find_parent("table")
    assert "5.1" in most.select("tbody tr")[0].text


def test_delivery_against_outcome(board_client, board_story):
    page = board_client.get_page("dashboard.show")
    sentence = page.select_one("#outcomes").find_next("p").text
    assert re.search(r"Of \d+ actions? on track for delivery \(Green\)", sentence)
    table = page.select_one("#outcomes-heading").find_parent(class_="app-chart").select_one("table")
    assert [th.text.strip() for th in table.select("tbody th")] == [rag.label for rag in RAG_ORDER]
    green = table.select("tbody tr")[2]
    assert _number(green.select_one("td a")) == 1  # 13.1: Green delivery, Red outcome


def test_past_view_says_so_and_uses_history(board_client, board_story):
    page = board_client.get_page("dashboard.show", as_at="2015-07-31")
    banner = page.select_one(".govuk-notification-banner").text
    assert "as it stood at the end of 31 July 2015" in banner
    assert page.select_one("title").text.startswith("Dashboard as at 31 July 2015")
    figures = {
        f.select_one(".app-figure__label").text.strip(): int(f.select_one(".app-figure__number").text)
        for f in page.select("ul[aria-label='Actions by delivery RAG'] .app-figure")
    }
    assert figures["Blue"] == 0  # 2.1 was completed in August
    live = board_client.get_page("dashboard.show")
    assert not live.select(".govuk-notification-banner")


def test_past_view_before_the_plan_existed(board_client, board_story):
    page = board_client.get_page("dashboard.show", as_at="2015-01-31")
    assert "There are no actions that existed then with these filters." in page.text


@pytest.mark.parametrize(
    ("as_at", "message"),
    [
        ("31/02/2015", "Enter the as at date as year-month-day, for example 2015-09-30"),
        ("next week", "Enter the as at date as year-month-day, for example 2015-09-30"),
        ("2015-10-02", "Enter an as at date that is today or in the past"),
        ("1999-12-31", "Enter an as at date in 2000 or later"),
    ],
)
def test_an_unreadable_as_at_date_is_an_error_that_says_what_to_do(board_client, board_story, as_at, message):
    page = board_client.get_page("dashboard.show", as_at=as_at)
    summary = page.select_one(".govuk-error-summary")
    assert message in summary.text
    assert summary.select_one("a")["href"] == "#as_at"
    assert page.select_one("title").text.startswith("Error: Dashboard")
    assert not page.select(".govuk-notification-banner")  # shown as today instead


def test_people_type_dates_the_way_they_write_them(board_client, board_story):
    page = board_client.get_page("dashboard.show", as_at="31/7/2015")
    assert "31 July 2015" in page.select_one(".govuk-notification-banner").text


def test_filters_live_in_the_query_string(board_client, board_story):
    strand = board_story.strands[2]  # Pursue
    page = board_client.get_page("dashboard.show", plan=board_story.id, strand=strand.id)
    assert page.select_one("#plan option[selected]")["value"] == str(board_story.id)
    assert page.select_one("#strand option[selected]").text.strip() == "Pursue"
    bars = page.select_one("#strands-heading").find_parent(class_="app-chart").select("tbody th")
    assert [th.text.strip() for th in bars] == ["Pursue"]
    for link in page.select("main a[href^='/dashboard/actions']"):
        query = parse_qs(urlsplit(link["href"]).query)
        assert query["plan"] == [str(board_story.id)] and query["strand"] == [str(strand.id)]


def test_unknown_filter_values_are_ignored(board_client, board_story):
    page = board_client.get_page("dashboard.show", plan="999999", agency="x", post="-3", strand="1.5")
    assert "All plans" in page.select_one(".govuk-caption-l").text
    assert not page.select(".govuk-error-summary")
    listed = board_client.get_page("dashboard.actions", rag="purple", moves="lots", change="sideways", overdue="yes")
    assert listed.select_one("[role=status]").text.startswith("53 actions")


def test_scrutiny_counts_leave_out_restricted_actions(app, client_as, board_client, pinned_today):
    pinned_today("2015-07-01")
    plan = factories.make_plan()
    factories.make_action(plan, text="Public", delivery_rag=Rag.RED)
    factories.make_action(plan, text="Operation", delivery_rag=Rag.RED, is_restricted=True)
    scrutiny = client_as(Role.SCRUTINY)
    assert _red(scrutiny.get_page("dashboard.show")) == 1
    assert _red(board_client.get_page("dashboard.show")) == 2
    assert "Operation" not in scrutiny.get_page("dashboard.actions", rag="red").text
    assert "Operation" not in scrutiny.get_page("dashboard.show", as_at="2015-06-30").text


def _red(page) -> int:
    for figure in page.select("ul[aria-label='Actions by delivery RAG'] .app-figure"):
        if figure.select_one(".app-figure__label").text.strip() == "Red":
            return int(figure.select_one(".app-figure__number").text)
    raise AssertionError("no Red figure")


def test_every_role_may_see_the_dashboard(client_as, board_story):
    for role in Role:
        client_as(role).get_page("dashboard.show")


def test_navigation_offers_the_dashboard(board_client, board_story):
    page = board_client.get_page("plans.list_plans")
    nav = {a.text.strip(): a["href"] for a in page.select(".govuk-service-navigation__link")}
    assert nav["Dashboard"] == "/dashboard"


def test_list_pages_through_many_actions(app, board_client, pinned_today):
    pinned_today("2015-07-01")
    plan = factories.make_plan()
    for n in range(105):
        factories.make_action(plan, reference=f"9.{n}")
    first = board_client.get_page("dashboard.actions", plan=plan.id)
    assert first.select_one("[role=status]").text.startswith("105 actions, showing 1 to 100")
    assert len(first.select("tbody tr")) == 100
    second = board_client.get_page("dashboard.actions", plan=plan.id, page=2)
    assert len(second.select("tbody tr")) == 5
    assert second.select_one("title").text.startswith("Actions behind a dashboard figure (page 2 of 2)")
    assert board_client.get_page("dashboard.actions", plan=plan.id, page=99).select("tbody tr")


def test_completed_since_needs_a_recorded_completion(app, board_client, pinned_today):
    pinned_today("2015-09-01")
    plan = factories.make_plan()
    plan.created_at = datetime(2015, 3, 1)
    done = factories.make_action(plan, status=Status.IN_PROGRESS, created_at=datetime(2015, 3, 1))
    apply_changes(done, {"status": Status.COMPLETE}, None, "Finished")
    factories.make_action(plan, status=Status.COMPLETE, created_at=datetime(2015, 3, 1))  # complete from the start
    db.session.commit()
    listed = board_client.get_page("dashboard.actions", change="completed", since="2015-08-01")
    assert listed.select_one("[role=status]").text.startswith("1 action")


@pytest.mark.parametrize("as_at", [None, "2015-08-31"])
def test_every_chart_segment_links_to_the_list_of_its_actions(board_client, board_story, as_at):
    import json

    values = {"as_at": as_at} if as_at else {}
    page = board_client.get_page("dashboard.show", **values)
    totals: dict[str, int] = {}
    segments = 0
    for source in page.select("script[type='application/json'][data-chart]"):
        for trace in json.loads(source.string)["data"]:
            counts = trace["x"] if trace.get("orientation") == "h" else trace["y"]
            for count, href in zip(counts, trace["customdata"], strict=True):
                if count:
                    if href not in totals:
                        totals[href] = _status_total(board_client, href)
                    assert totals[href] == count, (trace["name"], href)
                    segments += 1
    assert segments > 30
