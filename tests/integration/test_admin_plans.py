"""Plans and their structure from the browser: create, rename, archive; strands, sub-objectives, actions."""

from datetime import date

import pytest
from bs4 import BeautifulSoup
from flask import url_for
from sqlalchemy import select

from tests import factories
from tracker.extensions import db
from tracker.models import Action, AdminLogEntry, HistoryEntry, Objective, Plan, Role, Status, Strand
from tracker.queries.actions import ActionFilters, list_actions
from tracker.queries.dashboard import build_dashboard, filter_choices


def error_messages(response) -> list[str]:
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert page.title.text.startswith("Error: "), page.title.text
    return [a.text.strip() for a in page.select(".govuk-error-summary__list a")]


def log_fields(kind: str) -> list[tuple[str, str | None, str | None]]:
    entries = db.session.scalars(
        select(AdminLogEntry).where(AdminLogEntry.subject_kind == kind).order_by(AdminLogEntry.id)
    )
    return [(e.field, e.old_value, e.new_value) for e in entries]


def test_create_rename_and_archive_a_plan(admin_client):
    response = admin_client.post_form(
        url_for("admin.new_plan"), {"name": "  CSE plan 2016 ", "description": "The refreshed strategy"}
    )
    plan = db.session.scalars(select(Plan)).one()
    assert response.location == url_for("admin.plan", plan_id=plan.id, _external=False)
    assert (plan.name, plan.description, plan.remind_due_within_days) == ("CSE plan 2016", "The refreshed strategy", 14)

    admin_client.post_form(url_for("admin.edit_plan", plan_id=plan.id), {"name": "CSE plan 2016–17", "description": ""})
    admin_client.post_form(url_for("admin.archive_plan", plan_id=plan.id), {"reason": "Replaced by the 2017 plan"})
    db.session.refresh(plan)
    assert plan.name == "CSE plan 2016–17"
    assert plan.archived_at is not None
    assert log_fields("plan") == [
        ("created", None, "CSE plan 2016"),
        ("name", "CSE plan 2016", "CSE plan 2016–17"),
        ("description", "The refreshed strategy", ""),
        ("archived", "no", "yes"),
    ]
    archived = db.session.scalars(select(AdminLogEntry).where(AdminLogEntry.field == "archived")).one()
    assert (archived.reason, archived.actor_name, archived.plan_id) == (
        "Replaced by the 2017 plan",
        admin_client.user.name,
        plan.id,
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Enter the plan's name"),
        ("   ", "Enter the plan's name"),
        ("x" * 10_000, "The plan's name must be 200 characters or fewer"),
        ("cse PLAN", "There is already a plan called “cse PLAN”. Choose another name"),
    ],
)
def test_a_plan_needs_a_name_of_its_own(admin_client, name, message):
    factories.make_plan("CSE plan")
    response = admin_client.post_form(url_for("admin.new_plan"), {"name": name})
    assert response.status_code == 200
    assert error_messages(response) == [message]
    assert db.session.query(Plan).count() == 1


def test_archived_plans_leave_the_default_dashboard_and_stay_readable(app, admin_client, board_client):
    live, ended = factories.make_plan("Live plan"), factories.make_plan("Ended plan")
    factories.make_action(live, reference="1.1")
    old = factories.make_action(ended, reference="9.1")
    db.session.commit()
    admin_client.post_form(url_for("admin.archive_plan", plan_id=ended.id), {})

    viewer, today = board_client.user, date(2015, 7, 1)
    everything = build_dashboard(ActionFilters(), viewer, today, filter_choices())
    assert everything.headline.total == 1
    chosen = build_dashboard(ActionFilters(plan_id=ended.id), viewer, today, filter_choices())
    assert chosen.headline.total == 1
    assert [row.reference for row in list_actions(ActionFilters(), viewer, today)] == ["1.1"]

    plans_page = board_client.get_page("plans.list_plans")
    assert "Archived plans" in plans_page.text
    assert board_client.get(url_for("plans.show", plan_id=ended.id)).status_code == 200
    assert board_client.get(url_for("actions.show", action_id=old.id)).status_code == 200
    dashboard = board_client.get_page("dashboard.show")
    assert "Ended plan (archived)" in dashboard.select_one("#plan").text

    admin_client.post_form(url_for("admin.archive_plan", plan_id=ended.id), {})  # restore
    assert build_dashboard(ActionFilters(), viewer, today, filter_choices()).headline.total == 2


