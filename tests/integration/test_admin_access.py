"""Every administration page is for administrators only: the other roles get 403 and change nothing."""

import pytest
from flask import url_for

from tests import factories
from tracker.extensions import db
from tracker.models import AdminLogEntry, AgencyAlias, PostAlias, Role


@pytest.fixture
def things(app):
    """One of everything an administration route names, by its URL argument."""
    agency = factories.make_agency("West Midlands Police")
    post = factories.make_post("CSE Co-ordinator", agency)
    plan = factories.make_plan("CSE plan")
    action = factories.make_action(plan, responsible=[post])
    person = factories.make_user(Role.OWNER, posts=[post])
    post_alias = PostAlias(post=post, name="CSE lead", key="cselead")
    agency_alias = AgencyAlias(agency=agency, name="WMP", key="wmp")
    db.session.add_all([post_alias, agency_alias])
    db.session.commit()
    return {
        "plan_id": plan.id,
        "strand_id": plan.strands[0].id,
        "objective_id": plan.strands[0].objectives[0].id,
        "action_id": action.id,
        "agency_id": agency.id,
        "post_id": post.id,
        "user_id": person.id,
        "alias_id": post_alias.id,  # agency-alias routes are given agency_alias.id below
        "agency_alias_id": agency_alias.id,
    }


def _admin_rules(app):
    return sorted(
        (rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("admin.")),
        key=lambda rule: rule.rule,
    )


def _url(rule, things) -> str:
    values = {name: things[name] for name in rule.arguments}
    if rule.endpoint == "admin.remove_agency_alias_view":
        values["alias_id"] = things["agency_alias_id"]
    return url_for(rule.endpoint, **values)


def test_the_administration_area_has_its_pages(app):
    endpoints = {rule.endpoint for rule in _admin_rules(app)}
    assert {"admin.index", "admin.plans", "admin.people_page", "admin.posts_page", "admin.log_page"} <= endpoints


@pytest.mark.parametrize("role", [Role.OWNER, Role.BOARD, Role.SCRUTINY])
def test_other_roles_are_refused_every_page_and_every_change(app, client_as, things, role):
    client = client_as(role)
    logged = db.session.query(AdminLogEntry).count()
    for rule in _admin_rules(app):
        url = _url(rule, things)
        if "GET" in rule.methods:
            assert client.get(url).status_code == 403, url
        if "POST" in rule.methods:
            response = client.post_form(url, {"name": "Changed", "direction": "up", "reason": "x", "confirmed": "yes"})
            assert response.status_code == 403, url
    assert db.session.query(AdminLogEntry).count() == logged


def test_administrators_can_open_every_page(app, admin_client, things):
    for rule in _admin_rules(app):
        if "GET" not in rule.methods:
            continue
        response = admin_client.get(_url(rule, things))
        assert response.status_code == 200, (rule.rule, response.status_code)
        assert 'class="govuk-heading-l' in response.get_data(as_text=True)


def test_administrators_see_the_administration_link_and_others_do_not(admin_client, owner_client):
    assert "Administration" in [
        a.text.strip() for a in admin_client.get_page("plans.list_plans").select(".govuk-service-navigation a")
    ]
    assert "Administration" not in [
        a.text.strip() for a in owner_client.get_page("plans.list_plans").select(".govuk-service-navigation a")
    ]


@pytest.mark.parametrize(
    ("endpoint", "args"),
    [("admin.people_page", {}), ("admin.posts_page", {}), ("admin.agencies_page", {}), ("admin.plan", {"plan": 1}),
     ("admin.log_page", {})],
)  # fmt: skip
def test_administration_lists_make_the_same_number_of_queries_whatever_their_size(app, admin_client, endpoint, args):
    from tests.integration.test_query_counts import counted_statements

    plan = factories.make_plan("CSE plan")
    values = {"plan_id": plan.id} if args else {}

    def grow(n: int) -> None:
        for _ in range(n):
            agency = factories.make_agency()
            post = factories.make_post(agency=agency)
            factories.make_user(posts=[post])
            factories.make_action(plan, responsible=[post])
        db.session.commit()
        admin_client.post_form(url_for("admin.new_strand", plan_id=plan.id), {"name": f"Strand {n}"})

    counts = []
    for n in (2, 8):
        grow(n)
        with counted_statements() as statements:
            assert admin_client.get(url_for(endpoint, **values)).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]
