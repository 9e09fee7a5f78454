"""Two app servers (gunicorn processes of their own) on one PostgreSQL, as a partnership running several would.

One browser (one cookie jar, as behind a load balancer) talks to both. Wrong passwords sent to
either are counted together, a change saved through one shows on the other's dashboard at
once, though each server keeps the dashboard figures it counted, and a file uploaded through one
downloads through the other (each server has a local folder of its own, so the file must be in
the database or in object storage).
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
from sqlalchemy import select

from tests import evidence_stores, factories
from tests.conftest import ROOT
from tests.evidence_files import PDF
from tracker.extensions import db
from tracker.models import Evidence, Rag, Role

WRONG = "not the password at all"

s3_server = evidence_stores.s3_server


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
        status, _headers, content = self.fetch(url, body)
        return status, content.decode()

    def fetch(
        self, url: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        request = urllib.request.Request(url, data=body, headers=headers or {})  # noqa: S310 (our own servers)
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def upload(self, url: str, fields: dict[str, str], file_field: str, filename: str, data: bytes) -> int:
        """POST a form with a file, as a browser sends it (multipart/form-data)."""
        boundary = "----tracker-test-boundary-7MA4YWxkTrZu0gW"
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
            for name, value in fields.items()
        ]
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{filename}"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n".encode()
            + data
            + b"\r\n"
        )
        parts.append(f"--{boundary}--\r\n".encode())
        return self.fetch(url, b"".join(parts), {"Content-Type": f"multipart/form-data; boundary={boundary}"})[0]

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
def evidence_env(request) -> dict[str, str]:
    """The evidence storage settings every server gets: the default (the database, on PostgreSQL) or S3."""
    if getattr(request, "param", "database") == "s3":
        return evidence_stores.s3_settings(request.getfixturevalue("s3_server"))
    return {"EVIDENCE_STORAGE": getattr(request, "param", "")}


@pytest.fixture
def two_servers(app, backend, tmp_path, evidence_env):
    if backend != "postgresql":
        pytest.skip("several app servers share one PostgreSQL")
    db.session.commit()
    env = {key: value for key, value in os.environ.items() if key != "PYTEST_XDIST_WORKER"}
    env.update(
        DATABASE_URL=db.engine.url.render_as_string(hide_password=False),
        SECRET_KEY="one-key-for-every-server",
        TRACKER_TODAY="2015-07-01",
        **evidence_env,
    )
    gunicorn = Path(sys.executable).parent / "gunicorn"
    servers, processes = [], []
    try:
        for number in range(2):
            port = _free_port()
            processes.append(
                subprocess.Popen(
                    [str(gunicorn), "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "2", "wsgi:app"],
                    cwd=ROOT,
                    # A local folder of its own: nothing on one machine that another needs.
                    env={**env, "UPLOAD_FOLDER": str(tmp_path / f"evidence-{number}")},
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


@pytest.mark.parametrize("evidence_env", ["database", "s3"], indirect=True)
def test_a_file_uploaded_through_one_server_downloads_through_the_other(people, two_servers, tmp_path):
    owner, board, action = people
    first, second = two_servers
    owner_browser, board_browser = Browser(), Browser()
    assert owner_browser.sign_in(first, owner.email, factories.PASSWORD) == 302
    assert board_browser.sign_in(second, board.email, factories.PASSWORD) == 302

    form = owner_browser.form(f"{first}/actions/{action.id}/update")
    update = {"delivery_rag": "green", "outcome_rag": "not_rated", "status": "in_progress", "commentary": "Done."}
    status = owner_browser.upload(
        f"{first}/actions/{action.id}/update", {**form, **update, "evidence_file_title": "Audit"},
        "evidence_file", "audit report.pdf", PDF,
    )  # fmt: skip
    assert status == 302

    db.session.expire_all()
    evidence = db.session.scalars(select(Evidence)).one()
    status, headers, data = board_browser.fetch(f"{second}/evidence/{evidence.id}/download")
    assert status == 200
    assert data == PDF
    assert headers["Content-Type"] == "application/pdf"
    assert headers["Content-Disposition"].startswith('attachment; filename="audit_report.pdf"')
    assert headers["X-Content-Type-Options"] == "nosniff"
    # Neither server's own folder has it: it is where both reach.
    assert not any(path.is_file() for path in tmp_path.rglob("*"))
