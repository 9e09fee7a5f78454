"""Reminder emails, sent through a real SMTP server (aiosmtpd on a free loopback port) and read back."""

import email
import logging
import socket
import ssl
import subprocess
from datetime import date, datetime
from email import policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from click.testing import CliRunner
from flask.cli import ScriptInfo
from sqlalchemy import select

from tests import factories
from tests.concurrently import run_at_once
from tracker import mail
from tracker.cli import tracker_cli
from tracker.extensions import db
from tracker.jobs import auto_amber as run_auto_amber
from tracker.jobs import send_reminders
from tracker.models import Notification, ReminderEmail, ReportingDate, Role, Status

TODAY = date(2015, 7, 1)
BASE_URL = "https://tracker.example.org"
MAIL_KEYS = ("MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS", "MAIL_USE_SSL", "MAIL_USERNAME", "MAIL_PASSWORD", "BASE_URL")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps what it receives, and can refuse chosen recipients."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse: set[str] = set()
        self.logins: list[tuple[bytes, bytes]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        self.logins.append((auth_data.login, auth_data.password))
        accepted = auth_data.login == b"tracker" and auth_data.password == b"mail-secret"
        return AuthResult(success=accepted, handled=False)  # handled=False: the server answers 535 itself


@pytest.fixture
def mail_config(app):
    saved = {key: app.config[key] for key in MAIL_KEYS}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_USE_TLS=False, MAIL_USE_SSL=False, BASE_URL=BASE_URL)
    app.config.update(MAIL_USERNAME=None, MAIL_PASSWORD=None, MAIL_TIMEOUT=5)
    yield app.config
    app.config.update(saved)
    app.config.pop("MAIL_TIMEOUT")


@pytest.fixture
def smtp_server(mail_config):
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    mail_config["MAIL_PORT"] = port
    try:
        yield inbox
    finally:
        controller.stop()


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _html(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


@pytest.fixture
def owner_with_actions(app):
    """Sam holds the CSE Co-ordinator post, which owns actions in every state a digest cares about."""
    post = factories.make_post("CSE Co-ordinator")
    sam = factories.make_user(posts=[post], name="Sam Patel", email="sam@example.org")
    plan = factories.make_plan(name="CSE plan")
    plan.created_at = datetime(2015, 3, 1)
    db.session.add(
        ReportingDate(
            plan_id=plan.id,
            meeting_name="LSCB board",
            meeting_date=date(2015, 7, 15),
            updates_due_date=date(2015, 7, 6),  # within the 7 days
        )
    )
    actions = {
        "overdue": factories.make_action(plan, reference="1.1", text="Maintain the problem profile",
                                         due_date=date(2015, 6, 15), responsible=[post],
                                         last_progress_at=datetime(2015, 6, 20)),
        "due_soon": factories.make_action(plan, reference="2.1", text="Train school staff",
                                          due_date=date(2015, 7, 10), responsible=[post],
                                          last_progress_at=datetime(2015, 6, 20)),
        "due_later": factories.make_action(plan, reference="2.2", text="Review the training",
                                           due_date=date(2015, 7, 20), responsible=[post],
                                           last_progress_at=datetime(2015, 6, 20)),
        "stale": factories.make_action(plan, reference="3.1", text="Map the hotspots",
                                       due_date=date(2015, 12, 31), accountable=[post]),
        "done": factories.make_action(plan, reference="4.1", text="Publish the leaflet",
                                      due_date=date(2015, 7, 2), status=Status.COMPLETE, responsible=[post]),
    }  # fmt: skip
    db.session.commit()
    return sam, actions


def test_one_digest_lists_overdue_due_soon_and_update_needed_with_links(owner_with_actions, smtp_server):
    sam, actions = owner_with_actions
    run_auto_amber(TODAY)

    result = send_reminders(TODAY)

    assert (result.sent, result.failed) == (1, 0)
    [message] = smtp_server.to("sam@example.org")
    assert message["From"] == "Safeguarding action plan tracker <tracker@localhost>"
    assert message["Subject"] == "Your safeguarding actions: 1 overdue, 1 due soon, 1 to update"
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]

    text = _text(message)
    assert text.startswith("Dear Sam Patel,")
    overdue, due_soon, update = (
        text.index("NEWLY OVERDUE"),
        text.index("DUE SOON"),
        text.index("UPDATE NEEDED BEFORE THE NEXT MEETING"),
    )
    assert overdue < due_soon < update
    assert "Action 1.1: Maintain the problem profile" in text[overdue:due_soon]
    assert "Amber: overdue since 16 June 2015" in text[overdue:due_soon]
    assert f"{BASE_URL}/actions/{actions['overdue'].id}" in text[overdue:due_soon]
    assert "Action 2.1: Train school staff" in text[due_soon:update]
    assert "Due 10 July 2015, in 9 days" in text[due_soon:update]
    assert f"{BASE_URL}/actions/{actions['due_soon'].id}" in text[due_soon:update]
    assert "Action 3.1: Map the hotspots" in text[update:]
    assert "No update this cycle: update due by 6 July 2015" in text[update:]
    assert "Review the training" not in text  # due in 19 days: outside the 14
    assert "Publish the leaflet" not in text  # complete

    html = _html(message)
    assert "<h2" in html and "Newly overdue" in html
    assert f'href="{BASE_URL}/actions/{actions["due_soon"].id}"' in html
    assert "Safeguarding action plan tracker" in html

    record = db.session.scalars(select(ReminderEmail)).one()
    assert (record.user_id, record.sent_for, record.status, record.attempts) == (sam.id, TODAY, "sent", 1)
    assert all(n.emailed_at is not None for n in db.session.scalars(select(Notification)))


