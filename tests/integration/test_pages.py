"""Pages: plans list, plan page with filters, action page, error pages, and what every page promises."""

from datetime import date

import pytest
from bs4 import BeautifulSoup
from flask import url_for
from sqlalchemy import select

from tests import factories
from tests.conftest import checked_page
from tracker.extensions import db
from tracker.models import Action, Agency, Rag, Role, Status


def _title(page: BeautifulSoup) -> str:
    return page.select_one("title").text.strip()


def test_plans_list(board_client, coventry):
    page = board_client.get_page("plans.list_plans")
    assert page.select_one("h1").text.strip() == "Plans"
    link = page.select_one("main table a")
    assert link.text.strip() == "Coventry CSE Strategy Action Plan 2015–17"
    assert page.select_one("main table td.govuk-table__cell--numeric").text.strip() == "53"


def test_plan_page_shows_strands_objectives_and_actions(board_client, coventry, pinned_today):
    pinned_today("2015-07-01")
    page = board_client.get_page("plans.show", plan_id=coventry.id)
    assert [h.text.strip() for h in page.select("h2.app-strand")] == [
        "Prevent", "Protect", "Pursue", "Public and Professional Confidence",
    ]  # fmt: skip
    assert "53 actions" in page.select_one("[role=status]").text
    rows = page.select("table.app-actions-table tbody tr")
    assert len(rows) == 53
    first = rows[0].select("td")
    assert first[0].text.strip() == "1.1"
    assert "Maintain and populate problem profile" in first[1].text
    assert "CSE Co-ordinator" in first[2].text
    assert "31 May 2015" in first[3].text
    assert "Overdue" in first[3].text
    # RAGs are labelled tags, never colour alone, and the rule says why it raised one.
    delivery = first[4]
    assert delivery.select_one(".govuk-tag").text.strip() == "Delivery: Amber"
    red = [r for r in rows if r.select("td")[0].text.strip() == "1.3"][0]
    assert red.select("td")[4].select_one(".govuk-tag").text.strip() == "Delivery: Red"
    green_due_yesterday = [r for r in rows if r.select("td")[0].text.strip() == "16.2"][0]
    assert "Amber: overdue since 1 July 2015" in green_due_yesterday.text  # due 30 June, today 1 July


def test_overdue_green_says_why_it_is_amber(board_client, coventry, pinned_today):
    pinned_today("2015-07-02")
    page = board_client.get_page("plans.show", plan_id=coventry.id)
    row = [r for r in page.select("table.app-actions-table tbody tr") if r.select("td")[0].text.strip() == "16.2"][0]
    cell = row.select("td")[4]
    assert cell.select_one(".govuk-tag").text.strip() == "Delivery: Amber"
    assert "Amber: overdue since 1 July 2015" in cell.text


def test_before_any_deadline_nothing_is_overdue(board_client, coventry, pinned_today):
    pinned_today("2015-03-01")
    page = board_client.get_page("plans.show", plan_id=coventry.id)
    assert page.select(".app-overdue") == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"rag": "red"}, {"1.3", "4.1", "4.2"}),
        ({"rag": "green"}, {"13.1"}),  # the other Greens are past their dates by then: shown Amber
    ],
)
def test_filter_by_effective_rag(board_client, coventry, pinned_today, query, expected):
    pinned_today("2016-07-01")
    page = board_client.get_page("plans.show", plan_id=coventry.id, **query)
    refs = {r.select("td")[0].text.strip() for r in page.select("table.app-actions-table tbody tr")}
    assert refs == expected


def test_filter_by_strand_and_agency(board_client, coventry):
    strand = coventry.strands[2]  # Pursue
    police = db.session.scalars(select(Agency).where(Agency.name == "Police")).one()
    page = board_client.get_page("plans.show", plan_id=coventry.id, strand=strand.id)
    assert [h.text.strip() for h in page.select("h2.app-strand")] == ["Pursue"]
    page = board_client.get_page("plans.show", plan_id=coventry.id, agency=police.id)
    refs = {r.select("td")[0].text.strip() for r in page.select("table.app-actions-table tbody tr")}
    assert {"1.1", "14.1", "16.2", "16.5", "12.6"} <= refs
    assert "11.3" not in refs
    assert page.select_one("#filter-agency option[selected]").text == "Police"


