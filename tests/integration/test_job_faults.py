"""The scheduled jobs killed half-way (SIGKILL, in a process of their own) and run again: nothing twice.

The job runs in a child process (tests/killed_job.py) that stops dead at a chosen call and is
killed there, so its database connection dies with it and nothing after that point runs,
not even a rollback. The test then runs the job again in this process and counts.
"""

import os
import signal
import subprocess
import sys
import threading
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.conftest import ROOT
from tests.integration import test_reminders
from tracker import clock
from tracker.extensions import db
from tracker.jobs import auto_amber, send_reminders
from tracker.models import Action, HistoryEntry, Notification, Rag, ReminderEmail

TODAY = date(2015, 7, 1)

# The reminder tests' real SMTP server (aiosmtpd) and mail settings, shared as fixtures.
mail_config = test_reminders.mail_config
smtp_server = test_reminders.smtp_server


def run_and_kill(job: str, stop_at: str, on_call: int, extra_env: dict[str, str] | None = None) -> None:
    """Run tracker.jobs.<job> in a child process and SIGKILL it when it reaches the on_call'th call of stop_at."""
    db.session.commit()
    env = {key: value for key, value in os.environ.items() if key not in {"TRACKER_TODAY", "PYTEST_XDIST_WORKER"}}
    env.update(
        DATABASE_URL=db.engine.url.render_as_string(hide_password=False),
        SECRET_KEY="test-secret-key-not-for-real-use",
        **(extra_env or {}),
    )
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.killed_job", job, TODAY.isoformat(), stop_at, str(on_call)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    guard = threading.Timer(120, child.kill)  # never hang the suite if the child never gets there
    guard.start()
    try:
        line = child.stdout.readline().strip()
        assert line == "stopped", f"the job did not reach {stop_at}: {line!r} {child.stderr.read()}"
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        guard.cancel()
        child.kill()
        child.stdout.close()
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL
    db.session.expire_all()


def _count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


# --- auto-amber ------------------------------------------------------------------------------


@pytest.fixture
def overdue_plan(app):
    post = factories.make_post("CSE Co-ordinator")
    factories.make_user(posts=[post], name="Sam Patel")
    plan = factories.make_plan()
    plan.escalate_to_red_after_days = 10
    actions = [factories.make_action(plan, due_date=date(2015, 6, 1 + n), responsible=[post]) for n in range(6)]
    return actions


@pytest.mark.parametrize(
    "on_call", [1, 2], ids=["after recording amber, before telling owners", "half-way through escalating"]
)
def test_auto_amber_killed_half_way_then_run_again_records_everything_once(overdue_plan, on_call):
    run_and_kill("auto_amber", "tracker.services.auto_amber:_notify_owners", on_call)

    # One transaction for the whole run: the killed run left nothing, not even its claims.
    assert _count(select(HistoryEntry.id)) == 0
    assert _count(select(Notification.id)) == 0
    assert _count(select(Action.id).where(Action.auto_amber_recorded_for.is_not(None))) == 0

    result = auto_amber(TODAY)
    assert (result.newly_overdue, result.escalated_to_red) == (6, 6)
    again = auto_amber(TODAY)
    assert (again.newly_overdue, again.escalated_to_red, again.notifications) == (0, 0, 0)
    assert _count(select(HistoryEntry.id).where(HistoryEntry.field == "auto_amber")) == 6
    assert _count(select(HistoryEntry.id).where(HistoryEntry.field == "delivery_rag")) == 6
    assert _count(select(Notification.id)) == 12
    assert {a.delivery_rag for a in db.session.scalars(select(Action))} == {Rag.RED}


# --- reminders -------------------------------------------------------------------------------


@pytest.fixture
def three_owners(app):
    """Three people, each owning one action due within the reminder period: three digests."""
    plan = factories.make_plan()
    people = []
    for n in range(3):
        post = factories.make_post()
        people.append(factories.make_user(posts=[post], email=f"owner{n}@example.org"))
        factories.make_action(plan, due_date=date(2015, 7, 5 + n), responsible=[post],
                              last_progress_at=datetime(2015, 6, 20))  # fmt: skip
    return people


def test_reminders_killed_before_the_second_email_then_run_again_send_each_once(
    three_owners, smtp_server, mail_config, monkeypatch
):
    env = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(mail_config["MAIL_PORT"]), "BASE_URL": mail_config["BASE_URL"]}
    run_and_kill("send_reminders", "tracker.mail:Mailer.send", 2, env)

    assert len(smtp_server.messages) == 1
    statuses = sorted(db.session.scalars(select(ReminderEmail.status)))
    assert statuses == ["sending", "sent"]  # the second person's email was claimed, never sent

    # Run again at once: the third person is sent theirs; the claim the killed run left is not yet taken over.
    again = send_reminders(TODAY)
    assert (again.sent, again.already_sent) == (1, 2)
    # The next run after the claim has gone stale sends the second person theirs.
    later = clock.now() + timedelta(minutes=31)
    monkeypatch.setattr(clock, "now", lambda: later)
    last = send_reminders(TODAY)
    assert (last.sent, last.already_sent) == (1, 2)
    assert send_reminders(TODAY).sent == 0

    received = sorted(message["To"] for message in smtp_server.messages)
    assert received == ["owner0@example.org", "owner1@example.org", "owner2@example.org"]
    assert sorted(db.session.scalars(select(ReminderEmail.status))) == ["sent"] * 3
