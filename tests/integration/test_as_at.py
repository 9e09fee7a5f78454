"""Actions as they stood at the end of a past day, rebuilt from history, on both databases.

History is written by changing the actions through the services on the days the clock is pinned to.
"""

from datetime import date, datetime

import pytest

from tests import factories
from tracker.extensions import db
from tracker.models import ProgressUpdate, Rag, Role, Status
from tracker.queries.actions import ActionFilters, list_actions
from tracker.services.action_edit import ActionEdit, edit_action
from tracker.services.deadlines import set_due_date
from tracker.services.history import apply_changes

TODAY = date(2015, 12, 1)


def _at(day: str, hour: int = 12) -> datetime:
    return datetime.combine(date.fromisoformat(day), datetime.min.time()).replace(hour=hour)


@pytest.fixture
def viewer(app):
    return factories.make_user(role=Role.BOARD)


@pytest.fixture
def on(pinned_today):
    """on("2015-04-10", action, delivery_rag=Rag.AMBER): the change, through the history service, on that day."""

    def change(day: str, action, **changes) -> None:
        pinned_today(day)
        apply_changes(action, changes, None, "Changed in a test")
        db.session.flush()

    return change


def _row(viewer, action_id: int, as_at: date | None):
    rows = list_actions(ActionFilters(action_ids=(action_id,), as_at=as_at), viewer, TODAY)
    return rows[0] if rows else None


def _plan_created(day: str):
    plan = factories.make_plan()
    plan.created_at = _at(day, 9)
    return plan


def test_latest_value_at_or_before_the_moment_wins(app, viewer, on):
    plan = _plan_created("2015-03-01")
    action = factories.make_action(
        plan,
        delivery_rag=Rag.NOT_RATED,
        status=Status.IN_PROGRESS,
        due_date=date(2016, 3, 31),
        created_at=_at("2015-03-01"),
    )
    on("2015-04-10", action, delivery_rag=Rag.AMBER)
    on("2015-06-10", action, delivery_rag=Rag.RED)
    on("2015-09-10", action, delivery_rag=Rag.GREEN)
    db.session.commit()

    assert _row(viewer, action.id, date(2015, 3, 31)).delivery_rag is Rag.NOT_RATED  # old value of the first change
    assert _row(viewer, action.id, date(2015, 4, 10)).delivery_rag is Rag.AMBER  # a change that day counts
    assert _row(viewer, action.id, date(2015, 4, 9)).delivery_rag is Rag.NOT_RATED
    assert _row(viewer, action.id, date(2015, 7, 1)).delivery_rag is Rag.RED
    assert _row(viewer, action.id, date(2015, 10, 1)).delivery_rag is Rag.GREEN
    assert _row(viewer, action.id, None).delivery_rag is Rag.GREEN


def test_fields_never_changed_keep_their_current_value(app, viewer):
    plan = _plan_created("2015-03-01")
    action = factories.make_action(
        plan, outcome_rag=Rag.AMBER, status=Status.ONGOING, due_date=date(2015, 9, 30), created_at=_at("2015-03-01")
    )
    db.session.commit()
    row = _row(viewer, action.id, date(2015, 5, 1))
    assert (row.outcome_rag, row.status, row.due_date) == (Rag.AMBER, Status.ONGOING, date(2015, 9, 30))


def test_actions_created_after_the_moment_are_left_out(app, viewer):
    plan = _plan_created("2015-03-01")
    early = factories.make_action(plan, created_at=_at("2015-03-01"))
    late = factories.make_action(plan, created_at=_at("2015-08-01"))
    db.session.commit()
    ids = {row.id for row in list_actions(ActionFilters(plan_id=plan.id, as_at=date(2015, 7, 31)), viewer, TODAY)}
    assert ids == {early.id}
    assert _row(viewer, late.id, date(2015, 8, 1)) is not None  # the end of its first day


def test_due_dates_and_status_are_rebuilt_and_the_rag_rule_applied_at_that_date(app, viewer, on, pinned_today):
    plan = _plan_created("2015-03-01")
    action = factories.make_action(
        plan,
        delivery_rag=Rag.GREEN,
        status=Status.IN_PROGRESS,
        due_date=None,
        created_at=_at("2015-03-01"),
    )
    pinned_today("2015-03-05")
    set_due_date(action, date(2015, 6, 30), None, "Agreed at the board")
    pinned_today("2015-08-01")
    set_due_date(action, date(2015, 12, 31), None, "More time")
    on("2015-11-01", action, status=Status.COMPLETE, delivery_rag=Rag.BLUE)
    db.session.commit()

    before_any_date = _row(viewer, action.id, date(2015, 3, 2))
    assert before_any_date.due_date is None  # a recorded "no date" is a value, not a gap
    overdue_then = _row(viewer, action.id, date(2015, 7, 15))
    assert overdue_then.due_date == date(2015, 6, 30)
    assert overdue_then.status is Status.IN_PROGRESS
    assert overdue_then.is_overdue
    assert overdue_then.effective.rag is Rag.AMBER
    assert overdue_then.effective.reason == "Amber: overdue since 1 July 2015"
    moved = _row(viewer, action.id, date(2015, 9, 1))
    assert (moved.due_date, moved.is_overdue, moved.effective.rag) == (date(2015, 12, 31), False, Rag.GREEN)
    assert _row(viewer, action.id, date(2015, 11, 2)).effective.rag is Rag.BLUE


