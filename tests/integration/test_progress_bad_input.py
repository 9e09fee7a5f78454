"""Bad input to the progress form: each gets a clear message or status and leaves the data as it was."""

from __future__ import annotations

import io
from datetime import date

import pytest
from bs4 import BeautifulSoup
from flask import url_for
from sqlalchemy import select

from tests import factories
from tests.conftest import checked_page
from tests.evidence_files import ELF, PDF, WINDOWS_EXE
from tests.integration.test_evidence_files import stored_files
from tests.integration.test_progress_updates import counts, errors, open_form, owned_action, submit
from tracker.extensions import db
from tracker.models import Action, Evidence, Rag, Role
from tracker.services.evidence import MAX_FILE_BYTES

GOOD = {"delivery_rag": "green", "outcome_rag": "not_rated", "status": "in_progress", "commentary": "On track."}


def snapshot(action: Action) -> tuple:
    db.session.refresh(action)
    return (action.version, action.delivery_rag, action.outcome_rag, action.status, action.last_progress_at)


@pytest.fixture
def owner_and_action(client_as, pinned_today):
    pinned_today("2015-07-01")
    return owned_action(client_as, due_date=date(2015, 9, 30), delivery_rag=Rag.GREEN)


def test_missing_csrf_token_is_rejected(owner_and_action):
    client, action = owner_and_action
    before, state = counts(), snapshot(action)
    response = client.post(f"/actions/{action.id}/update", data={**open_form(client, action.id), **GOOD})
    assert response.status_code == 400
    assert "Your form could not be saved" in response.get_data(as_text=True)
    assert counts() == before and snapshot(action) == state


def test_an_owner_posting_to_someone_elses_action_is_forbidden(owner_and_action):
    client, _ = owner_and_action
    others = factories.make_action(factories.make_plan(), responsible=[factories.make_post()])
    state = snapshot(others)
    before = counts()
    client.get_page("actions.update", _expected_status=403, action_id=others.id)
    response = client.post_form(f"/actions/{others.id}/update", {"version": str(others.version), **GOOD})
    assert response.status_code == 403
    assert "You do not have permission" in response.get_data(as_text=True)
    assert counts() == before and snapshot(others) == state


@pytest.mark.parametrize("role", [Role.BOARD, Role.SCRUTINY])
def test_read_only_roles_cannot_post_even_if_they_hold_the_post(app, client_as, role):
    post = factories.make_post()
    action = factories.make_action(factories.make_plan(), responsible=[post])
    client = client_as(role, posts=[post])
    state, before = snapshot(action), counts()
    client.get_page("actions.update", _expected_status=403, action_id=action.id)
    assert client.post_form(f"/actions/{action.id}/update", {"version": str(action.version), **GOOD}).status_code == 403
    assert counts() == before and snapshot(action) == state


def test_a_board_member_posting_is_forbidden(app, board_client):
    action = factories.make_action(factories.make_plan())
    state, before = snapshot(action), counts()
    assert board_client.post_form(f"/actions/{action.id}/update", {"version": "1", **GOOD}).status_code == 403
    assert counts() == before and snapshot(action) == state


def test_an_unknown_action_is_not_found(owner_client):
    owner_client.get_page("actions.update", _expected_status=404, action_id=999999)


SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)> & "quotes"'


def test_html_in_commentary_is_shown_as_text_everywhere(owner_and_action, admin_client):
    client, action = owner_and_action
    response = submit(client, action.id, **{**GOOD, "delivery_rag": "red", "commentary": SCRIPT},
                      evidence_url="https://example.org/<b>x</b>", evidence_url_title=SCRIPT,
                      no_evidence_reason=SCRIPT)  # fmt: skip
    assert response.status_code == 200  # the link is refused: < and > are not in web addresses
    html = response.get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html or "&lt;script&gt;alert(&quot;x&quot;)" in html

    response = submit(client, action.id, **{**GOOD, "delivery_rag": "red", "commentary": SCRIPT},
                      evidence_url="https://example.org/report", evidence_url_title=SCRIPT)  # fmt: skip
    assert response.status_code == 302
    for viewer in (client, admin_client):
        for endpoint in ("actions.show", "actions.my_actions", "actions.update"):
            # The HTML as sent, not as parsed: a parser would tidy away what this looks for.
            html = viewer.get(url_for(endpoint, action_id=action.id)).get_data(as_text=True)
            assert "<script>alert" not in html, endpoint
            assert "<img src=x" not in html, endpoint
        page = viewer.get_page("actions.show", action_id=action.id)
        assert SCRIPT in page.select_one(".app-update").text
        assert SCRIPT in page.select_one(".app-timeline").text
        assert SCRIPT in page.select_one("tr[id^=evidence-]").text