def test_filters_that_match_nothing_say_so(board_client, coventry):
    page = board_client.get_page("plans.show", plan_id=coventry.id, rag="blue")
    assert "No actions match these filters." in page.text
    assert page.select_one("a.app-filters__clear")


def test_bad_filter_values_are_ignored(board_client, coventry):
    page = board_client.get_page("plans.show", plan_id=coventry.id, rag="purple", strand="x", agency="-1")
    assert "53 actions" in page.select_one("[role=status]").text


def test_action_page_shows_all_its_fields(board_client, coventry, pinned_today):
    pinned_today("2015-10-01")
    action = db.session.scalars(select(Action).where(Action.reference == "5.1")).one()
    page = board_client.get_page("actions.show", action_id=action.id)
    assert page.select_one("h1").text.strip() == "Action 5.1"
    text = page.text
    for expected in [
        "Development and delivery of an integrated communication plan",
        "30 September 2015",
        "March 2015- Sept 2015",
        "starts 1 March 2015",
        "Comms Manager",
        "CSE Co-ordinator",
        "All partner agencies",  # Partners involved: "All agencies" in the plan
        "A regional communication plan",
        "Overdue since 1 October 2015",
        "Raise Awareness across the region",
        "In progress",
    ]:
        assert expected in text, expected


def test_scrutiny_does_not_see_restricted_actions(app, scrutiny_client, board_client):
    plan = factories.make_plan()
    hidden = factories.make_action(plan, text="Operation details", is_restricted=True)
    factories.make_action(plan, text="Public work")
    scrutiny_client.get_page("actions.show", _expected_status=404, action_id=hidden.id)
    assert "Operation details" not in scrutiny_client.get_page("plans.show", plan_id=plan.id).text
    board_page = board_client.get_page("actions.show", action_id=hidden.id)
    assert "This action is restricted" in board_page.text


def test_user_text_is_escaped(app, board_client):
    plan = factories.make_plan(name="<script>alert(1)</script> plan")
    factories.make_action(plan, text='<img src=x onerror="alert(2)">')
    # The HTML as sent, not as parsed: a parser would tidy away what this looks for.
    html = board_client.get(url_for("plans.show", plan_id=plan.id)).get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)" in html
    assert "<img src=x" not in html


@pytest.mark.parametrize(
    ("endpoint", "values"),
    [("plans.show", {"plan_id": 999999}), ("actions.show", {"action_id": 999999})],
)
def test_friendly_error_pages(board_client, endpoint, values):
    page = board_client.get_page(endpoint, _expected_status=404, **values)
    assert page.select_one("h1").text.strip() == "Page not found"
    assert "Traceback" not in page.text


def test_an_address_that_is_no_page_is_not_found(board_client):
    page = checked_page(board_client.get("/no-such-page"), 404)
    assert page.select_one("h1").text.strip() == "Page not found"
    assert "Traceback" not in page.text


def test_forbidden_page(app):
    from tests.conftest import TrackerClient
    from tracker import create_app
    from tracker.access import allow

    fresh = create_app(dict(app.config))
    fresh.add_url_rule("/__admins-only", "admins_only", allow(Role.ADMIN)(lambda: "secret"))
    fresh.test_client_class = TrackerClient
    client = fresh.test_client()
    client.sign_in(factories.make_user(role=Role.BOARD))
    page = checked_page(client.get("/__admins-only"), 403)
    assert "You do not have permission to see this page" in page.text


