"""Two app servers (gunicorn processes of their own) on one PostgreSQL, as a partnership running several would.

One browser (one cookie jar, as behind a load balancer) talks to both. Wrong passwords sent to
either are counted together, and a change saved through one shows on the other's dashboard at
once, though each server keeps the dashboard figures it counted.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import date
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests import factories
from tests.conftest import ROOT
from tracker.extensions import db
from tracker.models import Rag, Role

WRONG = "not the password at all"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args, **_kwargs):
        return None  # a 302 comes back as the answer, as the test wants to see it


class Browser:
    """One cookie jar for every server: cookies for 127.0.0.1 go to both ports, like one site."""

    def __init__(self) -> None:
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirects)

    def request(self, url: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(url, data=body, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def form(self, url: str) -> dict[str, str]:
        """The hidden fields of the form on the page at url (its CSRF token, version stamps)."""
        status, html = self.request(url)
        assert status == 200, (url, status)
        page = BeautifulSoup(html, "html.parser")
        return {field["name"]: field.get("value", "") for field in page.select("form input[type=hidden]")}

    def sign_in(self, server: str, email: str, password: str) -> int:
        token = self.form(f"{server}/sign-in")["csrf_token"]
        return self.request(f"{server}/sign-in", {"csrf_token": token, "email": email, "password": password})[0]


@pytest.fixture
def two_servers(app, backend, tmp_path):
    if backend != "postgresql":
        pytest.skip("several app servers share one PostgreSQL")
    db.session.commit()
    env = {key: value for key, value in os.environ.items() if key != "PYTEST_XDIST_WORKER"}
    env.update(
        DATABASE_URL=db.engine.url.render_as_string(hide_password=False),
        SECRET_KEY="one-key-for-every-server",
        UPLOAD_FOLDER=str(tmp_path / "evidence"),
        TRACKER_TODAY="2015-07-01",
    )
    gunicorn = Path(sys.executable).parent / "gunicorn"
    servers, processes = [], []
    try:
        for _ in range(2):
            port = _free_port()
            processes.append(
                subprocess.Popen(
                    [str(gunicorn), "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "2", "wsgi:app"],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            servers.append(f"http://127.0.0.1:{port}")
        for server in servers:
            _wait_until_up(server)
        yield servers
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_until_up(server: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{server}/healthz", timeout=5) as response:  # noqa: S310 (our own server)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{server} did not start")


@pytest.fixture
def people(app):
    post = factories.make_post("CSE Co-ordinator")
    owner = factories.make_user(role=Role.OWNER, posts=[post])
    board = factories.make_user(role=Role.BOARD)
    plan = factories.make_plan()
    action = factories.make_action(plan, due_date=date(2015, 9, 30), delivery_rag=Rag.GREEN, responsible=[post])
    db.session.commit()
    return owner, board, action


def test_wrong_passwords_sent_to_both_servers_are_counted_together(people, two_servers):
    owner, _board, _action = people
    first, second = two_servers
    browser = Browser()
    statuses = [browser.sign_in(first if n % 2 else second, owner.email, WRONG) for n in range(5)]
    assert statuses == [200] * 5
    assert browser.sign_in(first, owner.email, factories.PASSWORD) == 429
    assert browser.sign_in(second, owner.email, factories.PASSWORD) == 429


def test_a_change_through_one_server_shows_on_the_others_dashboard_at_once(people, two_servers):
    owner, board, action = people
    first, second = two_servers
    owner_browser, board_browser = Browser(), Browser()
    assert owner_browser.sign_in(first, owner.email, factories.PASSWORD) == 302
    assert board_browser.sign_in(first, board.email, factories.PASSWORD) == 302

    assert _red_actions_on_dashboard(board_browser, second) == 0  # the second server counts, and keeps it

    form = owner_browser.form(f"{first}/actions/{action.id}/update")
    update = {"delivery_rag": "red", "outcome_rag": "not_rated", "status": "in_progress", "commentary": "Stalled."}
    status, _ = owner_browser.request(f"{first}/actions/{action.id}/update", {**form, **update})
    assert status == 302

    assert _red_actions_on_dashboard(board_browser, second) == 1
    # And the session made on the first server works on the second: one secret key, state in the database.
    assert board_browser.request(f"{second}/plans")[0] == 200


def _red_actions_on_dashboard(browser: Browser, server: str) -> int:
    status, html = browser.request(f"{server}/dashboard")
    assert status == 200
    page = BeautifulSoup(html, "html.parser")
    figure = json.loads(page.select_one("script#strands-figure").string)
    red = next(trace for trace in figure["data"] if trace["name"] == "Red")
    values = red["x"] if red.get("orientation") == "h" else red["y"]
    return sum(int(value) for value in values if re.fullmatch(r"\d+", str(value)))