def test_strands_are_added_renamed_and_reordered(admin_client):
    plan = factories.make_plan("CSE plan", strands=("Prevent", "Protect"))
    db.session.commit()
    admin_client.post_form(url_for("admin.new_strand", plan_id=plan.id), {"name": "Pursue"})
    pursue = db.session.scalars(select(Strand).where(Strand.name == "Pursue")).one()
    admin_client.post_form(url_for("admin.move_strand_view", strand_id=pursue.id), {"direction": "up"})
    admin_client.post_form(url_for("admin.edit_strand", strand_id=pursue.id), {"name": "Pursue offenders"})
    db.session.expire_all()
    assert [s.name for s in db.session.get(Plan, plan.id).strands] == ["Prevent", "Pursue offenders", "Protect"]

    page = admin_client.get_page("admin.plan", plan_id=plan.id)
    assert [h.text for h in page.select("h3")] == ["Prevent", "Pursue offenders", "Protect"]
    assert [f for f, _, _ in log_fields("strand")] == ["created", "position", "name"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Enter the strand's name"),
        ("PREVENT", "CSE plan already has a strand called “PREVENT”. Choose another name"),
    ],
)
def test_a_strand_needs_a_name_unique_in_its_plan(admin_client, name, message):
    plan = factories.make_plan("CSE plan", strands=("Prevent",))
    factories.make_plan("Other plan", strands=("Protect",))
    db.session.commit()
    response = admin_client.post_form(url_for("admin.new_strand", plan_id=plan.id), {"name": name})
    assert error_messages(response) == [message]
    assert db.session.query(Strand).count() == 2


def test_sub_objectives_with_or_without_numbers(admin_client):
    plan = factories.make_plan("CSE plan")
    strand = plan.strands[0]
    db.session.commit()
    admin_client.post_form(url_for("admin.new_objective", strand_id=strand.id), {"number": "2", "statement": "Disrupt"})
    admin_client.post_form(url_for("admin.new_objective", strand_id=strand.id), {"number": "", "statement": "Train"})
    response = admin_client.post_form(url_for("admin.new_objective", strand_id=strand.id), {"number": "two"})
    assert error_messages(response) == ["Enter the number as a whole number, like 3, or leave it out"]
    response = admin_client.post_form(url_for("admin.new_objective", strand_id=strand.id), {"statement": ""})
    assert error_messages(response) == ["Enter the sub-objective, its number, or both"]
    train = db.session.scalars(select(Objective).where(Objective.statement == "Train")).one()
    admin_client.post_form(url_for("admin.move_objective_view", objective_id=train.id), {"direction": "up"})
    db.session.expire_all()
    assert [(o.number, o.statement) for o in db.session.get(Strand, strand.id).objectives] == [
        (1, "Prevent objective"),
        (None, "Train"),
        (2, "Disrupt"),
    ]


def test_add_an_action_with_every_field_and_it_is_in_its_history(admin_client):
    agency = factories.make_agency("West Midlands Police")
    lead, officer = factories.make_post("CSE Co-ordinator"), factories.make_post("Police lead", agency)
    plan = factories.make_plan("CSE plan")
    objective = plan.strands[0].objectives[0]
    db.session.commit()
    response = admin_client.post_form(
        url_for("admin.new_action", objective_id=objective.id),
        {
            "reference": "1.9",
            "text": "Run a disruption day",
            "expected_evidence": "Attendance list",
            "expected_outcomes": "Fewer missing episodes",
            "responsible": [str(officer.id)],
            "accountable": [str(lead.id)],
            "partners": [str(agency.id)],
            "due_date": ["31", "3", "2016"],
            "is_restricted": "y",
        },
    )
    action = db.session.scalars(select(Action)).one()
    assert response.location.endswith(f"/actions/{action.id}")
    assert (action.reference, action.text, action.due_date, action.baseline_due_date, action.is_restricted) == (
        "1.9", "Run a disruption day", date(2016, 3, 31), date(2016, 3, 31), True,
    )  # fmt: skip
    assert [p.name for p in action.responsible_posts] == ["Police lead"]
    assert [p.name for p in action.accountable_posts] == ["CSE Co-ordinator"]
    assert [a.name for a in action.partners] == ["West Midlands Police"]
    created = db.session.scalars(select(HistoryEntry).where(HistoryEntry.action_id == action.id)).one()
    assert (created.field, created.actor_id) == ("created", admin_client.user.id)


def test_an_action_needs_its_text_and_real_choices(admin_client):
    plan = factories.make_plan("CSE plan")
    db.session.commit()
    url = url_for("admin.new_action", objective_id=plan.strands[0].objectives[0].id)
    response = admin_client.post_form(url, {"text": "", "responsible": ["99999"], "due_date": ["31", "", "2016"]})
    assert error_messages(response) == [
        "Enter the action",
        "Select responsible posts from the list",
        "The due date must include a month",
    ]
    assert db.session.query(Action).count() == 0


