"""A worker killed in the middle of a progress update with a file (SIGKILL, in a process of its own):
the update and its file are saved together or not at all.

With the files in the database there is nothing else to say: the file is written in the update's
transaction. With the local folder or S3 the file is written before the commit; a kill before the
commit leaves a file no row names, which the sweep removes once it is an hour old.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests import evidence_stores, factories
from tests.conftest import ROOT
from tests.evidence_files import PDF
from tests.evidence_stores import StoreProbe
from tests.integration.test_progress_updates import owned_action, submit
from tracker.extensions import db
from tracker.jobs import sweep_evidence
from tracker.models import Action, Evidence, HistoryEntry, ProgressUpdate

evidence_store = evidence_stores.evidence_store
s3_server = evidence_stores.s3_server

COMMIT = "sqlalchemy.orm.session:Session.commit"
# Three database parts: the kill can land between two of them.
LARGE_PDF = PDF + bytes(range(256)) * 10_000


@pytest.fixture(autouse=True)
def _today(pinned_today):
    pinned_today("2015-07-01")


def run_and_kill(app, store: StoreProbe, owner, action_id: int, file: bytes, stop_at: str, on_call: int, when: str,
                 tmp_path) -> None:  # fmt: skip
    """Send the update from a child process and SIGKILL it at the on_call'th call of stop_at."""
    db.session.commit()
    upload = tmp_path / "attendance.pdf"
    upload.write_bytes(file)
    env = {key: value for key, value in os.environ.items() if key != "PYTEST_XDIST_WORKER"}
    env.update(
        DATABASE_URL=db.engine.url.render_as_string(hide_password=False),
        SECRET_KEY="test-secret-key-not-for-real-use",
        SESSION_COOKIE_SECURE="false",
        TRACKER_TODAY="2015-07-01",
        UPLOAD_FOLDER=app.config["UPLOAD_FOLDER"],
        EVIDENCE_STORAGE=store.kind,
    )
    if store.kind == "s3":
        env.update(evidence_stores.s3_settings(store.endpoint))
    arguments = [str(action_id), owner.email, factories.PASSWORD, str(upload), stop_at, str(on_call), when]
    child = subprocess.Popen([sys.executable, "-m", "tests.killed_update", *arguments], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    guard = threading.Timer(120, child.kill)  # never hang the suite if the child never gets there
    guard.start()
    try:
        line = child.stdout.readline().strip()
        assert line == "stopped", f"the update did not reach {stop_at}: {line!r} {child.stderr.read()}"
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        guard.cancel()
        child.kill()
        child.stdout.close()
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL
    db.session.expire_all()


def _counts(action_id: int) -> tuple[int, int, int]:
    return (
        db.session.scalar(select(func.count(ProgressUpdate.id)).where(ProgressUpdate.action_id == action_id)),
        db.session.scalar(select(func.count(Evidence.id)).where(Evidence.action_id == action_id)),
        db.session.scalar(select(func.count(HistoryEntry.id)).where(HistoryEntry.action_id == action_id)),
    )


@pytest.fixture
def earlier_update(client_as):
    """An owner, their action and an update with a file saved before the one that is killed."""
    client, action = owned_action(client_as, due_date=date(2030, 1, 1))
    response = submit(client, action.id, delivery_rag="amber", outcome_rag="not_rated", status="in_progress", commentary="Venue booked.",
                      evidence_file=(io.BytesIO(PDF), "plan.pdf"), evidence_file_title="Plan")  # fmt: skip
    assert response.status_code == 302
    earlier = db.session.scalars(select(Evidence)).one()
    return client, action, earlier


def test_killed_before_the_commit_leaves_neither_the_update_nor_its_file(app, evidence_store, earlier_update, tmp_path):
    client, action, earlier = earlier_update
    before, version, names = _counts(action.id), action.version, evidence_store.names()

    run_and_kill(app, evidence_store, client.user, action.id, PDF, COMMIT, 1, "before", tmp_path)

    assert _counts(action.id) == before
    db.session.refresh(action)
    assert action.version == version and action.delivery_rag.value == "amber"
    left = evidence_store.names() - names
    if evidence_store.kind == "database":
        assert left == set()  # the parts were in the transaction the kill ended
    else:
        assert len(left) == 1  # written, never committed, never undone: an orphan
        assert sweep_evidence().removed == 0  # still fresh: the sweep cannot tell it from a request in flight
        assert sweep_evidence(datetime.now(UTC) + timedelta(hours=2)).removed == 1
        assert evidence_store.names() == names
    assert client.get(f"/evidence/{earlier.id}/download").data == PDF  # the earlier file is untouched

    # The owner sends the update again, and it is saved whole.
    response = submit(client, action.id, delivery_rag="green", outcome_rag="not_rated", status="in_progress",
                      commentary="Training delivered to all staff.",
                      evidence_file=(io.BytesIO(PDF), "attendance.pdf"))  # fmt: skip
    assert response.status_code == 302
    assert _counts(action.id)[:2] == (before[0] + 1, before[1] + 1)


def test_killed_just_after_the_commit_keeps_the_update_and_its_file(app, evidence_store, earlier_update, tmp_path):
    client, action, _earlier = earlier_update
    before = _counts(action.id)

    run_and_kill(app, evidence_store, client.user, action.id, PDF, COMMIT, 1, "after", tmp_path)

    updates, files, history = _counts(action.id)
    assert (updates, files) == (before[0] + 1, before[1] + 1) and history > before[2]
    db.session.refresh(action)
    assert action.delivery_rag.value == "green"
    saved = db.session.scalars(select(Evidence).where(Evidence.title == "Attendance")).one()
    assert saved.storage == evidence_store.kind
    assert client.get(f"/evidence/{saved.id}/download").data == PDF
    assert sweep_evidence(datetime.now(UTC) + timedelta(hours=2)).removed == 0


@pytest.mark.parametrize("evidence_store", ["database"], indirect=True)
def test_killed_half_way_through_writing_the_file_to_the_database_leaves_nothing(
    app, evidence_store, earlier_update, tmp_path
):
    client, action, _earlier = earlier_update
    before, names = _counts(action.id), evidence_store.names()

    run_and_kill(app, evidence_store, client.user, action.id, LARGE_PDF, "tracker.evidence_store.database:insert", 2,
                 "before", tmp_path)  # fmt: skip

    assert _counts(action.id) == before
    assert evidence_store.names() == names
    assert db.session.get(Action, action.id).delivery_rag.value == "amber"