def test_a_25_mb_file_is_refused_in_the_form_with_everything_typed_kept(owner_and_action):
    client, action = owner_and_action
    before, state, files = counts(), snapshot(action), stored_files()
    big = PDF + b"0" * (25 * 1024 * 1024)
    typed = {**GOOD, "delivery_rag": "amber", "commentary": "Three of five schools trained; the rest booked for July."}
    response = submit(client, action.id, **typed, evidence_file=(io.BytesIO(big), "big.pdf"),
                      evidence_file_title="Training register")  # fmt: skip
    assert response.status_code == 200
    assert errors(response) == {"evidence_file": "The selected file must be smaller than 20 MB"}
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert page.select_one("textarea[name=commentary]").text.strip() == typed["commentary"]
    assert page.select_one("input[name=delivery_rag][value=amber]").has_attr("checked")
    assert page.select_one("input[name=evidence_file_title]")["value"] == "Training register"
    assert counts() == before and snapshot(action) == state and stored_files() == files


def test_a_body_too_large_for_any_other_form_still_gets_the_friendly_page(owner_and_action):
    client, action = owner_and_action
    big = b"0" * (25 * 1024 * 1024)
    response = client.post_form(f"/actions/{action.id}/edit", {"text": big.decode()})
    assert response.status_code == 413
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert page.select_one("h1").text.strip() == "The file is too large"


def test_a_file_just_over_20_mb_gets_a_form_error(owner_and_action):
    client, action = owner_and_action
    before, state = counts(), snapshot(action)
    data = PDF + b"0" * (MAX_FILE_BYTES - len(PDF) + 1)
    response = submit(client, action.id, **GOOD, evidence_file=(io.BytesIO(data), "report.pdf"))
    assert response.status_code == 200
    assert errors(response) == {"evidence_file": "The selected file must be smaller than 20 MB"}
    assert counts() == before and snapshot(action) == state


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (
            ELF,
            "report.pdf",
            "The selected file must be a PDF, Word, Excel or PowerPoint file, an image or a plain text file",
        ),
        (
            WINDOWS_EXE,
            "minutes.docx",
            "The selected file must be a PDF, Word, Excel or PowerPoint file, an image or a plain text file",
        ),
        (b"", "empty.pdf", "The selected file is empty. Choose a file that has something in it"),
    ],
    ids=["elf-named-pdf", "windows-exe-named-docx", "empty-file"],
)
def test_executables_and_empty_files_are_refused(owner_and_action, data, name, message):
    client, action = owner_and_action
    before, state, files = counts(), snapshot(action), stored_files()
    response = submit(client, action.id, **GOOD, evidence_file=(io.BytesIO(data), name))
    page = checked_page(response)
    assert errors(response) == {"evidence_file": message}
    assert page.select_one("#evidence_file-error")
    assert page.select_one("textarea[name=commentary]").text.strip() == "On track."
    assert counts() == before and snapshot(action) == state and stored_files() == files


def test_a_valid_file_must_be_chosen_again_after_another_error(owner_and_action):
    client, action = owner_and_action
    response = submit(client, action.id, **{**GOOD, "delivery_rag": "red", "commentary": ""},
                      evidence_file=(io.BytesIO(PDF), "report.pdf"))  # fmt: skip
    assert response.status_code == 200
    assert "Choose your file again" in response.get_data(as_text=True)
    assert db.session.scalars(select(Evidence)).all() == []


