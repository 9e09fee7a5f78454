"""The forgotten-password, invitation and reset pages are throttled per email address and per client address.

Counted in the database beside the sign-in counters (tracker/services/link_throttle.py), so every
worker and app server counts together; refused with "Too many attempts. Try again in 15 minutes".
"""

from datetime import datetime, timedelta

import pytest
from flask import url_for
from sqlalchemy import func, select

from tests import factories
from tests.smtp_inbox import smtp_inbox
from tracker import clock
from tracker.extensions import db
from tracker.models import AccountToken, Role, User
from tracker.services import invitations

TOO_MANY = "Too many attempts. Try again in 15 minutes"
START = datetime(2015, 7, 1, 9, 0)
GOOD_PASSWORD = "lantern orchard velvet 2016"
WEAK = {"password": "password1234", "confirm": "password1234"}
ELSEWHERE = {"REMOTE_ADDR": "192.0.2.7"}


@pytest.fixture
def frozen_now(monkeypatch):
    moment = [START]
    monkeypatch.setattr(clock, "now", lambda: moment[0])

    def move_on(**delta) -> None:
        moment[0] += timedelta(**delta)

    return move_on


@pytest.fixture
def inbox(app):
    with smtp_inbox(app) as received:
        yield received


def _ask(client, email, **kwargs):
    return client.post_form(url_for("auth.forgot_password"), {"email": email}, **kwargs)


def _tokens() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(AccountToken.id)))


def test_reset_links_for_one_email_address_are_limited(client, inbox, frozen_now):
    factories.make_user(email="sam@example.org")
    db.session.commit()
    assert [_ask(client, "sam@example.org").status_code for _ in range(5)] == [200] * 5
    assert len(inbox.messages) == 5

    refused = _ask(client, "SAM@example.org")  # however it is spelt
    assert refused.status_code == 429
    html = refused.get_data(as_text=True)
    assert TOO_MANY in html and "<title>Error: " in html
    assert len(inbox.messages) == 5 and _tokens() == 5  # nothing sent, nothing saved
    # The same address asking for another person is not refused for it...
    assert _ask(client, "someone.else@example.org").status_code == 200
    # ...nor from another address, but sam's own email address is refused wherever it is asked from.
    assert _ask(client, "sam@example.org", environ_base=ELSEWHERE).status_code == 429

    frozen_now(minutes=15)
    assert _ask(client, "sam@example.org").status_code == 200
    assert len(inbox.messages) == 6


def test_one_client_address_is_limited_whatever_the_email_addresses(client, frozen_now):
    assert [_ask(client, f"person{n}@example.org").status_code for n in range(20)] == [200] * 20
    refused = _ask(client, "person20@example.org")
    assert refused.status_code == 429 and TOO_MANY in refused.get_data(as_text=True)
    assert _ask(client, "person20@example.org", environ_base=ELSEWHERE).status_code == 200


def test_guessed_links_are_counted_and_then_the_link_pages_refuse_that_address(client, inbox, frozen_now):
    factories.make_user(email="sam@example.org")
    db.session.commit()
    _ask(client, "sam@example.org", environ_base=ELSEWHERE)
    link = inbox.last_link("sam@example.org")
    # Each refused link is counted although its page is a refusal (404): guessing must cost something.
    for n in range(10):  # 20 refused links, of both kinds
        assert client.get(f"/reset-password/guess-{n}").status_code == 404
        assert client.get(f"/invitation/guess-{n}").status_code == 404
    refused = client.get(link)
    assert refused.status_code == 429
    assert TOO_MANY in refused.get_data(as_text=True)
    assert client.post_form(link, {"password": GOOD_PASSWORD, "confirm": GOOD_PASSWORD}).status_code == 429
    # The link still works from elsewhere, and from here once the lock is over.
    assert client.get(link, environ_base=ELSEWHERE).status_code == 200
    frozen_now(minutes=15)
    response = client.post_form(link, {"password": GOOD_PASSWORD, "confirm": GOOD_PASSWORD})
    assert response.status_code == 302


def test_passwords_tried_through_an_invitation_are_limited(app, client, frozen_now):
    user, raw = invitations.invite(None, "priya@example.org", "Priya Shah", Role.OWNER, [])
    db.session.commit()
    link = url_for("auth.accept_invitation", token=raw)
    for _ in range(5):
        weak = client.post_form(link, WEAK)
        assert weak.status_code == 200 and "<title>Error: " in weak.get_data(as_text=True)
    refused = client.post_form(link, {"password": GOOD_PASSWORD, "confirm": GOOD_PASSWORD})
    assert refused.status_code == 429
    assert TOO_MANY in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).is_invited  # the good password was not checked nor saved

    frozen_now(minutes=15)
    assert client.post_form(link, {"password": GOOD_PASSWORD, "confirm": GOOD_PASSWORD}).status_code == 302


def test_administrators_see_the_link_pages_locks_among_the_sign_in_events(admin_client, client, frozen_now):
    sam = factories.make_user(email="sam@example.org")
    db.session.commit()
    for _ in range(5):  # the fifth reaches the email address's limit and locks it
        _ask(client, "sam@example.org")
    for n in range(15):  # with those five, twenty from this address lock it too
        _ask(client, f"person{n}@example.org")
    page = admin_client.get_page("sign_in_events.index")
    rows = [
        [cell.get_text(" ", strip=True) for cell in row.select("td")] for row in page.select("tr.app-sign-in-event")
    ]
    locks = [row[1:] for row in rows if "Account links locked" in row[1]]
    assert locks == [
        ["Account links locked for address", "person14@example.org", "No such account", "127.0.0.1"],
        ["Account links locked for email address", "sam@example.org", sam.name, "127.0.0.1"],
    ]
