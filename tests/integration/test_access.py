"""Every route declares who may use it, and the rule is enforced."""

from tracker.access import PUBLIC, PUBLIC_ENDPOINTS, SIGNED_IN, access_rule_for
from tracker.models import Role


def test_every_route_declares_an_access_rule(app):
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        view = app.view_functions[rule.endpoint]
        access = getattr(view, "access_rule", None)
        if access is None:
            missing.append(rule.rule)
        else:
            assert access in (PUBLIC, SIGNED_IN) or (isinstance(access, frozenset) and access <= set(Role))
    assert missing == [], f"routes without an access rule: {missing}"


def test_only_signing_in_the_links_sent_by_email_health_check_favicon_and_assets_are_public(app):
    public = set()
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if access_rule_for(rule.endpoint) == PUBLIC:
                public.add(rule.endpoint)
    signing_in = {"auth.sign_in", "auth.forgot_password", "auth.reset_password", "auth.accept_invitation"}
    assert public == {"static", "system.govuk_assets", "system.favicon", "system.healthz", *signing_in}


def test_signed_out_visitors_are_sent_to_sign_in(app, client):
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or access_rule_for_endpoint(app, rule.endpoint) == PUBLIC:
            continue
        url = rule.build({arg: 1 for arg in rule.arguments}, append_unknown=False)[1]
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.location.startswith("/sign-in"), url


def access_rule_for_endpoint(app, endpoint):
    with app.test_request_context():
        return access_rule_for(endpoint)


def test_a_route_without_a_rule_is_refused(app):
    from tests import factories
    from tests.conftest import TrackerClient
    from tracker import create_app

    fresh = create_app(dict(app.config))
    fresh.add_url_rule("/__undeclared", "undeclared", lambda: "should never be seen")
    fresh.test_client_class = TrackerClient
    user = factories.make_user(role=Role.ADMIN)
    client = fresh.test_client()
    client.sign_in(user)
    response = client.get("/__undeclared")
    assert response.status_code == 403
    assert "should never be seen" not in response.get_data(as_text=True)


def test_health_check_is_public_and_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}
