"""Per-plan data versions: a change to one plan's actions leaves what was counted for the others.

The dashboard keeps each plan's counts under that plan's number and the number for everything
(tracker/data_version.py). These tests hold the rule that decides which number a change moves,
and show that the dashboard recounts only the plan that changed and still tells the truth.
"""

from datetime import date, datetime

import pytest
from sqlalchemy import select, update

from tests import factories
from tests.integration.test_dashboard import _figure_links, _number, _status_total
from tracker.data_version import move_on, versions
from tracker.extensions import db
from tracker.models import Action, Notification, Objective, ProgressUpdate, Rag, Role, Status, User
from tracker.queries import dashboard as dashboard_queries
from tracker.services.action_edit import ActionEdit, edit_action
from tracker.services.deadlines import set_due_date
from tracker.services.history import apply_changes
from tracker.services.progress import ProgressSubmission, record_progress_update


@pytest.fixture
def two_plans(app, pinned_today):
    pinned_today("2015-10-01")
    agency = factories.make_agency("Police")
    post = factories.make_post("Detective Inspector", agency)
    plans = []
    for name in ("Plan A", "Plan B"):
        plan = factories.make_plan(name, strands=("Prevent", "Protect"))
        plan.created_at = datetime(2015, 3, 1)
        for n in range(4):
            factories.make_action(
                plan,
                due_date=date(2015, 9, 1 + n) if n % 2 else date(2016, 1, 1),
                delivery_rag=(Rag.GREEN, Rag.AMBER, Rag.RED, Rag.GREEN)[n],
                accountable=[post] if n != 3 else [],
                strand_index=n % 2,
                created_at=datetime(2015, 3, 1),
            )
        plans.append(plan)
    db.session.commit()
    move_on()
    return plans


def _numbers():
    numbers = versions()
    return numbers.everything, dict(numbers.plans)


def _moved(do) -> tuple[bool, set[int]]:
    """(whether the number for everything moved, the plans whose numbers moved)."""
    everything, plans = _numbers()
    do()
    db.session.commit()
    everything_now, plans_now = _numbers()
    moved_plans = {plan_id for plan_id, n in plans_now.items() if plans.get(plan_id) != n}
    return everything_now != everything, moved_plans


def _first_action(plan) -> Action:
    return plan.strands[0].objectives[0].actions[0]


def test_a_change_to_an_action_moves_only_its_plan_on(two_plans):
    plan_a, _plan_b = two_plans
    action = _first_action(plan_a)
    assert _moved(lambda: apply_changes(action, {"delivery_rag": Rag.RED}, None, "Off track")) == (False, {plan_a.id})


def test_progress_updates_and_new_dates_move_only_their_plan_on(two_plans):
    _plan_a, plan_b = two_plans
    action = _first_action(plan_b)

    def report():
        db.session.add(
            ProgressUpdate(
                action_id=action.id,
                author_name="Sam Patel",
                created_at=datetime(2015, 9, 30, 10),
                commentary="Going well",
                delivery_rag=action.delivery_rag,
                outcome_rag=action.outcome_rag,
                status=action.status,
            )
        )
        action.last_progress_at = datetime(2015, 9, 30, 10)

    assert _moved(report) == (False, {plan_b.id})
    assert _moved(lambda: set_due_date(action, date(2016, 6, 30), None, "Later")) == (False, {plan_b.id})


def test_changes_beyond_one_plans_actions_move_everything_on(two_plans):
    plan_a, plan_b = two_plans
    assert _moved(lambda: factories.make_post("Head of Service"))[0]
    assert _moved(lambda: setattr(plan_a, "name", "Plan A, revised"))[0]
    moving = _first_action(plan_a)
    to_b = plan_b.strands[0].objectives[0]
    assert _moved(lambda: setattr(moving, "objective_id", to_b.id))[0]  # from one plan to another
    back = _first_action(plan_b)
    assert _moved(lambda: setattr(back, "objective", plan_a.strands[0].objectives[0]))[0]  # and by relationship
    assert _moved(lambda: db.session.execute(update(Action).values(delivery_rag=Rag.GREEN)))[0]


def test_notifications_and_accounts_move_nothing_on(two_plans):
    plan_a, _plan_b = two_plans
    user = factories.make_user()
    db.session.commit()

    def notify():
        db.session.add(
            Notification(
                user_id=user.id,
                action_id=_first_action(plan_a).id,
                event_key="auto_amber:2015-09-01",
                message="Overdue",
                created_at=datetime(2015, 10, 1),
            )
        )
        db.session.get(User, user.id).name = "Renamed"

    assert _moved(notify) == (False, set())


def _figures(client) -> dict[str, int]:
    page = client.get_page("dashboard.show")
    return {link["href"]: _number(link) for link in _figure_links(page) if "See all" not in link.text}


