"""Response headers that hold every page to a strict Content Security Policy with a fresh nonce."""

from __future__ import annotations

import hmac
import secrets

from flask import Flask, Response, g

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
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if response.mimetype == "text/html":
        # Pages about children at risk must not linger in shared browsers' caches.
        response.headers["Cache-Control"] = "no-store"
    return response


@login_manager.user_loader
def _load_user(session_id: str) -> User | None:
    """The account a session cookie names, if its token is still the account's (signing out replaces it)."""
    user_id, _, token = session_id.partition(":")
    user = db.session.get(User, int(user_id)) if user_id.isdigit() and token else None
    if user is None or not user.is_enabled or not user.session_token:
        return None
    return user if hmac.compare_digest(user.session_token, token) else None


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    app.after_request(_headers)
