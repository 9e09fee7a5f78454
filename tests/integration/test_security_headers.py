"""Headers and cookies that harden every response: HSTS over HTTPS, framing refused, Secure cookies off this machine."""

import re

import pytest

from tests import factories
from tests.conftest import TrackerClient
from tracker import create_app
from tracker.models import Role


def test_every_page_refuses_framing_sniffing_and_cross_site_referrers(board_client):
    response = board_client.get("/plans")
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/sign-in").headers
    secure = client.get("/sign-in", base_url="https://tracker.test")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_hsts_behind_a_trusted_proxy_that_terminates_https(app):
    proxied = create_app({**app.config, "TRUSTED_PROXIES": 1})
    response = proxied.test_client().get("/sign-in", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in response.headers
    # Without a trusted proxy the same header, sent by anyone, changes nothing.
    assert (
        "Strict-Transport-Security"
        not in app.test_client().get("/sign-in", headers={"X-Forwarded-Proto": "https"}).headers
    )


def _session_cookie(client: TrackerClient, base_url: str) -> str:
    """Sign in entirely at base_url, as a browser would (its CSRF cookie and, over HTTPS, its Referer)."""
    user = factories.make_user(role=Role.BOARD)
    page = client.get("/sign-in", base_url=base_url).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post(
        "/sign-in",
        data={"csrf_token": token, "email": user.email, "password": factories.PASSWORD},
        base_url=base_url,
        headers={"Referer": f"{base_url}/sign-in"},
    )
    assert response.status_code == 302
    return next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))


@pytest.mark.parametrize(
    ("base_url", "secure"),
    [("https://tracker.test", True), ("http://tracker.test", True), ("http://127.0.0.1:8000", False),
     ("http://localhost:8000", False)],
)  # fmt: skip
def test_session_cookie_is_secure_except_over_http_on_this_machine(client, base_url, secure):
    cookie = _session_cookie(client, base_url)
    assert ("; Secure" in cookie) is secure
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


@pytest.mark.parametrize("setting", [True, False])
def test_session_cookie_secure_setting_decides_outright(app, setting):
    configured = create_app({**app.config, "SESSION_COOKIE_SECURE": setting})
    configured.test_client_class = TrackerClient
    base_url = "http://localhost" if setting else "https://tracker.test"
    assert ("; Secure" in _session_cookie(configured.test_client(), base_url)) is setting
