"""Signing in and out, and the session that expires."""

from datetime import timedelta

import pytest
from flask import url_for

from tests import factories
from tracker.models import Role
from tracker.views.auth import SIGN_IN_FAILED


def test_sign_in_page_renders_with_a_form(client):
    page = client.get_page("auth.sign_in")
    assert page.select_one("h1").text.strip() == "Sign in"
    assert page.select_one("input[name=csrf_token]")
    assert page.select_one("input#email")["autocomplete"] == "email"


def test_signing_in_lands_on_the_plans(client, app):
    user = factories.make_user(role=Role.BOARD)
    response = client.sign_in(user)
    assert response.location.endswith("/plans") or response.location.endswith("/")
    client.get_page("plans.list_plans")


def test_email_is_not_case_sensitive(client):
    user = factories.make_user(role=Role.BOARD, email="Someone@Example.org")
    response = client.post_form("/sign-in", {"email": "  SOMEONE@example.ORG ", "password": factories.PASSWORD})
    assert response.status_code == 302
    assert user.email == "someone@example.org"


@pytest.mark.parametrize("case", ["wrong password", "unknown email", "disabled account"])
def test_every_failure_gets_the_same_message(client, case):
    user = factories.make_user(role=Role.OWNER, email="owner@example.org")
    email, password = user.email, factories.PASSWORD
    if case == "wrong password":
        password = "not the password at all"
    elif case == "unknown email":
        email = "nobody@example.org"
    else:
        user.is_enabled = False
    response = client.post_form("/sign-in", {"email": email, "password": password})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert SIGN_IN_FAILED in html
    assert "<title>Error: Sign in" in html
    assert 'class="govuk-error-summary' in html
    client.get_page("plans.list_plans", _expected_status=302)


def test_empty_form_asks_for_both_fields(client):
    html = client.post_form("/sign-in", {"email": "", "password": ""}).get_data(as_text=True)
    assert "Enter your email address" in html
    assert "Enter your password" in html


def test_sign_in_without_csrf_token_is_refused(client):
    user = factories.make_user(role=Role.OWNER)
    response = client.post("/sign-in", data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 400
    client.get_page("plans.list_plans", _expected_status=302)


def test_disabling_an_account_ends_its_session(app, board_client):
    board_client.user.is_enabled = False
    board_client.get_page("plans.list_plans", _expected_status=302)


def test_sign_out(board_client):
    response = board_client.post_form("/sign-out")
    assert response.status_code == 302
    board_client.get_page("plans.list_plans", _expected_status=302)


def test_sign_out_needs_post_with_csrf(board_client):
    assert board_client.get("/sign-out").status_code == 405
    assert board_client.post("/sign-out").status_code == 400
    board_client.get_page("plans.list_plans")


def test_next_is_followed_only_within_the_site(client):
    user = factories.make_user(role=Role.BOARD)
    token = client.csrf_token()
    data = {"csrf_token": token, "email": user.email, "password": factories.PASSWORD}
    response = client.post("/sign-in?next=//evil.example/x", data=data)
    assert "evil.example" not in response.location


def test_next_returns_to_the_page_asked_for(client):
    user = factories.make_user(role=Role.BOARD)
    assert client.get(url_for("plans.list_plans", x=1)).location.startswith("/sign-in?next=")
    token = client.csrf_token()
    data = {"csrf_token": token, "email": user.email, "password": factories.PASSWORD}
    assert client.post("/sign-in?next=/plans?x%3D1", data=data).location == "/plans?x=1"


def test_session_expires(app, board_client):
    from datetime import timedelta

    board_client.get_page("plans.list_plans")
    lifetime = app.permanent_session_lifetime
    app.permanent_session_lifetime = timedelta(seconds=-1)
    try:
        board_client.get_page("plans.list_plans", _expected_status=302)
    finally:
        app.permanent_session_lifetime = lifetime


def test_session_cookie_is_http_only_and_expires(client):
    user = factories.make_user(role=Role.BOARD)
    response = client.sign_in(user)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "Expires=" in cookie
    assert "SameSite=Lax" in cookie


def test_create_user_command(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["tracker", "create-user", "--email", "New@Example.org", "--name", "New Person", "--role", "board",
              "--password", "a long enough password"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Created board member account for new@example.org" in result.output
    again = runner.invoke(
        args=["tracker", "create-user", "--email", "new@example.org", "--name", "X", "--role", "board",
              "--password", "a long enough password"]
    )  # fmt: skip
    assert again.exit_code != 0
    assert "already exists" in again.output
    short = runner.invoke(
        args=[
            "tracker",
            "create-user",
            "--email",
            "b@example.org",
            "--name",
            "X",
            "--role",
            "owner",
            "--password",
            "short",
        ]
    )
    assert "at least 12 characters" in short.output


def test_passwords_are_stored_as_argon2_hashes(app):
    user = factories.make_user()
    assert user.password_hash.startswith("$argon2id$")
    assert factories.PASSWORD not in user.password_hash


def test_url_for_works(app):
    with app.test_request_context():
        assert url_for("auth.sign_in") == "/sign-in"


def test_a_copied_session_cookie_stops_working_after_sign_out(app, board_client):
    copy = app.test_client()
    copy.set_cookie("session", board_client.get_cookie("session", domain="tracker.test").value, domain="tracker.test")
    assert copy.get("/plans").status_code == 200
    board_client.post_form("/sign-out")
    assert copy.get("/plans").status_code == 302
    assert board_client.get("/plans").status_code == 302


def test_signing_in_again_keeps_the_session_token_until_sign_out(app, client):
    user = factories.make_user(role=Role.BOARD)
    client.sign_in(user)
    token = user.session_token
    assert token
    other = app.test_client()
    other.sign_in(user)
    assert user.session_token == token
    assert client.get("/plans").status_code == 200  # one person signed in on two devices


def test_a_cookie_from_before_session_tokens_is_refused(app, board_client):
    with board_client.session_transaction() as session:
        session["_user_id"] = str(board_client.user.id)
    assert board_client.get("/plans").status_code == 302


def test_session_ends_after_thirty_minutes_idle(app, board_client, monkeypatch):
    from itsdangerous.timed import TimestampSigner

    assert app.permanent_session_lifetime == timedelta(minutes=30)
    real = TimestampSigner.get_timestamp
    later = [0]
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: real(self) + later[0])
    later[0] = 29 * 60
    assert board_client.get("/plans").status_code == 200  # and the session is stamped afresh
    later[0] = 58 * 60
    assert board_client.get("/plans").status_code == 200
    later[0] = 58 * 60 + 31 * 60
    assert board_client.get("/plans").status_code == 302
