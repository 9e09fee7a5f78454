"""The action page's timeline, and the promises every new page keeps (one h1, titles, no inline code)."""

from __future__ import annotations

from datetime import date

import pytest
from bs4 import BeautifulSoup
from flask import url_for
from sqlalchemy import select

from tests import factories
from tests.conftest import checked_page
from tests.integration.test_progress_updates import submit
from tracker.extensions import db
from tracker.models import HistoryEntry, Rag, Role
from tracker.models.history import HistoryIsAppendOnly
from tracker.services.auto_amber import record_overdue_actions
from tracker.services.history import apply_changes


def test_history_cannot_be_changed_or_deleted(app):
    action = factories.make_action(factories.make_plan(), delivery_rag=Rag.GREEN)
    [entry] = apply_changes(action, {"delivery_rag": Rag.AMBER}, None, "Slipping")
    db.session.commit()
    entry.new_value = "green"
    with pytest.raises(HistoryIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(HistoryEntry, entry.id))
    with pytest.raises(HistoryIsAppendOnly):
        db.session.flush()
    db.session.rollback()


def test_no_page_offers_to_change_history(app):
    for rule in app.url_map.iter_rules():
        assert "history" not in rule.rule, rule.rule


def test_the_timeline_shows_system_changes_and_the_import(app, coventry, board_client, pinned_today):
    pinned_today("2015-07-01")
    assert record_overdue_actions(date(2015, 7, 1)).newly_overdue
    db.session.commit()
    # The first action the job raised to Amber (the plan had it rated, and due by the end of June).
    entry = db.session.scalars(
        select(HistoryEntry).where(HistoryEntry.field == "auto_amber").order_by(HistoryEntry.action_id)
    ).first()
    page = board_client.get_page("actions.show", action_id=entry.action_id)
    items = page.select(".app-timeline__item")
    text = " ".join(items[0].text.split())
    assert "Shown as Amber because it is overdue" in text
    assert "the tracker (automatic)" in text
    assert f"Reason: {entry.reason}" in text and entry.reason.startswith("Amber: overdue since ")
    assert "Action created" in items[-1].text
    assert "1 March 2015" in items[-1].text


def test_the_timeline_links_field_changes_to_their_update(client_as, pinned_today):
    pinned_today("2015-07-01")
    post = factories.make_post()
    action = factories.make_action(factories.make_plan(), responsible=[post], due_date=date(2015, 9, 30))
    client = client_as(Role.OWNER, posts=[post])
    submit(client, action.id, delivery_rag="amber", outcome_rag="not_rated", status="ongoing", commentary="Slipping.")
    page = client.get_page("actions.show", action_id=action.id)
    update_id = page.select_one(".app-update")["id"]
    items = page.select(".app-timeline__item")
    headings = [item.select_one("h3").text.strip() for item in items]
    assert headings[-1] == "Progress update recorded"
    assert set(headings[:-1]) == {"Delivery RAG changed", "Status changed"}
    for item in items:
        assert item.select_one(f"a[href='#{update_id}']")
    assert "Slipping." in items[-1].text


def _page_checks(response) -> BeautifulSoup:
    assert response.status_code in (200, 400, 409)
    page = checked_page(response, response.status_code)
    assert page.select_one("title").text.strip().endswith("– Safeguarding action plan tracker")
    assert not page.select("[style]") and not page.select("style")
    assert not [tag for tag in page.find_all(True) if any(attr.startswith("on") for attr in tag.attrs)]
    policy = response.headers["Content-Security-Policy"]
    nonce = policy.split("'nonce-")[1].split("'")[0]
    for script in page.select("script"):
        assert script.get("src") or script.get("nonce") == nonce, script
    for form in page.select("form[method=post]"):
        assert form.select_one("input[name=csrf_token]"), form
    return page


def test_new_pages_keep_the_page_promises_and_have_unique_titles(client_as, admin_client, pinned_today):
    pinned_today("2015-07-01")
    post = factories.make_post()
    action = factories.make_action(factories.make_plan(), responsible=[post], due_date=date(2015, 6, 1))
    owner = client_as(Role.OWNER, posts=[post])
    submit(owner, action.id, delivery_rag="red", outcome_rag="amber", status="in_progress", commentary="Stalled.",
           evidence_url="https://example.org/x", evidence_url_title="Minutes")  # fmt: skip
    titles = []
    for client, endpoint in [
        (owner, "actions.my_actions"),
        (owner, "actions.show"),
        (owner, "actions.update"),
        (admin_client, "actions.edit"),
    ]:
        page = _page_checks(client.get(url_for(endpoint, action_id=action.id)))  # the headers are checked too
        titles.append(page.select_one("title").text.strip())
    assert len(set(titles)) == len(titles)

    error_page = _page_checks(submit(owner, action.id, delivery_rag="purple", outcome_rag="amber", status="ongoing"))
    assert error_page.select_one("title").text.startswith("Error: ")
    summary_links = [a["href"] for a in error_page.select(".govuk-error-summary__list a")]
    assert summary_links and all(error_page.select_one(href) for href in summary_links)


def test_a_long_record_shows_the_latest_entries_and_links_to_the_rest(client_as, pinned_today, monkeypatch):
    from tracker.views import actions as action_views

    monkeypatch.setattr(action_views, "UPDATES_SHOWN", 2)
    monkeypatch.setattr(action_views, "HISTORY_SHOWN", 2)
    pinned_today("2015-07-01")
    post = factories.make_post()
    action = factories.make_action(factories.make_plan(), responsible=[post], due_date=date(2015, 9, 30))
    client = client_as(Role.OWNER, posts=[post])
    for n in range(3):
        submit(
            client,
            action.id,
            delivery_rag="green",
            outcome_rag="not_rated",
            status="in_progress",
            commentary=f"Update {n}",
        )

    page = client.get_page("actions.show", action_id=action.id)
    assert [u.select_one(".app-preserve-lines").text for u in page.select(".app-update")] == ["Update 2", "Update 1"]
    assert len(page.select(".app-timeline__item")) == 2
    more = page.find("a", string="Show the full history")
    assert more["href"] == f"/actions/{action.id}?history=all#history"
    assert page.find("a", string="Show all progress updates")["href"] == f"/actions/{action.id}?updates=all#updates"

    full = client.get_page("actions.show", action_id=action.id, history="all")
    items = full.select(".app-timeline__item")
    assert len(items) == 3
    assert full.find("a", string="Show the full history") is None
    # The oldest update is not on the page: its history entry links to the page that shows it.
    oldest_update_link = items[-1].select_one("a")["href"]
    assert oldest_update_link.startswith(f"/actions/{action.id}?")
    assert "updates=all" in oldest_update_link and "history=all" in oldest_update_link
    assert items[0].select_one("a")["href"].startswith("#update-")
    assert len(client.get_page("actions.show", action_id=action.id, updates="all").select(".app-update")) == 3
