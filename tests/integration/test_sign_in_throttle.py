"""Sign-in that cannot be guessed at: counted in the database per email address and per client address."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.concurrently import run_at_once
from tests.conftest import TrackerClient
from tracker import clock, create_app
from tracker.extensions import db
from tracker.models import Role, SignInEvent, SignInEventKind
from tracker.views.auth import SIGN_IN_FAILED

TOO_MANY = "Too many attempts. Try again in 15 minutes"
WRONG = "not the password at all"
START = datetime(2015, 7, 1, 9, 0)


@pytest.fixture
def frozen_now(monkeypatch):
    """The clock stands at START until the test moves it on with frozen_now(minutes=...)."""
    moment = [START]
    monkeypatch.setattr(clock, "now", lambda: moment[0])

    def move_on(**delta) -> None:
        moment[0] += timedelta(**delta)

    return move_on


def _try(client, email, password=WRONG, **kwargs):
    return client.post_form("/sign-in", {"email": email, "password": password}, **kwargs)


def _events(kind=None) -> list[SignInEvent]:
    query = select(SignInEvent).order_by(SignInEvent.id)
    if kind is not None:
        query = query.where(SignInEvent.kind == kind)
    return list(db.session.scalars(query))


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(client, frozen_now):
    user = factories.make_user(role=Role.OWNER)
    statuses = [_try(client, user.email).status_code for _ in range(5)]
    assert statuses == [200] * 5

    refused = _try(client, user.email, factories.PASSWORD)
    assert refused.status_code == 429
    html = refused.get_data(as_text=True)
    assert TOO_MANY in html
    assert "<title>Error: Sign in" in html
    assert client.get("/plans").status_code == 302
    assert [e.kind for e in _events(SignInEventKind.ACCOUNT_LOCKED)] == [SignInEventKind.ACCOUNT_LOCKED]
    assert len(_events(SignInEventKind.FAILURE)) == 5
    assert _events(SignInEventKind.SUCCESS) == []


def test_the_lock_lifts_after_fifteen_minutes(client, frozen_now):
    user = factories.make_user(role=Role.OWNER)
    for _ in range(5):
        _try(client, user.email)
    frozen_now(minutes=14)
    assert _try(client, user.email, factories.PASSWORD).status_code == 429
    frozen_now(minutes=1, seconds=1)
    assert _try(client, user.email, factories.PASSWORD).status_code == 302
    assert _events()[-1].kind is SignInEventKind.SUCCESS
    assert _events()[-1].user_id == user.id


def test_failures_older_than_the_window_are_not_counted(client, frozen_now):
    user = factories.make_user(role=Role.OWNER)
    for _ in range(4):
        _try(client, user.email)
    frozen_now(minutes=16)
    for _ in range(4):
        assert _try(client, user.email).status_code == 200
    assert _try(client, user.email, factories.PASSWORD).status_code == 302


def test_signing_in_clears_the_accounts_count(client, frozen_now):
    user = factories.make_user(role=Role.OWNER)
    for _ in range(4):
        _try(client, user.email)
    assert _try(client, user.email, factories.PASSWORD).status_code == 302
    client.post_form("/sign-out")
    for _ in range(4):
        assert _try(client, user.email).status_code == 200
    assert _try(client, user.email, factories.PASSWORD).status_code == 302


def test_an_unknown_email_is_throttled_and_answered_exactly_as_a_known_one(client, frozen_now):
    user = factories.make_user(role=Role.OWNER)
    answers = {}
    for email in (user.email, "nobody@example.org"):
        pages = [_try(client, email) for _ in range(6)]
        answers[email] = [(page.status_code, SIGN_IN_FAILED in page.get_data(as_text=True)) for page in pages]
        assert TOO_MANY in pages[-1].get_data(as_text=True)
    assert answers[user.email] == answers["nobody@example.org"] == [(200, True)] * 5 + [(429, False)]


def test_twenty_failures_from_one_address_lock_it_for_every_account(client, frozen_now):
    user = factories.make_user(role=Role.OWNER)
    for n in range(20):
        assert _try(client, f"guess{n}@example.org").status_code == 200
    assert _try(client, user.email, factories.PASSWORD).status_code == 429
    locks = _events(SignInEventKind.ADDRESS_LOCKED)
    assert [(e.email, e.client_address) for e in locks] == [("guess19@example.org", "127.0.0.1")]
    # Another address is not locked.
    other = _try(client, user.email, factories.PASSWORD, environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 302


def test_a_forwarded_for_header_is_ignored_without_trusted_proxies(client, frozen_now):
    for n in range(20):
        _try(client, f"guess{n}@example.org", headers={"X-Forwarded-For": f"198.51.100.{n}"})
    user = factories.make_user(role=Role.OWNER)
    response = _try(client, user.email, factories.PASSWORD, headers={"X-Forwarded-For": "203.0.113.99"})
    assert response.status_code == 429
    assert {e.client_address for e in _events()} == {"127.0.0.1"}


def test_behind_a_trusted_proxy_the_client_address_comes_from_it(app, frozen_now):
    proxied = create_app({**app.config, "TRUSTED_PROXIES": 1})
    proxied.test_client_class = TrackerClient
    client = proxied.test_client()
    # The proxy appends the address it saw; anything the client put before it is not believed.
    _try(client, "x@example.org", headers={"X-Forwarded-For": "10.0.0.1, 203.0.113.5"})
    assert [e.client_address for e in _events()] == ["203.0.113.5"]


def test_two_app_servers_count_the_same_failures(app, client, frozen_now):
    """Counts are in the database, so a second app (another worker or server) sees the first one's."""
    other_server = create_app(dict(app.config))
    other_server.test_client_class = TrackerClient
    other = other_server.test_client()
    user = factories.make_user(role=Role.OWNER)
    for n in range(5):
        assert _try(client if n % 2 else other, user.email).status_code == 200
    assert _try(client, user.email, factories.PASSWORD).status_code == 429
    assert _try(other, user.email, factories.PASSWORD).status_code == 429


