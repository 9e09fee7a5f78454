"""Evidence files: stored under random names, served only to those who may see the action, verified by the co-ordinator."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import select

from tests import evidence_stores, factories
from tests.evidence_files import DOCX, PDF, PNG, TEXT
from tests.evidence_stores import StoreProbe
from tests.integration.test_progress_updates import open_form, owned_action, submit
from tracker.extensions import db
from tracker.models import Evidence, EvidenceFilePart, HistoryEntry, ProgressUpdate, Role

# Each store (folder, database, S3 through moto's server), as fixtures.
evidence_store = evidence_stores.evidence_store
s3_server = evidence_stores.s3_server


@pytest.fixture(autouse=True)
def _today(pinned_today):
    """The actions here are due in 2030: not overdue, whatever the date the tests run on."""
    pinned_today("2015-07-01")


def upload(client, action_id: int, data: bytes, name: str, title: str = "", form=None, **fields):
    values = {"delivery_rag": "green", "outcome_rag": "not_rated", "status": "in_progress", **fields}
    return submit(client, action_id, form, **values, evidence_file=(io.BytesIO(data), name), evidence_file_title=title)


def stored_files() -> set[str]:
    """Every file kept in the local folder or the database, the stores the default settings use."""
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    in_folder = {p.name for p in folder.iterdir()} if folder.exists() else set()
    return in_folder | set(db.session.scalars(select(EvidenceFilePart.stored_name).distinct()))


def test_an_uploaded_file_is_stored_under_a_random_name_and_downloads_safely(client_as, evidence_store: StoreProbe):
    client, action = owned_action(client_as, due_date=date(2030, 1, 1))
    before = evidence_store.names()
    response = upload(client, action.id, PDF, "../../Évaluation finale 😀.pdf", title="Evaluation report")
    assert response.status_code == 302

    evidence = db.session.scalars(select(Evidence)).one()
    assert evidence.kind == "file"
    assert evidence.title == "Evaluation report"
    assert evidence.original_filename == "Évaluation finale 😀.pdf"
    assert evidence.content_type == "application/pdf"
    assert evidence.size_bytes == len(PDF)
    assert evidence.storage == evidence_store.kind
    new_files = evidence_store.names() - before
    assert new_files == {evidence.stored_name}
    assert all(ch in "0123456789abcdef" for ch in evidence.stored_name)  # nothing the user typed
    assert evidence_store.read(evidence.stored_name) == PDF

    download = client.get(f"/evidence/{evidence.id}/download")
    assert download.status_code == 200
    assert download.data == PDF
    assert download.mimetype == "application/pdf"
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert "filename*=UTF-8''%C3%89valuation%20finale%20%F0%9F%98%80.pdf" in disposition
    assert 'filename="Evaluation_finale_.pdf"' in disposition
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in download.headers["Cache-Control"]
    assert download.headers["Content-Length"] == str(len(PDF))

    history = db.session.scalars(select(HistoryEntry).where(HistoryEntry.field == "evidence_added")).one()
    assert history.new_value == "Evaluation report"


def test_a_file_without_a_title_is_named_after_the_file(client_as):
    client, action = owned_action(client_as, due_date=date(2030, 1, 1))
    assert upload(client, action.id, DOCX, "Minutes June 2015.docx").status_code == 302
    evidence = db.session.scalars(select(Evidence)).one()
    assert evidence.title == "Minutes June 2015.docx"
    page = client.get_page("actions.show", action_id=action.id)
    row = page.select_one(f"#evidence-{evidence.id}")
    assert row.select_one("a")["href"] == f"/evidence/{evidence.id}/download"
    assert "Word document" in row.text


def test_a_link_and_a_file_in_one_update(client_as):
    client, action = owned_action(client_as, due_date=date(2030, 1, 1))
    response = upload(client, action.id, PNG, "poster.png", title="Awareness poster",
                      evidence_url="https://example.org/campaign", evidence_url_title="Campaign page")  # fmt: skip
    assert response.status_code == 302
    kinds = sorted(e.kind for e in db.session.scalars(select(Evidence)))
    assert kinds == ["file", "link"]
    page = client.get_page("actions.show", action_id=action.id)
    assert [a.text for a in page.select(".app-update ul a")] == ["Campaign page", "Awareness poster"]


def test_text_files_download_as_text_with_nosniff(client_as):
    client, action = owned_action(client_as, due_date=date(2030, 1, 1))
    assert upload(client, action.id, TEXT, "notes.html").status_code == 302
    evidence = db.session.scalars(select(Evidence)).one()
    download = client.get(f"/evidence/{evidence.id}/download")
    assert download.mimetype == "text/plain"
    assert 'filename="notes.html.txt"' in download.headers["Content-Disposition"]


def test_downloads_are_for_signed_in_users_who_may_see_the_action(
    app, client_as, client, scrutiny_client, board_client
):
    owner, action = owned_action(client_as, due_date=date(2030, 1, 1), is_restricted=True)
    assert upload(owner, action.id, PDF, "operation.pdf").status_code == 302
    evidence = db.session.scalars(select(Evidence)).one()
    url = f"/evidence/{evidence.id}/download"

    signed_out = client.get(url)
    assert signed_out.status_code == 302 and signed_out.location.startswith("/sign-in")
    assert scrutiny_client.get(url).status_code == 404  # a restricted action's evidence is not admitted to exist
    assert board_client.get(url).status_code == 200
    assert board_client.get("/evidence/999999/download").status_code == 404


def test_a_link_has_no_download(client_as):
    client, action = owned_action(client_as, due_date=date(2030, 1, 1))
    submit(client, action.id, delivery_rag="green", outcome_rag="not_rated", status="in_progress",
           evidence_url="https://example.org/a", evidence_url_title="A link")  # fmt: skip
    evidence = db.session.scalars(select(Evidence)).one()
    assert client.get(f"/evidence/{evidence.id}/download").status_code == 404


def test_a_missing_stored_file_is_a_plain_404(client_as, evidence_store: StoreProbe):
    client, action = owned_action(client_as, due_date=date(2030, 1, 1))
    upload(client, action.id, PDF, "report.pdf")
    evidence = db.session.scalars(select(Evidence)).one()
    evidence_store.lose(evidence.stored_name)
    response = client.get(f"/evidence/{evidence.id}/download")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_the_coordinator_verifies_evidence(client_as, admin_client):
    owner, action = owned_action(client_as, due_date=date(2030, 1, 1))
    upload(owner, action.id, PDF, "report.pdf", title="Audit report")
    evidence = db.session.scalars(select(Evidence)).one()

    page = admin_client.get_page("actions.show", action_id=action.id)
    row = page.select_one(f"#evidence-{evidence.id}")
    assert "Self-reported" in row.text
    form = row.select_one("form")
    assert form["action"] == f"/evidence/{evidence.id}/verify"
    assert form.select_one("input[name=csrf_token]")

    response = admin_client.post_form(f"/evidence/{evidence.id}/verify")
    assert response.status_code == 302
    db.session.refresh(evidence)
    assert evidence.verified_by_id == admin_client.user.id
    assert evidence.verified_at is not None
    entry = db.session.scalars(select(HistoryEntry).where(HistoryEntry.field == "evidence_verified")).one()
    assert (entry.actor_name, entry.new_value) == (admin_client.user.name, "Audit report")

    page = owner.get_page("actions.show", action_id=action.id)
    row = page.select_one(f"#evidence-{evidence.id}")
    assert "Verified" in row.text and admin_client.user.name in row.text
    assert row.select_one("form") is None

    # Verifying twice changes nothing.
    admin_client.post_form(f"/evidence/{evidence.id}/verify")
    assert len(db.session.scalars(select(HistoryEntry).where(HistoryEntry.field == "evidence_verified")).all()) == 1


def test_only_the_coordinator_may_verify(client_as, board_client):
    owner, action = owned_action(client_as, due_date=date(2030, 1, 1))
    upload(owner, action.id, PDF, "report.pdf")
    evidence = db.session.scalars(select(Evidence)).one()
    for client in (owner, board_client):
        assert client.post_form(f"/evidence/{evidence.id}/verify").status_code == 403
        assert "Mark as verified" not in client.get_page("actions.show", action_id=action.id).text
    db.session.refresh(evidence)
    assert evidence.verified_at is None


def test_verifying_without_a_csrf_token_is_refused(client_as, admin_client):
    owner, action = owned_action(client_as, due_date=date(2030, 1, 1))
    upload(owner, action.id, PDF, "report.pdf")
    evidence = db.session.scalars(select(Evidence)).one()
    assert admin_client.post(f"/evidence/{evidence.id}/verify").status_code == 400
    db.session.refresh(evidence)
    assert evidence.verified_at is None


def test_stored_files_are_removed_when_the_update_is_not_saved(client_as, evidence_store: StoreProbe):
    """If the database refuses the request's commit after the file was written, the file does not linger."""
    from flask import has_request_context
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    client, action = owned_action(client_as, due_date=date(2030, 1, 1))
    form = open_form(client, action.id)
    before = evidence_store.names()

    def refuse(_session) -> None:
        if has_request_context():
            raise RuntimeError("database went away")

    event.listen(Session, "before_commit", refuse)
    try:
        with pytest.raises(RuntimeError, match="database went away"):
            upload(client, action.id, PDF, "report.pdf", form=form)
    finally:
        event.remove(Session, "before_commit", refuse)
    assert evidence_store.names() == before
    assert db.session.scalars(select(Evidence)).all() == []
    assert db.session.scalars(select(ProgressUpdate)).all() == []


