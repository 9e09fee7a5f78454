"""The evidence sweep: files no evidence row names (left by a request that died before committing)
are removed once an hour old; files rows name, and files still fresh, are kept."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from tests import evidence_stores
from tests.evidence_files import PDF, TEXT
from tests.evidence_stores import StoreProbe
from tests.integration.test_progress_updates import owned_action, submit
from tracker.evidence_store import new_key
from tracker.extensions import db
from tracker.jobs import sweep_evidence
from tracker.models import Evidence

evidence_store = evidence_stores.evidence_store
s3_server = evidence_stores.s3_server

LATER = timedelta(hours=2)  # past the hour a request may take between writing its file and committing


@pytest.fixture(autouse=True)
def _today(pinned_today):
    pinned_today("2015-07-01")


def _orphans(store: StoreProbe, count: int) -> set[str]:
    names = {new_key() for _ in range(count)}
    for name in names:
        store.write_orphan(name, TEXT)
    return names


def test_the_sweep_keeps_referenced_and_fresh_files_and_removes_old_orphans(app, evidence_store: StoreProbe, client_as):
    client, action = owned_action(client_as, due_date=date(2030, 1, 1))
    submit(client, action.id, delivery_rag="green", outcome_rag="not_rated", status="in_progress",
           evidence_file=(io.BytesIO(PDF), "report.pdf"), evidence_file_title="Report")  # fmt: skip
    kept = db.session.scalars(select(Evidence)).one()
    if evidence_store.kind == "database":
        # Nothing to sweep: parts cannot outlive their row. The sweep leaves the file alone.
        assert sweep_evidence(datetime.now(UTC) + LATER).removed == 0
        assert evidence_store.names() == {kept.stored_name}
        return
    orphans = _orphans(evidence_store, 3)

    fresh = sweep_evidence()  # written moments ago: a request may still be about to commit them
    assert fresh.removed == 0
    assert evidence_store.names() == orphans | {kept.stored_name}

    result = sweep_evidence(datetime.now(UTC) + LATER)
    assert result.removed == 3
    assert evidence_store.names() == {kept.stored_name}
    assert client.get(f"/evidence/{kept.id}/download").data == PDF


@pytest.mark.parametrize("evidence_store", ["folder"], indirect=True)  # only the folder writes a temporary name
def test_a_half_written_file_in_the_folder_is_swept(app, evidence_store: StoreProbe):
    name = new_key()
    evidence_store.folder.mkdir(parents=True, exist_ok=True)
    (evidence_store.folder / f"{name}.part").write_bytes(TEXT)
    (evidence_store.folder / "notes-kept-by-hand.txt").write_bytes(TEXT)  # not a name the tracker makes
    assert sweep_evidence(datetime.now(UTC) + LATER).removed == 1
    assert evidence_store.names() == {"notes-kept-by-hand.txt"}


@pytest.mark.parametrize("evidence_store", ["s3"], indirect=True)
def test_objects_outside_the_tracker_s_names_are_left_in_the_bucket(app, evidence_store: StoreProbe):
    client = evidence_store._client()
    client.put_object(Bucket=evidence_stores.BUCKET, Key=f"{evidence_stores.PREFIX}README", Body=b"kept")
    client.put_object(Bucket=evidence_stores.BUCKET, Key=f"backups/{new_key()}", Body=b"kept")
    orphan = _orphans(evidence_store, 1)
    assert sweep_evidence(datetime.now(UTC) + LATER).removed == 1
    keys = {item["Key"] for item in client.list_objects_v2(Bucket=evidence_stores.BUCKET)["Contents"]}
    assert f"{evidence_stores.PREFIX}README" in keys and len(keys) == 2
    assert not orphan & evidence_store.names()


@pytest.mark.parametrize("evidence_store", ["folder", "s3"], indirect=True)
def test_the_command_line_sweep_says_what_it_did(app, evidence_store: StoreProbe):
    _orphans(evidence_store, 2)
    result = app.test_cli_runner().invoke(args=["tracker", "sweep-evidence"])
    assert result.exit_code == 0, result.output
    assert "Evidence files removed: 0. Kept: 2." in result.output  # fresh: a request may be about to commit them