def test_owners_are_rebuilt_in_their_kind_from_the_owners_history(app, viewer, pinned_today):
    """Owners changed through the administrator's edit (test_owner_history.py checks the pages)."""
    police = factories.make_agency("Police")
    council = factories.make_agency("Council")
    inspector = factories.make_post("Detective Inspector", police)
    manager = factories.make_post("Service Manager", council)
    admin = factories.make_user(role=Role.ADMIN)
    plan = _plan_created("2015-03-01")
    action = factories.make_action(plan, accountable=[inspector], created_at=_at("2015-03-01"))
    pinned_today("2015-06-01")
    edit = ActionEdit(action.text, (inspector.id,), (manager.id,), (), None, False, "Handed over")
    edit_action(action, edit, admin, action.version)
    db.session.commit()

    then = _row(viewer, action.id, date(2015, 5, 1))
    assert (then.accountable, then.responsible, then.accountable_agencies) == (["Detective Inspector"], [], ["Police"])
    after = _row(viewer, action.id, date(2015, 7, 1))
    assert (after.accountable, after.responsible) == (["Service Manager"], ["Detective Inspector"])

    by_agency = ActionFilters(plan_id=plan.id, accountable_agency_id=police.id, as_at=date(2015, 5, 1))
    assert [row.id for row in list_actions(by_agency, viewer, TODAY)] == [action.id]
    assert list_actions(ActionFilters(plan_id=plan.id, accountable_agency_id=police.id), viewer, TODAY) == []

    # Handed back later: a day between the two changes is read from the history, not from today's owners.
    pinned_today("2015-08-01")
    edit_action(action, ActionEdit(action.text, (), (inspector.id,), (), None, False, "Back"), admin, action.version)
    db.session.commit()
    between = _row(viewer, action.id, date(2015, 7, 1))
    assert (between.accountable, between.responsible) == (["Service Manager"], ["Detective Inspector"])
    assert _row(viewer, action.id, date(2015, 9, 1)).accountable == ["Detective Inspector"]


def _progress_update(action, day: str, status: Status = Status.IN_PROGRESS) -> None:
    """A progress update written on that day (the service would date it now)."""
    db.session.add(
        ProgressUpdate(
            action_id=action.id,
            author_name="Owner",
            created_at=_at(day),
            commentary="",
            delivery_rag=Rag.GREEN,
            outcome_rag=Rag.NOT_RATED,
            status=status,
        )
    )


def test_not_updated_and_last_progress_as_at(app, viewer):
    plan = _plan_created("2015-03-01")
    action = factories.make_action(plan, created_at=_at("2015-03-01"), last_progress_at=_at("2015-10-01"))
    for day in ("2015-05-01", "2015-10-01"):
        _progress_update(action, day)
    db.session.commit()
    assert _row(viewer, action.id, date(2015, 4, 1)).last_progress_at is None
    assert _row(viewer, action.id, date(2015, 6, 1)).last_progress_at == _at("2015-05-01")
    assert _row(viewer, action.id, None).last_progress_at == _at("2015-10-01")
    never = ActionFilters(plan_id=plan.id, not_updated=True, as_at=date(2015, 4, 1))
    assert [row.id for row in list_actions(never, viewer, TODAY)] == [action.id]


def test_a_day_today_or_later_is_the_live_view(app, viewer, on):
    plan = _plan_created("2015-03-01")
    action = factories.make_action(plan, delivery_rag=Rag.RED, created_at=_at("2015-03-01"))
    on("2015-11-30", action, delivery_rag=Rag.GREEN)
    db.session.commit()
    assert _row(viewer, action.id, TODAY).delivery_rag is Rag.GREEN
    assert _row(viewer, action.id, date(2016, 1, 1)).delivery_rag is Rag.GREEN
    assert _row(viewer, action.id, date(2015, 11, 29)).delivery_rag is Rag.RED


@pytest.mark.parametrize("day", [date(2015, 4, 30), date(2015, 5, 12), date(2015, 6, 20), date(2015, 8, 31)])
def test_not_updated_as_at_a_past_day_agrees_with_each_actions_last_update(app, viewer, day):
    """Counted from the stretch of updates since each plan's period began, "not updated this cycle"
    as at a past day picks the actions whose rebuilt last update is before that start: for plans
    reporting to different meetings, and one with no meetings (its period began when it was made)."""
    from tracker.cycles import cycle_starts
    from tracker.models import CLOSED_STATUSES, ReportingDate

    plans = [_plan_created("2015-03-01") for _ in range(3)]
    db.session.flush()
    for plan, due_dates in zip(plans, ((date(2015, 5, 10), date(2015, 8, 10)), (date(2015, 6, 15),), ()), strict=True):
        for due in due_dates:
            db.session.add(
                ReportingDate(
                    plan_id=plan.id, meeting_name="Board", meeting_date=due.replace(day=20), updates_due_date=due
                )
            )
    update_days = ((), ("2015-04-01",), ("2015-05-11",), ("2015-04-01", "2015-06-18"), ("2015-08-11",))
    for plan in plans:
        for n, days in enumerate(update_days):
            status = Status.COMPLETE if n == 2 and plan is plans[0] else Status.IN_PROGRESS
            action = factories.make_action(
                plan, created_at=_at("2015-03-01"), status=status, last_progress_at=_at(days[-1]) if days else None
            )
            for update_day in days:
                _progress_update(action, update_day, status)
    db.session.commit()
    starts = cycle_starts(day)
    rows = list_actions(ActionFilters(as_at=day), viewer, TODAY)
    expected = {
        row.id
        for row in rows
        if row.status not in CLOSED_STATUSES
        and (row.last_progress_at is None or row.last_progress_at < starts[row.plan_id])
    }
    counted = {row.id for row in list_actions(ActionFilters(not_updated=True, as_at=day), viewer, TODAY)}
    assert counted == expected
    assert 0 < len(expected) < len(rows)