def test_scrutiny_cannot_open_the_update_form_of_a_restricted_action(app, client_as, scrutiny_client):
    _, action = owned_action(client_as, is_restricted=True)
    scrutiny_client.get_page("actions.update", _expected_status=403, action_id=action.id)  # read-only role first


def test_an_owner_sees_evidence_of_other_owners_actions_but_cannot_verify(app, client_as):
    owner, action = owned_action(client_as, due_date=date(2030, 1, 1))
    upload(owner, action.id, PDF, "report.pdf")
    other = client_as(Role.OWNER, posts=[factories.make_post()])
    evidence = db.session.scalars(select(Evidence)).one()
    assert other.get(f"/evidence/{evidence.id}/download").status_code == 200
    page = other.get_page("actions.show", action_id=action.id)
    assert page.select_one(f"#evidence-{evidence.id} form") is None


# A file of several database parts (a part is a megabyte), with every byte value in it.
LARGE_PDF = PDF + bytes(range(256)) * 10_000


def test_files_of_every_size_round_trip_and_each_update_keeps_its_own(client_as, evidence_store: StoreProbe):
    """A second file for the same action is kept beside the first (the record is append-only): both download."""
    client, action = owned_action(client_as, due_date=date(2030, 1, 1))
    form = open_form(client, action.id)
    assert upload(client, action.id, LARGE_PDF, "evaluation.pdf", title="Evaluation", form=form).status_code == 302
    assert upload(client, action.id, TEXT, "minutes.txt", title="Minutes").status_code == 302

    large, small = db.session.scalars(select(Evidence).order_by(Evidence.id)).all()
    assert evidence_store.names() == {large.stored_name, small.stored_name}
    assert large.size_bytes == len(LARGE_PDF) > 2 * 1024 * 1024
    for evidence, data in ((large, LARGE_PDF), (small, TEXT)):
        download = client.get(f"/evidence/{evidence.id}/download")
        assert download.status_code == 200
        assert download.data == data
        assert download.headers["Content-Length"] == str(len(data))
        assert download.headers["X-Content-Type-Options"] == "nosniff"
    page = client.get_page("actions.show", action_id=action.id)
    assert {"Evaluation", "Minutes"} <= {a.text for a in page.select(".app-update ul a")}