def test_after_one_plan_changes_only_it_is_counted_again(board_client, two_plans, monkeypatch):
    plan_a, plan_b = two_plans
    counted: list[list[int]] = []
    count_plans = dashboard_queries._count_plans

    def spy(query, since, plan_ids, **kwargs):
        counted.append(sorted(plan_ids))
        return count_plans(query, since, plan_ids, **kwargs)

    monkeypatch.setattr(dashboard_queries, "_count_plans", spy)
    before = _figures(board_client)
    assert counted == [sorted([plan_a.id, plan_b.id])]

    red_before = before[next(href for href in before if href.endswith("rag=red"))]
    apply_changes(_first_action(plan_a), {"delivery_rag": Rag.RED}, None, "Off track")
    db.session.commit()
    after = _figures(board_client)
    assert counted[-1] == [plan_a.id]  # plan B's counts were kept
    assert after[next(href for href in after if href.endswith("rag=red"))] == red_before + 1

    # What was kept and added up is what a count from scratch gives.
    monkeypatch.setitem(board_client.application.config, "KEEP_COUNTED_RESULTS", False)
    assert _figures(board_client) == after


def test_figures_of_several_plans_add_up_to_their_lists(board_client, two_plans, coventry):
    """Counted per plan and added up, every figure still matches the list it links to."""
    page = board_client.get_page("dashboard.show")
    checked = set()
    for link in _figure_links(page):
        href = link["href"]
        if href in checked:
            continue
        checked.add(href)
        if "See all" in link.text:
            continue
        assert _status_total(board_client, href) == _number(link), (link.get_text(" ", strip=True), href)
    assert len(checked) > 60
    exceptions = page.select(".app-exceptions tbody tr")
    assert len(exceptions) == dashboard_queries.EXCEPTIONS_SHOWN
    # The most serious first, whichever plan it belongs to: every Red one before any that is not.
    reasons = [row.select(".app-reason")[0].get_text() for row in exceptions]
    assert reasons == sorted(reasons, key=lambda reason: reason != "Red")


def test_an_action_moved_between_plans_is_counted_in_its_new_plan(board_client, two_plans):
    plan_a, plan_b = two_plans
    board_client.get_page("dashboard.show", plan=plan_b.id)
    moving = _first_action(plan_a)
    moving.objective_id = db.session.scalar(select(Objective.id).where(Objective.strand_id == plan_b.strands[0].id))
    db.session.commit()
    page = board_client.get_page("dashboard.show", plan=plan_b.id)
    [all_actions] = [link for link in _figure_links(page) if "All actions" in link.get_text()]
    assert _number(all_actions) == 5


def _main_text(client, **values) -> str:
    return client.get_page("dashboard.show", **values).select_one("main").get_text(" ", strip=True)


def test_kept_counts_stay_true_through_every_kind_of_change(app, board_client, scrutiny_client, two_plans):
    """After each kind of change an owner or the co-ordinator makes, the kept dashboard is a fresh count."""
    plan_a, plan_b = two_plans
    admin = factories.make_user(role=Role.ADMIN)
    post = factories.make_post("Head of Safeguarding")
    db.session.commit()
    a_action, b_action = _first_action(plan_a), _first_action(plan_b)

    def complete_with_an_update():
        record_progress_update(
            a_action,
            ProgressSubmission(
                delivery_rag=None,
                outcome_rag=Rag.GREEN,
                status=Status.COMPLETE,
                commentary="Done",
                no_evidence_reason="Signed off at the board",
            ),
            admin,
            a_action.version,
        )

    def restrict_and_reassign():
        edit_action(
            b_action,
            ActionEdit(
                text=b_action.text,
                responsible_post_ids=(post.id,),
                accountable_post_ids=(),
                partner_agency_ids=(),
                due_date=b_action.due_date,
                is_restricted=True,
                reason="Sensitive: named children",
            ),
            admin,
            b_action.version,
        )

    steps = [
        complete_with_an_update,
        restrict_and_reassign,
        lambda: set_due_date(_first_action(plan_a), date(2015, 9, 20), admin, "Brought forward"),
        lambda: apply_changes(b_action, {"outcome_rag": Rag.RED}, admin, "No difference yet"),
        lambda: factories.make_action(plan_a, delivery_rag=Rag.RED, created_at=datetime(2015, 9, 1)),
    ]
    for views in ({}, {"plan": plan_b.id}):
        for client in (board_client, scrutiny_client):
            _main_text(client, **views)  # counted and kept before the changes
    for step in steps:
        step()
        db.session.commit()
        for views in ({}, {"plan": plan_b.id}):
            for client in (board_client, scrutiny_client):
                kept = _main_text(client, **views)
                app.config["KEEP_COUNTED_RESULTS"] = False
                try:
                    assert kept == _main_text(client, **views), (step, views)
                finally:
                    app.config["KEEP_COUNTED_RESULTS"] = True
