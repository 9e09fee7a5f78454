"""The header fits: Sign out sits on the navigation's row on wide screens and in the menu on narrow ones."""

import pytest

from tests import factories
from tracker.extensions import db
from tracker.models import Role

pytestmark = pytest.mark.browser


def _sign_in(page, live_server):
    user = factories.make_user(role=Role.ADMIN)
    db.session.commit()
    page.goto(f"{live_server}/sign-in")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def _row(locator) -> tuple[float, float]:
    box = locator.bounding_box()
    return box["y"], box["y"] + box["height"]


@pytest.mark.parametrize("width", [320, 375, 1024, 1280])
def test_sign_out_never_wraps_onto_a_row_of_its_own(page, live_server, width):
    page.set_viewport_size({"width": width, "height": 700})
    _sign_in(page, live_server)
    page.goto(f"{live_server}/plans")
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scroll
    sign_out = page.get_by_role("button", name="Sign out")
    plans = page.locator(".govuk-service-navigation__list").get_by_role("link", name="Plans")
    if width < 641:  # GOV.UK's mobile layout: the navigation is behind the Menu button
        assert not sign_out.is_visible()
        page.get_by_role("button", name="Menu").click()
        assert sign_out.is_visible()
        assert sign_out.bounding_box()["x"] == pytest.approx(plans.bounding_box()["x"], abs=1)  # listed with them
    else:
        top, bottom = _row(plans)
        sign_out_top, sign_out_bottom = _row(sign_out)
        assert sign_out_top < bottom and top < sign_out_bottom  # on the same row as the links
        if width >= 1024:  # at most a row for the service name and one for the links with Sign out
            assert page.locator(".govuk-service-navigation").bounding_box()["height"] < 140
    with page.expect_navigation():
        sign_out.click()
    assert page.get_by_text("You have signed out.").is_visible()
