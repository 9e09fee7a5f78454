"""No lost updates: two people open the same action; the second save is refused and shown what changed."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests import factories
from tests.conftest import checked_page
from tests.integration.test_progress_updates import open_form, submit
from tracker.extensions import db
from tracker.models import Action, ProgressUpdate, Rag, Role, User
from tracker.services.progress import ProgressSubmission, record_progress_update
from tracker.services.versioning import StaleAction


@pytest.fixture
def two_owners(client_as, pinned_today):
    """Two signed-in owners who share the post that holds one action."""
    pinned_today("2015-07-01")
    post = factories.make_post("CSE Co-ordinator")
    action = factories.make_action(factories.make_plan(), responsible=[post], due_date=date(2015, 9, 30))
    first = client_as(Role.OWNER, posts=[post], name="Sam Patel")
    second = client_as(Role.OWNER, posts=[post], name="Priya Shah")
    return first, second, action


def test_the_second_save_from_an_older_form_is_refused_and_shows_what_changed(two_owners):
    sam, priya, action = two_owners
    sams_form = open_form(sam, action.id)
    priyas_form = open_form(priya, action.id)

    saved = submit(sam, action.id, sams_form, delivery_rag="red", outcome_rag="amber", status="in_progress",
                   commentary="Police data-sharing has stalled.")  # fmt: skip
    assert saved.status_code == 302

    priyas_words = "Schools pilot finished; <b>report</b> to follow."
    refused = submit(priya, action.id, priyas_form, delivery_rag="green", outcome_rag="not_rated",
                     status="in_progress", commentary=priyas_words)  # fmt: skip
    page = checked_page(refused, 409)
    assert page.select_one("title").text.startswith("Error: Record progress")
    conflict = page.select_one("#conflict")
    assert "Someone else changed this action while you had this page open" in conflict.text
    assert "Your changes have not been saved" in conflict.text
    changes = conflict.text
    assert "Delivery RAG changed" in changes and "from Green to Red" in changes
    assert "Outcome RAG changed" in changes and "from Not rated to Amber" in changes
    assert "by Sam Patel" in changes
    assert "Police data-sharing has stalled." in changes
    # Priya's own text and choices are kept, so she can send them again.
    assert page.select_one("textarea[name=commentary]").text.strip() == priyas_words
    assert page.select_one("input[name=delivery_rag][checked]")["value"] == "green"

    # Only Sam's update was saved.
    db.session.refresh(action)
    assert action.delivery_rag is Rag.RED
    assert [u.author_name for u in db.session.scalars(select(ProgressUpdate))] == ["Sam Patel"]

    # The re-shown form carries the new version: sending it again saves, as a decision made knowing the change.
    kept = {name: page.select_one(f"input[name={name}]")["value"] for name in ("version", "opened_at")}
    assert kept["version"] == str(action.version)
    resent = submit(priya, action.id, kept, delivery_rag="green", outcome_rag="not_rated", status="in_progress",
                    commentary=priyas_words)  # fmt: skip
    assert resent.status_code == 302
    db.session.refresh(action)
    assert action.delivery_rag is Rag.GREEN
    assert db.session.scalar(select(func.count(ProgressUpdate.id))) == 2


def test_an_administrators_edit_also_makes_an_open_update_form_out_of_date(two_owners, admin_client):
    sam, _, action = two_owners
    sams_form = open_form(sam, action.id)
    edit_page = admin_client.get_page("actions.edit", action_id=action.id)
    hidden = {name: edit_page.select_one(f"input[name={name}]")["value"] for name in ("version", "opened_at")}
    response = admin_client.post_form(
        f"/actions/{action.id}/edit",
        {**hidden, "text": "Agree an information sharing protocol with all schools", "responsible": [p.id for p in action.responsible_posts],
         "due_date": ["30", "9", "2015"], "reason": ""},
    )  # fmt: skip
    assert response.status_code == 302
    refused = submit(sam, action.id, sams_form, delivery_rag="green", outcome_rag="not_rated", status="in_progress")
    assert refused.status_code == 409
    assert "Action changed" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ProgressUpdate.id))) == 0


def test_a_race_past_the_version_check_is_caught_by_the_database(app, pinned_today):
    """Two saves that both pass the version check: the second UPDATE finds no row at its version."""
    pinned_today("2015-07-01")
    post = factories.make_post()
    action = factories.make_action(factories.make_plan(), responsible=[post], due_date=date(2015, 9, 30))
    owner = factories.make_user(Role.OWNER, posts=[post])
    db.session.commit()
    opened_version = action.version

    # Someone else's save lands between this request loading the action and writing it.
    with Session(db.engine) as other:
        theirs = other.get(Action, action.id)
        theirs.delivery_rag = Rag.RED
        other.commit()

    submission = ProgressSubmission(delivery_rag=Rag.GREEN, outcome_rag=Rag.NOT_RATED, status=action.status)
    with pytest.raises(StaleAction):
        record_progress_update(action, submission, owner, opened_version)
    assert db.session.scalar(select(func.count(ProgressUpdate.id))) == 0
    assert db.session.get(Action, action.id).delivery_rag is Rag.RED
    assert db.session.get(User, owner.id) is not None


def test_what_changed_is_shown_before_any_problem_with_the_form(two_owners):
    sam, priya, action = two_owners
    priyas_form = open_form(priya, action.id)
    submit(sam, action.id, delivery_rag="amber", outcome_rag="not_rated", status="in_progress", commentary="Slipping")
    refused = submit(priya, action.id, priyas_form, delivery_rag="purple", outcome_rag="not_rated", status="ongoing",
                     commentary="My words")  # fmt: skip
    page = checked_page(refused, 409)
    assert page.select_one("#conflict")
    assert page.select(".govuk-error-summary__list a") == []  # one thing at a time: the form is checked on resending
    assert page.select_one("textarea[name=commentary]").text.strip() == "My words"
    assert page.select_one("title").text.startswith("Error: ")