def test_guesses_sent_at_once_get_no_more_tries_than_slow_ones(app, frozen_now):
    """Parallel attempts queue on the counter's row lock: only five of them are ever answered."""
    user = factories.make_user(role=Role.OWNER)
    email = user.email
    db.session.commit()
    clients = []
    for _ in range(8):
        one = app.test_client()
        clients.append((one, one.csrf_token()))
    turns = iter(clients)

    def guess() -> int:
        one, token = next(turns)
        return one.post("/sign-in", data={"csrf_token": token, "email": email, "password": WRONG}).status_code

    statuses, errors = run_at_once(app, guess, times=8)
    assert errors == []
    assert sorted(statuses) == [200] * 5 + [429] * 3
    assert db.session.scalar(select(func.count()).where(SignInEvent.kind == SignInEventKind.FAILURE)) == 5


def test_administrators_see_sign_in_events(admin_client, client, frozen_now):
    _try(client, "someone@example.org")
    page = admin_client.get_page("sign_in_events.index")
    rows = [
        [cell.get_text(" ", strip=True) for cell in row.select("td")] for row in page.select("tr.app-sign-in-event")
    ]
    assert rows[0] == ["1 July 2015 at 9:00am", "Wrong email or password", "someone@example.org", "No such account",
                       "127.0.0.1"]  # fmt: skip
    assert rows[1][1] == "Signed in"
    assert rows[1][3] == admin_client.user.name
    region = page.select_one(".app-table-scroll")
    assert region["tabindex"] == "0" and region["role"] == "region"


def test_older_sign_in_events_are_on_later_pages(admin_client, client, frozen_now, monkeypatch):
    monkeypatch.setattr("tracker.queries.sign_in_events.PAGE_SIZE", 2)
    for n in range(3):
        _try(client, f"p{n}@example.org")
    first = admin_client.get_page("sign_in_events.index")
    assert [r.select("td")[2].text for r in first.select("tr.app-sign-in-event")] == [
        "p2@example.org",
        "p1@example.org",
    ]
    older = first.select_one("a[rel=next]")["href"]
    second = admin_client.get(older).get_data(as_text=True)
    assert "p0@example.org" in second and "p1@example.org" not in second
    assert admin_client.get("/admin/sign-in-events?before=x").status_code == 404


@pytest.mark.parametrize("role", [Role.OWNER, Role.BOARD, Role.SCRUTINY])
def test_only_administrators_see_sign_in_events(client_as, role):
    assert client_as(role).get("/admin/sign-in-events").status_code == 403


def test_pruning_forgets_spent_counters_and_old_events(app, client, frozen_now):
    from tracker.models import SignInThrottle

    user = factories.make_user(role=Role.OWNER)
    for _ in range(5):
        _try(client, user.email)  # locks the email address until 9:15
    frozen_now(days=400)
    _try(client, "recent@example.org")
    db.session.commit()
    runner = app.test_cli_runner()

    result = runner.invoke(args=["tracker", "prune-sign-ins"])

    assert result.exit_code == 0, result.output
    # The old events and the old email's counter go; the recent failure's counters and event stay.
    assert "Sign-in counters removed: 1. Sign-in events removed: 6." in result.output
    assert [e.email for e in _events()] == ["recent@example.org"]
    keys = sorted(db.session.scalars(select(SignInThrottle.key)))
    assert keys == ["127.0.0.1", "recent@example.org"]


def test_pruning_keeps_a_lock_that_is_still_running(app, client, frozen_now):
    from tracker.jobs import prune_sign_ins

    user = factories.make_user(role=Role.OWNER)
    for _ in range(5):
        _try(client, user.email)
    app.config["SIGN_IN_LOCK_MINUTES"] = 60
    try:
        for _ in range(5):
            _try(client, "locked-long@example.org")
        frozen_now(minutes=30)  # both windows over; only the second lock still running
        prune_sign_ins()
        assert _try(client, "locked-long@example.org", factories.PASSWORD).status_code == 429
        assert _try(client, user.email, factories.PASSWORD).status_code == 302
    finally:
        app.config["SIGN_IN_LOCK_MINUTES"] = 15