def test_at_most_one_email_per_person_per_day(owner_with_actions, smtp_server):
    send_reminders(TODAY)
    again = send_reminders(TODAY)
    assert (again.sent, again.already_sent) == (0, 1)
    assert len(smtp_server.messages) == 1
    tomorrow = send_reminders(date(2015, 7, 2))
    assert tomorrow.sent == 1
    assert len(smtp_server.messages) == 2
    # Told once about an overdue action: the next day's digest does not repeat it.
    run_auto_amber(date(2015, 7, 2))
    send_reminders(date(2015, 7, 3))
    send_reminders(date(2015, 7, 4))
    assert "NEWLY OVERDUE" in _text(smtp_server.messages[2])
    assert "NEWLY OVERDUE" not in _text(smtp_server.messages[3])


def test_reminder_periods_come_from_the_plan(owner_with_actions, smtp_server):
    _sam, actions = owner_with_actions
    plan = actions["due_later"].objective.strand.plan
    plan.remind_due_within_days = 30
    plan.remind_update_within_days = 3
    db.session.commit()
    send_reminders(TODAY)
    text = _text(smtp_server.messages[0])
    assert "Review the training" in text and "Due 20 July 2015, in 19 days" in text
    assert "UPDATE NEEDED" not in text  # updates due in 5 days: outside the 3


def test_people_with_nothing_due_get_nothing(app, smtp_server):
    post = factories.make_post()
    factories.make_user(posts=[post], email="idle@example.org")
    disabled = factories.make_user(posts=[post], email="gone@example.org", is_enabled=False)
    plan = factories.make_plan()
    factories.make_action(plan, due_date=date(2015, 7, 5), responsible=[post])
    db.session.commit()
    result = send_reminders(date(2015, 1, 1))
    assert result.sent == 0 and smtp_server.messages == []
    result = send_reminders(TODAY)
    assert result.sent == 1
    assert smtp_server.to(disabled.email) == []


def test_user_text_is_escaped_in_the_html_part_only(app, smtp_server):
    post = factories.make_post()
    factories.make_user(posts=[post], email="owner@example.org", name="O'Brien & Co")
    factories.make_action(
        factories.make_plan(), text="<script>alert(1)</script> & more", due_date=date(2015, 7, 3), responsible=[post]
    )
    db.session.commit()
    send_reminders(TODAY)
    [message] = smtp_server.messages
    assert "<script>alert(1)</script> & more" in _text(message)
    assert "Dear O'Brien & Co," in _text(message)
    html = _html(message)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html


def test_a_server_that_is_down_is_logged_and_retried_on_the_next_run(owner_with_actions, mail_config, caplog):
    run_auto_amber(TODAY)
    port = _free_port()  # nothing listens here
    mail_config["MAIL_PORT"] = port
    with caplog.at_level(logging.WARNING, logger="tracker.services.reminders"):
        result = send_reminders(TODAY)
    assert (result.sent, result.failed) == (0, 1)
    record = db.session.scalars(select(ReminderEmail)).one()
    assert (record.status, record.attempts) == ("failed", 1)
    assert "Could not connect to the mail server 127.0.0.1" in record.last_error
    assert "to be retried on the next run" in caplog.text and "sam@example.org" in caplog.text
    assert all(n.emailed_at is None for n in db.session.scalars(select(Notification)))

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        result = send_reminders(TODAY)
    finally:
        controller.stop()
    assert (result.sent, result.failed) == (1, 0)
    assert "NEWLY OVERDUE" in _text(inbox.messages[0])
    db.session.expire_all()
    record = db.session.scalars(select(ReminderEmail)).one()
    assert (record.status, record.attempts, record.last_error) == ("sent", 2, "")


