"""Filters and globals the templates share: dates, RAG tags, the nonce, navigation."""

from __future__ import annotations

from flask import Flask, request, url_for
from flask_login import current_user

from tracker.formatting import format_date, format_datetime, last_progress
from tracker.models import Rag, Role, Status
from tracker.security import csp_nonce

RAG_TAG_CLASSES = {
    Rag.RED: "govuk-tag--red",
    Rag.AMBER: "govuk-tag--orange",
    Rag.GREEN: "govuk-tag--green",
    Rag.BLUE: "govuk-tag--blue",
    Rag.NOT_RATED: "govuk-tag--grey",
}


def navigation() -> list[dict[str, object]]:
    """The header navigation for the signed-in user's role."""
    if not current_user.is_authenticated:
        return []
    items = []
    if current_user.role in (Role.OWNER, Role.ADMIN):
        items.append(("My actions", "actions.my_actions"))
    items.append(("Dashboard", "dashboard.show"))
    items.append(("Plans", "plans.index"))
    items.append(("Measures", "measures.index"))
    if current_user.role in (Role.ADMIN, Role.BOARD, Role.SCRUTINY):
        items.append(("Reports", "reports.index"))
    if current_user.role is Role.ADMIN:
        items.append(("Deadline requests", "deadlines.requests"))
    if current_user.role is Role.ADMIN:
        items.append(("Administration", "admin.index"))
    return [{"text": text, "href": url_for(endpoint), "active": _in_area(endpoint)} for text, endpoint in items]


def _in_area(endpoint: str) -> bool:
    """The Administration item stays marked on every administration page."""
    if endpoint == "admin.index":
        return (request.endpoint or "").startswith(("admin.", "sign_in_events."))
    return request.endpoint == endpoint


def init_app(app: Flask) -> None:
    app.add_template_filter(format_date, "date")
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(last_progress, "last_progress")
    app.add_template_global(csp_nonce, "csp_nonce")
    app.add_template_global(navigation, "navigation")
    app.add_template_global(RAG_TAG_CLASSES, "RAG_TAG_CLASSES")
    app.add_template_global(Rag, "Rag")
    app.add_template_global(Status, "Status")
    app.add_template_global(Role, "Role")
