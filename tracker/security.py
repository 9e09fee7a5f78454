"""Response headers (a strict Content Security Policy with a fresh nonce, HSTS over HTTPS) and the session cookie."""

from __future__ import annotations

import hmac
import secrets

from flask import Flask, Response, g, request
from flask.sessions import SecureCookieSessionInterface

from tracker.extensions import db, login_manager
from tracker.models import User


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def _headers(response: Response) -> Response:
    nonce = csp_nonce()
    response.headers["Content-Security-Policy"] = "; ".join([
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])  # fmt: skip
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    # Not no-referrer: Flask-WTF checks that a form posted over HTTPS came from this site by its Referer.
    response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if response.mimetype == "text/html":
        # Pages about children at risk must not linger in shared browsers' caches.
        response.headers["Cache-Control"] = "no-store"
    return response


LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


class SessionCookies(SecureCookieSessionInterface):
    """Session cookies are Secure everywhere except plain http on this machine (make run), unless configured.

    SESSION_COOKIE_SECURE true or false decides outright; unset, a request to a loopback host
    over http gets a cookie without Secure, so local development works, and any other gets Secure.
    """

    def get_cookie_secure(self, app: Flask) -> bool:
        configured = app.config["SESSION_COOKIE_SECURE"]
        if configured is not None:
            return bool(configured)
        return request.is_secure or request.host.rsplit(":", 1)[0] not in LOCAL_HOSTS


@login_manager.user_loader
def _load_user(session_id: str) -> User | None:
    """The account a session cookie names, if its token is still the account's (signing out replaces it)."""
    user_id, _, token = session_id.partition(":")
    user = db.session.get(User, int(user_id)) if user_id.isascii() and user_id.isdigit() and token else None
    if user is None or not user.is_enabled or not user.session_token:
        return None
    return user if hmac.compare_digest(user.session_token, token) else None


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    app.session_interface = SessionCookies()
    app.after_request(_headers)
