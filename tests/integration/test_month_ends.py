"""The one thing the dashboard keeps, each action's state at each month end and meeting day, stays true.

The dashboard counts afresh on every view; its trend, "since the last meeting" and past views start
from the states the nightly job keeps (tracker/queries/trend.py). After every kind of change an owner or the
co-ordinator makes, a dashboard read from them is the dashboard counted from history alone.
"""

from datetime import date, datetime

import pytest
from sqlalchemy import delete, func, select

from tests import factories
from tests.integration.test_dashboard import _figure_links, _number, _status_total
from tracker.extensions import db
from tracker.jobs import take_month_ends
from tracker.models import Action, ActionMonthEnd, MonthEndCount, Objective, Rag, ReportingDate, Role, Status
from tracker.queries import dashboard as dashboard_queries
from tracker.services.action_edit import ActionEdit, edit_action
from tracker.services.deadlines import set_due_date
from tracker.services.history import apply_changes
from tracker.services.plans_admin import move_action
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
    db.session.flush()
    # Board meetings that are not month ends: kept days too ("since the last meeting", the trend by meeting).
    for plan, meetings in zip(plans, ((date(2015, 7, 15), date(2015, 9, 10)), (date(2015, 9, 24),)), strict=True):
        for meeting in meetings:
            db.session.add(
                ReportingDate(
                    plan_id=plan.id,
                    meeting_name="LSCB board",
                    meeting_date=meeting,
                    updates_due_date=meeting.replace(day=1),
                )
            )
    db.session.commit()
    return plans


def _first_action(plan) -> Action:
    return plan.strands[0].objectives[0].actions[0]


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


def test_kept_month_ends_stay_true_through_every_kind_of_change(board_client, scrutiny_client, two_plans, pinned_today):
    """After each kind of change, dashboards (today's, past, one plan, a councillor's) read from the
    kept month ends are those rebuilt from history alone."""
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

    def back_dated():
        """A change dated before kept month ends (the clock set back): their rows are forgotten.

        To a field with no later change, so the history stays one consistent chain.
        """
        pinned_today("2015-08-10")
        apply_changes(b_action, {"delivery_rag": Rag.RED}, admin, "Recorded late")
        db.session.commit()
        pinned_today("2015-10-01")

    steps = [
        complete_with_an_update,
        restrict_and_reassign,
        lambda: set_due_date(_first_action(plan_a), date(2015, 9, 20), admin, "Brought forward"),
        lambda: apply_changes(b_action, {"outcome_rag": Rag.RED}, admin, "No difference yet"),
        lambda: factories.make_action(plan_a, delivery_rag=Rag.RED, created_at=datetime(2015, 9, 1)),
        # Moved to its plan's other strand: both strands' month-end counts change.
        lambda: move_action(admin, _first_action(plan_a), plan_a.strands[1].objectives[0], "Belongs there"),
    ]
    views = (
        {},
        {"plan": plan_b.id},
        {"plan": plan_a.id, "trend": "meetings"},
        {"as_at": "2015-09-20"},
        {"as_at": "2015-08-31", "plan": plan_a.id},
    )
    for step in [*steps, back_dated]:
        take_month_ends()  # the nightly job, before the change
        assert db.session.scalar(select(func.count()).select_from(MonthEndCount)) > 0
        step()
        db.session.commit()
        for view in views:
            for client in (board_client, scrutiny_client):
                kept = _main_text(client, **view)
                db.session.execute(delete(ActionMonthEnd))
                db.session.execute(delete(MonthEndCount))
                db.session.commit()
                assert kept == _main_text(client, **view), (step, view)
                take_month_ends()