def test_move_an_action_within_its_plan_and_never_into_another(admin_client):
    plan = factories.make_plan("CSE plan", strands=("Prevent", "Protect"))
    other = factories.make_plan("Other plan")
    action = factories.make_action(plan)
    db.session.commit()
    target = plan.strands[1].objectives[0]
    foreign = other.strands[0].objectives[0]

    response = admin_client.post_form(
        url_for("admin.move_action_view", action_id=action.id), {"objective": str(foreign.id)}
    )
    assert error_messages(response) == ["Choose a sub-objective from the list"]
    db.session.expire_all()
    assert db.session.get(Action, action.id).objective_id == plan.strands[0].objectives[0].id

    admin_client.post_form(
        url_for("admin.move_action_view", action_id=action.id), {"objective": str(target.id), "reason": "Fits Protect"}
    )
    db.session.expire_all()
    assert db.session.get(Action, action.id).objective_id == target.id
    moved = db.session.scalars(select(HistoryEntry).where(HistoryEntry.field == "objective_id")).one()
    assert (moved.new_value, moved.reason) == (str(target.id), "Fits Protect")


def test_reorder_actions_in_a_sub_objective(admin_client):
    plan = factories.make_plan("CSE plan")
    first, second = factories.make_action(plan, reference="1.1"), factories.make_action(plan, reference="1.2")
    db.session.commit()
    admin_client.post_form(url_for("admin.reorder_action", action_id=second.id), {"direction": "up"})
    db.session.expire_all()
    assert [a.reference for a in db.session.get(Objective, first.objective_id).actions] == ["1.2", "1.1"]
    assert (
        admin_client.post_form(
            url_for("admin.reorder_action", action_id=first.id), {"direction": "sideways"}
        ).status_code
        == 400
    )


def test_cancel_an_action_with_a_reason(admin_client, board_client):
    plan = factories.make_plan("CSE plan")
    keep, drop = factories.make_action(plan, reference="1.1"), factories.make_action(plan, reference="1.2")
    db.session.commit()
    url = url_for("admin.cancel_action_view", action_id=drop.id)
    assert error_messages(admin_client.post_form(url, {"reason": " "})) == [
        "Enter the reason for cancelling the action"
    ]
    admin_client.post_form(url, {"reason": "Duplicates 1.1"})
    db.session.expire_all()
    assert db.session.get(Action, drop.id).status is Status.CANCELLED
    entry = db.session.scalars(select(HistoryEntry).where(HistoryEntry.field == "status")).one()
    assert (entry.new_value, entry.reason) == ("cancelled", "Duplicates 1.1")
    page = board_client.get_page("actions.show", action_id=drop.id)
    assert "Cancelled" in page.text
    assert keep.status is not Status.CANCELLED
    # It leaves the dashboard's counts of live actions, and stays on the plan's page, shown as cancelled.
    live = build_dashboard(ActionFilters(live=True), board_client.user, date(2015, 7, 1), filter_choices())
    assert live.headline.total == 1
    listed = board_client.get(url_for("dashboard.actions")).get_data(as_text=True)
    assert "Action 1.1" in listed or "1.1" in listed
    assert f'/actions/{drop.id}"' not in listed
    plan_page = board_client.get_page("plans.show", plan_id=plan.id)
    assert [tag.text for tag in plan_page.select("tbody .govuk-tag") if tag.text == "Cancelled"] == ["Cancelled"]


def test_the_administration_log_filters_by_plan_and_person(app, admin_client, client_as):
    other_admin = client_as(Role.ADMIN, name="Second Admin")
    one, two = factories.make_plan("Plan one"), factories.make_plan("Plan two")
    action = factories.make_action(one, reference="1.1")
    db.session.commit()
    admin_client.post_form(url_for("admin.new_strand", plan_id=one.id), {"name": "Pursue"})
    other_admin.post_form(url_for("admin.new_strand", plan_id=two.id), {"name": "Protect"})
    admin_client.post_form(url_for("admin.cancel_action_view", action_id=action.id), {"reason": "Done elsewhere"})

    def rows(**args):
        page = admin_client.get_page("admin.log_page", **args)
        return [" ".join(row.select("td")[2].get_text(" ").split()) for row in page.select("tbody tr")]

    assert len(rows()) == 3
    assert rows(plan=two.id) == ["Strand: Protect Plan two"]
    assert rows(person=admin_client.user.id) == ["Action: Action 1.1 Plan one", "Strand: Pursue Plan one"]
    assert rows(plan=one.id, person=other_admin.user.id) == []