def test_server_error_page_hides_the_error(app):
    from tests.conftest import TrackerClient
    from tracker import create_app
    from tracker.access import allow_signed_in

    def broken():
        raise RuntimeError("database password is hunter2")

    fresh = create_app({**app.config, "TESTING": False, "PROPAGATE_EXCEPTIONS": False})
    fresh.add_url_rule("/__broken", "broken", allow_signed_in(broken))
    fresh.test_client_class = TrackerClient
    client = fresh.test_client()
    client.sign_in(factories.make_user(role=Role.BOARD))
    page = checked_page(client.get("/__broken"), 500)
    assert "Sorry, there is a problem with the service" in page.text
    assert "hunter2" not in str(page)


PAGES = [
    ("plans.list_plans", {}),
    ("plans.show", {"plan_id": "PLAN"}),
    ("actions.show", {"action_id": "ACTION"}),
]


@pytest.mark.parametrize(("endpoint", "values"), PAGES)
def test_every_page_has_one_h1_a_unique_title_a_skip_link_and_no_inline_code(board_client, coventry, endpoint, values):
    action = db.session.scalars(select(Action).order_by(Action.id)).first()
    values = {k: {"PLAN": coventry.id, "ACTION": action.id}[v] for k, v in values.items()}
    response = board_client.get(url_for(endpoint, **values))  # the headers are checked too
    page = checked_page(response)
    assert _title(page).endswith("– Safeguarding action plan tracker")
    assert page.select_one("a.govuk-skip-link")["href"] == "#main-content"
    assert page.select_one("main#main-content")
    assert page.select_one("html")["lang"] == "en"
    nonce = _csp_nonce(response.headers["Content-Security-Policy"])
    for script in page.select("script"):
        assert script.get("src") or script.get("nonce") == nonce, script
    assert not page.select("[style]")
    assert not [tag for tag in page.find_all(True) if any(attr.startswith("on") for attr in tag.attrs)]
    assert not page.select("style")


def test_page_titles_are_unique(board_client, coventry):
    action = db.session.scalars(select(Action).order_by(Action.id)).first()
    titles = [
        _title(board_client.get_page("plans.list_plans")),
        _title(board_client.get_page("plans.show", plan_id=coventry.id)),
        _title(board_client.get_page("actions.show", action_id=action.id)),
        _title(checked_page(board_client.get("/missing"), 404)),
    ]
    assert len(set(titles)) == len(titles)


def _csp_nonce(policy: str) -> str:
    script_src = [p for p in policy.split(";") if p.strip().startswith("script-src")][0]
    return script_src.split("'nonce-")[1].split("'")[0]


def test_security_headers(client):
    response = client.get(url_for("auth.sign_in"))
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    other = client.get(url_for("auth.sign_in")).headers["Content-Security-Policy"]
    assert _csp_nonce(policy) != _csp_nonce(other)


def test_navigation_for_a_signed_in_user(board_client, coventry):
    page = board_client.get_page("plans.list_plans")
    nav = [a.text.strip() for a in page.select(".govuk-service-navigation__link")]
    assert "Plans" in nav
    assert page.select_one("form[action='/sign-out'] input[name=csrf_token]")


def test_dates_and_statuses_in_plain_english(app):
    from datetime import datetime

    from tracker.formatting import format_date, format_datetime

    assert format_date(date(2015, 6, 1)) == "1 June 2015"
    assert format_datetime(datetime(2015, 6, 1, 14, 5)) == "1 June 2015 at 2:05pm"
    assert Status.NOT_STARTED.label == "Not started"
    assert Rag.NOT_RATED.label == "Not rated"


def test_the_footer_is_the_partnerships_not_crown_copyright(client):
    page = client.get("/sign-in").get_data(as_text=True)
    footer = page[page.index('<footer class="govuk-footer"') :]
    assert "Service status" not in footer and "/healthz" not in footer  # raw JSON is for monitoring, not people
    assert "Local Safeguarding Children Board" in footer
    assert "Crown copyright" not in footer
    assert "Open Government Licence" not in footer