def test_a_path_and_non_ascii_in_the_file_name_never_reach_the_disk(owner_and_action):
    client, action = owner_and_action
    files = stored_files()
    name = "../../../tmp/Überprüfung – 報告.pdf"
    assert submit(client, action.id, **GOOD, evidence_file=(io.BytesIO(PDF), name)).status_code == 302
    evidence = db.session.scalars(select(Evidence)).one()
    assert stored_files() - files == {evidence.stored_name}
    assert evidence.original_filename == "Überprüfung – 報告.pdf"
    disposition = client.get(f"/evidence/{evidence.id}/download").headers["Content-Disposition"]
    assert "/" not in disposition.split("filename*")[0] and ".." not in disposition
    assert "filename*=UTF-8''%C3%9Cberpr%C3%BCfung%20%E2%80%93%20%E5%A0%B1%E5%91%8A.pdf" in disposition


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(document.cookie)", " JAVASCRIPT:alert(1)", "data:text/html;base64,PHNjcmlwdD4=", "vbscript:x"],
)
def test_a_javascript_link_is_refused(owner_and_action, url):
    client, action = owner_and_action
    before, state = counts(), snapshot(action)
    response = submit(client, action.id, **GOOD, evidence_url=url, evidence_url_title="Report")
    assert response.status_code == 200
    assert errors(response) == {
        "evidence_url": "Enter a link starting with https:// or http://, for example https://www.example.org/report"
    }
    assert counts() == before and snapshot(action) == state


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("delivery_rag", "purple", "Select Red, Amber or Green as the delivery RAG"),
        ("delivery_rag", "blue", "Select Red, Amber or Green as the delivery RAG"),
        ("outcome_rag", "purple", "Select Red, Amber, Green or Not rated yet as the outcome RAG"),
        ("outcome_rag", "", "Select the outcome RAG"),
        ("status", "finished", "Select a status from the list"),
        ("status", "", "Select the status of the action"),
        ("delivery_rag", "", "Select the delivery RAG: Red, Amber or Green"),
    ],
)
def test_a_value_not_in_the_list_is_refused(owner_and_action, field, value, message):
    client, action = owner_and_action
    before, state = counts(), snapshot(action)
    response = submit(client, action.id, **{**GOOD, field: value})
    assert response.status_code == 200
    assert errors(response)[field] == message
    assert counts() == before and snapshot(action) == state


def test_a_stale_version_is_not_saved(owner_and_action):
    client, action = owner_and_action
    before, state = counts(), snapshot(action)
    response = submit(client, action.id, {"version": str(action.version - 1 or 99), "opened_at": ""}, **GOOD)
    assert response.status_code == 409
    assert "Someone else changed this action" in response.get_data(as_text=True)
    assert counts() == before and snapshot(action) == state


@pytest.mark.parametrize("version", ["", "abc", "-1", "1" * 40])
def test_a_missing_or_tampered_version_is_treated_as_out_of_date(owner_and_action, version):
    client, action = owner_and_action
    before, state = counts(), snapshot(action)
    response = submit(client, action.id, {"version": version, "opened_at": "not a time"}, **GOOD)
    assert response.status_code == 409
    assert counts() == before and snapshot(action) == state


def test_overlong_text_is_refused(owner_and_action):
    client, action = owner_and_action
    response = submit(client, action.id, **{**GOOD, "commentary": "x" * 5001})
    assert response.status_code == 200
    assert errors(response) == {"commentary": "Progress commentary must be 5,000 characters or fewer"}


def test_a_text_file_named_pdf_is_refused_saying_what_it_is_and_the_text_is_kept(owner_and_action):
    client, action = owner_and_action
    before, state, files = counts(), snapshot(action), stored_files()
    notes = b"Minutes of the CSE sub-group, 3 June 2015.\n"
    response = submit(client, action.id, **GOOD, evidence_file=(io.BytesIO(notes), "Minutes.pdf"))
    assert response.status_code == 200
    assert errors(response) == {
        "evidence_file": "The selected file is a text file, not a PDF. Choose the PDF, or rename the file to end in"
        " .txt if it is the right one"
    }
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert page.select_one("textarea[name=commentary]").text.strip() == GOOD["commentary"]
    assert counts() == before and snapshot(action) == state and stored_files() == files