def test_one_refused_address_does_not_stop_the_others(app, smtp_server):
    post = factories.make_post()
    factories.make_user(posts=[post], email="a@example.org")
    factories.make_user(posts=[post], email="bounce@example.org")
    factories.make_user(posts=[post], email="c@example.org")
    factories.make_action(factories.make_plan(), due_date=date(2015, 7, 3), responsible=[post])
    db.session.commit()
    smtp_server.refuse.add("bounce@example.org")
    result = send_reminders(TODAY)
    assert (result.sent, result.failed) == (2, 1)
    assert sorted(m["To"] for m in smtp_server.messages) == ["a@example.org", "c@example.org"]
    failed = db.session.scalars(select(ReminderEmail).where(ReminderEmail.status == "failed")).one()
    assert "550" in failed.last_error and "bounce@example.org" in failed.last_error


@pytest.fixture
def tls_files(tmp_path):
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return key, cert


@pytest.fixture
def starttls_server(tls_files, monkeypatch):
    """A server that requires STARTTLS and a login, with the test's certificate trusted: (inbox, port)."""
    key, cert = tls_files
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    # The test's own certificate stands in for a real one: trust it as the client's CA.
    trusting = ssl.create_default_context(cafile=str(cert))
    monkeypatch.setattr(mail.ssl, "create_default_context", lambda: trusting)
    inbox = Inbox()
    port = _free_port()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=port, tls_context=server_context, require_starttls=True,
        authenticator=inbox.authenticate, auth_required=True,
    )  # fmt: skip
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def test_starttls_and_credentials_from_the_configuration(owner_with_actions, mail_config, starttls_server):
    inbox, port = starttls_server
    mail_config.update(MAIL_PORT=port, MAIL_USE_TLS=True, MAIL_USERNAME="tracker", MAIL_PASSWORD="mail-secret")
    result = send_reminders(TODAY)
    assert (result.sent, result.failed) == (1, 0)
    assert inbox.logins == [(b"tracker", b"mail-secret")]
    assert inbox.to("sam@example.org")


def test_wrong_credentials_fail_without_revealing_the_password(owner_with_actions, mail_config, starttls_server):
    inbox, port = starttls_server
    mail_config.update(MAIL_PORT=port, MAIL_USE_TLS=True, MAIL_USERNAME="tracker", MAIL_PASSWORD="wrong-secret")
    result = send_reminders(TODAY)
    assert result.failed == 1 and inbox.messages == []
    record = db.session.scalars(select(ReminderEmail)).one()
    assert record.status == "failed" and "535" in record.last_error
    assert "wrong-secret" not in record.last_error


def test_tls_asked_for_but_not_offered_is_a_logged_failure(owner_with_actions, smtp_server, mail_config):
    mail_config["MAIL_USE_TLS"] = True
    result = send_reminders(TODAY)
    assert (result.sent, result.failed) == (0, 1)
    assert "STARTTLS" in db.session.scalars(select(ReminderEmail)).one().last_error


def test_the_command_line_sends_reminders(app, owner_with_actions, smtp_server, pinned_today):
    pinned_today("2015-07-01")
    runner = CliRunner()
    info = ScriptInfo(create_app=lambda: app)
    result = runner.invoke(tracker_cli, ["send-reminders"], obj=info)
    assert result.exit_code == 0, result.output
    assert "Reminder emails sent: 1." in result.output
    again = runner.invoke(tracker_cli, ["send-reminders"], obj=info)
    assert "Reminder emails sent: 0." in again.output and "Already sent today: 1." in again.output
    assert len(smtp_server.messages) == 1


def test_scrutiny_councillors_are_not_emailed_about_restricted_actions(app, smtp_server):
    post = factories.make_post()
    factories.make_user(role=Role.SCRUTINY, posts=[post], email="cllr@example.org")
    plan = factories.make_plan()
    factories.make_action(
        plan, text="Operation details", is_restricted=True, due_date=date(2015, 7, 3), responsible=[post]
    )
    factories.make_action(plan, text="Public work", due_date=date(2015, 7, 4), responsible=[post])
    db.session.commit()
    send_reminders(TODAY)
    [message] = smtp_server.messages
    assert "Public work" in _text(message) and "Operation details" not in _text(message)


def test_two_runs_at_the_same_time_send_one_email(app, owner_with_actions, smtp_server):
    results, errors = run_at_once(app, lambda: send_reminders(TODAY))
    assert errors == []
    assert sorted((r.sent, r.already_sent) for r in results) == [(0, 1), (1, 0)]
    assert len(smtp_server.messages) == 1
