"""Who may use each route. Every view declares it; a route that does not is refused.

@allow(Role.ADMIN, Role.OWNER)   signed-in users with one of these roles
@allow_signed_in                 any signed-in user
@public                          anyone (sign-in page, health check, static assets)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, abort, current_app, redirect, request, url_for
from flask_login import current_user

from tracker.models import Role

F = TypeVar("F", bound=Callable[..., Any])

PUBLIC = "public"
SIGNED_IN = "signed-in"
# Flask's own static route cannot carry a decorator; it serves only the app's public assets.
PUBLIC_ENDPOINTS = frozenset({"static"})


def allow(*roles: Role) -> Callable[[F], F]:
    if not roles:
        raise ValueError("allow() needs at least one role; use allow_signed_in for every role")

    def decorate(view: F) -> F:
        view.access_rule = frozenset(roles)  # type: ignore[attr-defined]
        return view

    return decorate


def allow_signed_in(view: F) -> F:
    view.access_rule = SIGNED_IN  # type: ignore[attr-defined]
    return view


def public(view: F) -> F:
    view.access_rule = PUBLIC  # type: ignore[attr-defined]
    return view


def access_rule_for(endpoint: str | None) -> object | None:
    if endpoint in PUBLIC_ENDPOINTS:
        return PUBLIC
    view = current_app.view_functions.get(endpoint or "")
    return getattr(view, "access_rule", None)


def enforce_access() -> Any:
    """before_request: apply the route's rule; a route without one is refused (secure by default)."""
    if request.endpoint is None:  # no route matched: let Flask answer 404/405
        return None
    rule = access_rule_for(request.endpoint)
    if rule == PUBLIC:
        return None
    if rule is None:
        current_app.logger.error("Route %s declares no access rule; refused", request.endpoint)
        abort(403)
    if not current_user.is_authenticated:
        return redirect(url_for("auth.sign_in", next=request.full_path if request.method == "GET" else None))
    if rule == SIGNED_IN:
        return None
    if current_user.role not in rule:  # type: ignore[operator]
        abort(403)
    return None


def init_app(app: Flask) -> None:
    app.before_request(enforce_access)
