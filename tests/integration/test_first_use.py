"""What a new user tripped on: ratings without their labels, the header's links, the favicon."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from tests.integration.test_progress_updates import owned_action, submit


def test_an_update_card_names_each_rating_in_sight(client_as, pinned_today):
    pinned_today("2015-07-01")
    client, action = owned_action(client_as)
    response = submit(client, action.id, delivery_rag="amber", outcome_rag="amber", status="in_progress",
                      commentary="Waiting for the police data.")  # fmt: skip
    assert response.status_code == 302
    card = client.get_page("actions.show", action_id=action.id).select_one(".app-update")
    ratings = [" ".join(span.text.split()) for span in card.select(".app-update__rating")]
    assert ratings == ["Delivery: Amber", "Outcome: Amber", "Status: In progress"]
    assert not card.select(".app-update__ratings .govuk-visually-hidden")  # nothing said only to screen readers


def test_the_footer_does_not_send_people_to_the_health_check(board_client):
    page = board_client.get_page("plans.list_plans")
    footer_links = [a["href"] for a in page.select("footer a")]
    assert "/healthz" not in footer_links
    assert "Service status" not in page.select_one("footer").text
    assert board_client.get("/healthz").status_code == 200  # still there for monitoring


def test_sign_out_is_in_the_navigation_list(board_client):
    page = board_client.get_page("plans.list_plans")
    items = page.select(".govuk-service-navigation__list > li")
    assert items[-1].select_one("button").text.strip() == "Sign out"
    assert items[-1].form["method"] == "post" and items[-1].select_one("input[name=csrf_token]")


def test_the_favicon_is_govuk_frontends_and_public(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/x-icon"
    assert response.data == (Path(current_app.static_folder) / "govuk/assets/images/favicon.ico").read_bytes()