def test_a_file_whose_store_is_no_longer_configured_is_a_plain_404(client_as, evidence_store: StoreProbe, app):
    """Files kept in S3 stay in S3: with its settings removed, they are missing, not served from elsewhere."""
    client, action = owned_action(client_as, due_date=date(2030, 1, 1))
    upload(client, action.id, PDF, "report.pdf")
    evidence = db.session.scalars(select(Evidence)).one()
    evidence.storage = "s3"
    db.session.commit()
    app.config.update(EVIDENCE_STORAGE="folder", EVIDENCE_S3_BUCKET="")
    assert client.get(f"/evidence/{evidence.id}/download").status_code == 404


def test_files_kept_before_a_change_of_store_still_download(client_as, evidence_store: StoreProbe, app):
    """A partnership moving from the local folder to the database (or S3) keeps its older files where they are."""
    client, action = owned_action(client_as, due_date=date(2030, 1, 1))
    upload(client, action.id, PDF, "report.pdf")
    before = db.session.scalars(select(Evidence)).one()
    other = "database" if evidence_store.kind != "database" else "folder"
    app.config.update(EVIDENCE_STORAGE=other)
    upload(client, action.id, TEXT, "minutes.txt")
    after = db.session.scalars(select(Evidence).where(Evidence.id != before.id)).one()
    assert (before.storage, after.storage) == (evidence_store.kind, other)
    assert client.get(f"/evidence/{before.id}/download").data == PDF
    assert client.get(f"/evidence/{after.id}/download").data == TEXT


def test_object_storage_out_of_reach_saves_nothing_and_says_so(client_as, app, s3_server):
    """S3 unreachable: the update is refused as a whole with the "unavailable" page, and nothing is kept."""
    from tests.integration.test_two_servers import _free_port

    client, action = owned_action(client_as, due_date=date(2030, 1, 1))
    saved = {key: app.config.get(key) for key in ("EVIDENCE_STORAGE", "EVIDENCE_S3_BUCKET", "EVIDENCE_S3_ENDPOINT_URL")}
    app.config.update(EVIDENCE_STORAGE="s3", EVIDENCE_S3_BUCKET="tracker-evidence", EVIDENCE_S3_ENDPOINT_URL=s3_server)
    try:
        assert upload(client, action.id, TEXT, "minutes.txt", title="Minutes").status_code == 302
        kept = db.session.scalars(select(Evidence)).one()
        app.config.update(EVIDENCE_S3_ENDPOINT_URL=f"http://127.0.0.1:{_free_port()}")  # nothing listens there

        download = client.get(f"/evidence/{kept.id}/download")
        assert download.status_code == 503 and "Sorry, the service is unavailable" in download.get_data(as_text=True)
        response = upload(client, action.id, PDF, "report.pdf")
        assert response.status_code == 503
        assert "Sorry, the service is unavailable" in response.get_data(as_text=True)
        assert "Nothing was saved" in response.get_data(as_text=True)
        assert db.session.scalars(select(Evidence)).all() == [kept]
        assert len(db.session.scalars(select(ProgressUpdate)).all()) == 1
    finally:
        app.config.update(saved)
