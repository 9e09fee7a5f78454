"""Owners record progress: the form, its rules, the update record, and what the action page shows."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.conftest import checked_page
from tracker.extensions import db
from tracker.models import Evidence, HistoryEntry, ProgressUpdate, Rag, Role, Status


def owned_action(client_as, **fields):
    """A new action whose responsible post is held by a new owner; returns (client, action)."""
    post = factories.make_post()
    action = factories.make_action(factories.make_plan(), responsible=[post], **fields)
    client = client_as(Role.OWNER, posts=[post])
    return client, action


def open_form(client, action_id: int) -> dict[str, str]:
    """GET the update form and return its hidden fields, as a browser would send them back."""
    page = client.get_page("actions.update", action_id=action_id)
    return {name: page.select_one(f"input[name={name}]")["value"] for name in ("version", "opened_at")}


def submit(client, action_id: int, form: dict | None = None, **data):
    payload = {**(form or open_form(client, action_id)), **data}
    return client.post_form(f"/actions/{action_id}/update", payload, content_type="multipart/form-data")


def errors(response) -> dict[str, str]:
    page = checked_page(response, response.status_code)
    return {a["href"].lstrip("#"): a.text.strip() for a in page.select(".govuk-error-summary__list a")}


def counts() -> tuple[int, int, int]:
    return (
        db.session.scalar(select(func.count(ProgressUpdate.id))),
        db.session.scalar(select(func.count(Evidence.id))),
        db.session.scalar(select(func.count(HistoryEntry.id))),
    )


def test_the_form_opens_with_the_current_ratings(client_as, pinned_today):
    pinned_today("2015-07-01")
    client, action = owned_action(client_as, due_date=date(2015, 9, 30), delivery_rag=Rag.GREEN, outcome_rag=Rag.AMBER)
    page = client.get_page("actions.update", action_id=action.id)
    assert page.select_one("h1").text.strip() == "Record progress"
    assert page.select_one("input[name=delivery_rag][checked]")["value"] == "green"
    assert page.select_one("input[name=outcome_rag][checked]")["value"] == "amber"
    assert page.select_one("input[name=status][checked]")["value"] == "in_progress"
    assert page.select_one("input[name=version]")["value"] == str(action.version)
    assert page.select_one("form[enctype='multipart/form-data'] input[name=csrf_token]")
    # Every field has a label, and the RAG choices say what they mean in words.
    for field in page.select("main input:not([type=hidden]), main textarea"):
        assert page.select_one(f"label[for='{field['id']}']"), field
    assert "Off track: will not be delivered without intervention" in page.text


def test_an_owner_records_an_update(client_as, pinned_today):
    pinned_today("2015-07-01")
    client, action = owned_action(client_as, due_date=date(2015, 9, 30), delivery_rag=Rag.GREEN)
    response = submit(
        client,
        action.id,
        delivery_rag="amber",
        outcome_rag="not_rated",
        status="in_progress",
        commentary="Screening tool rolled out to schools; health visitors next month.",
    )
    assert response.status_code == 302
    assert response.location.endswith(f"/actions/{action.id}#updates")

    db.session.refresh(action)
    assert action.delivery_rag is Rag.AMBER
    assert action.last_progress_at is not None and action.last_progress_at.date() == date(2015, 7, 1)
    update = db.session.scalars(select(ProgressUpdate)).one()
    assert (update.author_id, update.author_name) == (client.user.id, client.user.name)
    assert (update.delivery_rag, update.outcome_rag, update.status) == (Rag.AMBER, Rag.NOT_RATED, Status.IN_PROGRESS)
    assert update.commentary.startswith("Screening tool rolled out")
    history = db.session.scalars(select(HistoryEntry).where(HistoryEntry.action_id == action.id)).all()
    by_field = {entry.field: entry for entry in history}
    assert by_field["delivery_rag"].old_value == "green" and by_field["delivery_rag"].new_value == "amber"
    assert by_field["delivery_rag"].progress_update_id == update.id
    assert by_field["delivery_rag"].actor_name == client.user.name
    assert by_field["progress_update"].progress_update_id == update.id
    assert "status" not in by_field  # unchanged fields write nothing

    page = client.get_page("actions.show", action_id=action.id)
    assert "Your progress update has been saved." in page.text
    first_update = page.select_one(".app-update")
    assert "Screening tool rolled out" in first_update.text
    assert client.user.name in first_update.text
    timeline = page.select_one(".app-timeline").text
    assert "Delivery RAG changed" in timeline and "From Green to Amber" in timeline


def test_updates_are_listed_newest_first(client_as, pinned_today):
    pinned_today("2015-07-01")
    client, action = owned_action(client_as, due_date=date(2015, 9, 30))
    for words in ("First update", "Second update"):
        assert (
            submit(
                client, action.id, delivery_rag="green", outcome_rag="not_rated", status="in_progress", commentary=words
            ).status_code
            == 302
        )
    page = client.get_page("actions.show", action_id=action.id)
    assert [u.select_one(".app-preserve-lines").text for u in page.select(".app-update")] == [
        "Second update",
        "First update",
    ]


@pytest.mark.parametrize(
    ("action_fields", "data", "message"),
    [
        (
            {"delivery_rag": Rag.GREEN},
            {"delivery_rag": "red"},
            "Enter a progress commentary explaining why delivery is Red",
        ),
        (
            {"delivery_rag": Rag.AMBER},
            {"delivery_rag": "amber"},
            "Enter a progress commentary explaining why delivery is Amber",
        ),
        (
            {"delivery_rag": Rag.NOT_RATED},
            {"delivery_rag": "green"},
            "Enter a progress commentary explaining why you changed the delivery RAG",
        ),
        (
            {"outcome_rag": Rag.GREEN},
            {"outcome_rag": "amber"},
            "Enter a progress commentary explaining why you changed the outcome RAG",
        ),
        ({}, {"status": "complete"}, "Enter a progress commentary saying what was done to complete the action"),
        ({}, {"status": "cancelled"}, "Enter a progress commentary saying why the action is cancelled"),
        (
            {"due_date": date(2015, 6, 1)},
            {},
            "Enter a progress commentary: the action is overdue, so its delivery RAG is Amber",
        ),
    ],
)
def test_commentary_is_required_when_the_rules_say(client_as, pinned_today, action_fields, data, message):
    pinned_today("2015-07-01")
    fields = {"due_date": date(2015, 9, 30), "delivery_rag": Rag.GREEN, "outcome_rag": Rag.NOT_RATED, **action_fields}
    client, action = owned_action(client_as, **fields)
    before = counts()
    posted = {"delivery_rag": "green", "outcome_rag": "not_rated", "status": "in_progress", "commentary": "", **data}
    response = submit(client, action.id, **posted)
    assert response.status_code == 200
    assert errors(response).get("commentary") == message
    page = checked_page(response)
    assert page.select_one("title").text.startswith("Error: Record progress")
    assert page.select_one("#commentary-error").text.strip().endswith(message)
    assert counts() == before


def test_commentary_is_optional_when_nothing_changes_and_all_is_green(client_as, pinned_today):
    pinned_today("2015-07-01")
    client, action = owned_action(client_as, due_date=date(2015, 9, 30), delivery_rag=Rag.GREEN)
    response = submit(client, action.id, delivery_rag="green", outcome_rag="not_rated", status="in_progress")
    assert response.status_code == 302
    assert db.session.scalars(select(ProgressUpdate)).one().commentary == ""


def test_what_was_typed_is_kept_when_there_is_an_error(client_as, pinned_today):
    pinned_today("2015-07-01")
    client, action = owned_action(client_as, due_date=date(2015, 9, 30))
    response = submit(
        client,
        action.id,
        delivery_rag="red",
        outcome_rag="amber",
        status="ongoing",
        commentary="",
        evidence_url="https://intranet.example.org/minutes",
        evidence_url_title="",
        no_evidence_reason="Nothing written down yet",
    )
    assert response.status_code == 200
    assert errors(response) == {
        "evidence_url_title": "Enter a title for the link",
        "commentary": "Enter a progress commentary explaining why delivery is Red",
    }
    page = checked_page(response)
    assert page.select_one("input[name=delivery_rag][checked]")["value"] == "red"
    assert page.select_one("input[name=outcome_rag][checked]")["value"] == "amber"
    assert page.select_one("input[name=status][checked]")["value"] == "ongoing"
    assert page.select_one("input[name=evidence_url]")["value"] == "https://intranet.example.org/minutes"
    assert page.select_one("textarea[name=no_evidence_reason]").text.strip() == "Nothing written down yet"
    # Each error in the summary links to its field.
    for field_id in errors(response):
        assert page.select_one(f"#{field_id}"), field_id


def test_marking_complete_needs_evidence_or_a_reason(client_as, pinned_today):
    pinned_today("2015-07-01")
    client, action = owned_action(client_as, due_date=date(2015, 9, 30))
    data = {
        "delivery_rag": "green",
        "outcome_rag": "green",
        "status": "complete",
        "commentary": "Delivered the training.",
    }
    response = submit(client, action.id, **data)
    assert response.status_code == 200
    assert errors(response) == {
        "evidence_url": "Add a link or a file showing what was done, or explain below why there is no evidence"
    }
    response = submit(client, action.id, **data, no_evidence_reason="The register is held by the police.")
    assert response.status_code == 302
    db.session.refresh(action)
    assert action.status is Status.COMPLETE
    assert action.delivery_rag is Rag.BLUE  # complete means Blue
    assert db.session.scalars(select(ProgressUpdate)).one().no_evidence_reason == "The register is held by the police."


def test_marking_complete_with_a_link_as_evidence(client_as, pinned_today):
    pinned_today("2015-07-01")
    client, action = owned_action(client_as, due_date=date(2015, 9, 30))
    response = submit(
        client,
        action.id,
        outcome_rag="green",
        status="complete",
        commentary="Protocol signed by all agencies.",
        evidence_url="https://www.example.org/lscb/protocol.pdf",
        evidence_url_title="Signed protocol",
    )
    assert response.status_code == 302
    evidence = db.session.scalars(select(Evidence)).one()
    assert (evidence.kind, evidence.url, evidence.title) == (
        "link",
        "https://www.example.org/lscb/protocol.pdf",
        "Signed protocol",
    )
    assert evidence.verified_at is None
    page = client.get_page("actions.show", action_id=action.id)
    row = page.select_one(f"#evidence-{evidence.id}")
    assert row.select_one("a")["href"] == "https://www.example.org/lscb/protocol.pdf"
    assert "Self-reported" in row.text


def test_evidence_already_on_the_action_counts_when_marking_complete(client_as, pinned_today):
    pinned_today("2015-07-01")
    client, action = owned_action(client_as, due_date=date(2015, 9, 30))
    assert submit(client, action.id, delivery_rag="green", outcome_rag="not_rated", status="in_progress",
                  evidence_url="https://example.org/draft", evidence_url_title="Draft plan").status_code == 302  # fmt: skip
    response = submit(client, action.id, outcome_rag="green", status="complete", commentary="Plan adopted.")
    assert response.status_code == 302


def test_an_owner_cannot_clear_auto_amber_by_rating_green(client_as, pinned_today):
    pinned_today("2015-07-01")
    client, action = owned_action(client_as, due_date=date(2015, 6, 1), delivery_rag=Rag.AMBER)
    response = submit(client, action.id, delivery_rag="green", outcome_rag="not_rated", status="in_progress",
                      commentary="Back on track.")  # fmt: skip
    assert response.status_code == 302
    page = client.get_page("actions.show", action_id=action.id)
    tag = page.select_one(".govuk-summary-list .app-rag")
    assert tag.text.strip() == "Delivery: Amber"
    assert "Amber: overdue since 2 June 2015" in page.text
    assert "Reported by the owner as Green." in page.text


def test_completing_an_overdue_action_clears_the_amber(client_as, pinned_today):
    pinned_today("2015-07-01")
    client, action = owned_action(client_as, due_date=date(2015, 6, 1))
    response = submit(client, action.id, outcome_rag="green", status="complete", commentary="Done in June.",
                      no_evidence_reason="Verbal report to the board.")  # fmt: skip
    assert response.status_code == 302
    page = client.get_page("actions.show", action_id=action.id)
    assert page.select_one(".govuk-summary-list .app-rag").text.strip() == "Delivery: Blue"


def test_the_update_page_for_an_overdue_action_says_why_it_is_amber(client_as, pinned_today):
    pinned_today("2015-07-01")
    client, action = owned_action(client_as, due_date=date(2015, 6, 1))
    page = client.get_page("actions.update", action_id=action.id)
    assert "This action is overdue" in page.select_one(".govuk-warning-text").text
    assert "Amber: overdue since 2 June 2015" in page.text


def test_accountable_posts_may_update_too(client_as, pinned_today):
    pinned_today("2015-07-01")
    post = factories.make_post()
    action = factories.make_action(factories.make_plan(), accountable=[post], due_date=date(2030, 1, 1))
    client = client_as(Role.OWNER, posts=[post])
    client.get_page("actions.update", action_id=action.id)


def test_administrators_update_any_action(admin_client, pinned_today):
    pinned_today("2015-07-01")
    action = factories.make_action(factories.make_plan(), due_date=date(2030, 1, 1))
    response = submit(admin_client, action.id, delivery_rag="green", outcome_rag="not_rated", status="in_progress",
                      commentary="Chased by the co-ordinator.")  # fmt: skip
    assert response.status_code == 302
    assert db.session.scalars(select(ProgressUpdate)).one().author_name == admin_client.user.name


def test_the_action_page_offers_the_right_buttons(app, client_as, admin_client, board_client):
    owner, action = owned_action(client_as)
    other_owner = client_as(Role.OWNER, posts=[factories.make_post()])

    def buttons(client):
        return [
            a.text.strip() for a in client.get_page("actions.show", action_id=action.id).select(".app-action-buttons a")
        ]

    assert buttons(owner) == ["Record progress"]
    assert buttons(admin_client) == ["Record progress", "Edit action"]
    assert buttons(board_client) == []
    assert buttons(other_owner) == []


def test_the_action_page_uses_a_constant_number_of_queries(client_as, pinned_today):
    from sqlalchemy import event

    pinned_today("2015-07-01")
    client, action = owned_action(client_as, due_date=date(2015, 9, 30))

    def queries_for_page() -> int:
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            client.get_page("actions.show", action_id=action.id)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    submit(client, action.id, delivery_rag="green", outcome_rag="not_rated", status="in_progress",
           evidence_url="https://example.org/1", evidence_url_title="One")  # fmt: skip
    few = queries_for_page()
    for n in range(4):
        submit(client, action.id, delivery_rag="red" if n % 2 else "amber", outcome_rag="not_rated", status="in_progress",
               commentary=f"Update {n}", evidence_url=f"https://example.org/{n}", evidence_url_title=f"Link {n}")  # fmt: skip
    assert queries_for_page() == few
