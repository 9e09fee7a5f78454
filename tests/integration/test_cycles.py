"""Reporting cycles: the current period and "not updated this cycle", in Python and in SQL alike."""

from datetime import date, datetime

from sqlalchemy import select

from tests import factories
from tracker.cycles import current_cycle, cycle_starts, needs_update_sql, not_updated_this_cycle_sql
from tracker.extensions import db
from tracker.models import Action, Objective, ReportingDate, Status, Strand
from tracker.queries.structure import action_to_strand

TODAY = date(2015, 7, 15)


def _plan_with_dates():
    plan = factories.make_plan()
    plan.created_at = datetime(2015, 3, 1, 9, 0)
    for meeting, updates_due in [(date(2015, 6, 20), date(2015, 6, 10)), (date(2015, 9, 20), date(2015, 9, 10))]:
        db.session.add(
            ReportingDate(
                plan_id=plan.id, meeting_name="LSCB board", meeting_date=meeting, updates_due_date=updates_due
            )
        )
    db.session.flush()
    return plan


def test_current_period_starts_after_the_last_passed_due_date(app):
    plan = _plan_with_dates()
    cycle = current_cycle(plan, TODAY)
    assert cycle.starts_on == date(2015, 6, 11)
    assert cycle.updates_due_by == date(2015, 9, 10)
    assert cycle.next_meeting.meeting_date == date(2015, 9, 20)


def test_before_any_due_date_the_period_starts_with_the_plan(app):
    plan = _plan_with_dates()
    cycle = current_cycle(plan, date(2015, 4, 1))
    assert cycle.starts_on == date(2015, 3, 1)
    assert cycle.updates_due_by == date(2015, 6, 10)


def test_sql_and_python_agree_on_not_updated(app):
    plan = _plan_with_dates()
    moments = [None, datetime(2015, 6, 10, 23, 59), datetime(2015, 6, 11, 0, 0), datetime(2015, 7, 1, 12, 0)]
    actions = [factories.make_action(plan, last_progress_at=m) for m in moments]
    db.session.commit()
    cycle = current_cycle(plan, TODAY)
    expected = {a.id for a in actions if cycle.not_updated(a.last_progress_at)}
    assert expected == {actions[0].id, actions[1].id}
    clause = not_updated_this_cycle_sql(Strand.plan_id, cycle_starts(TODAY))
    found = set(
        db.session.scalars(
            select(Action.id).join(Objective, Action.objective_id == Objective.id).join(Strand).where(clause)
        )
    )
    assert found == expected


def test_sql_and_python_agree_on_needs_update(app):
    """Not updated this cycle and still open: complete and cancelled actions owe no update."""
    plan = _plan_with_dates()
    never, recent = None, datetime(2015, 7, 1, 12, 0)
    actions = [
        factories.make_action(plan, last_progress_at=moment, status=status)
        for moment in (never, recent)
        for status in (Status.IN_PROGRESS, Status.ONGOING, Status.COMPLETE, Status.CANCELLED)
    ]
    db.session.commit()
    cycle = current_cycle(plan, TODAY)
    expected = {a.id for a in actions if cycle.needs_update(a.last_progress_at, a.status)}
    assert expected == {actions[0].id, actions[1].id}
    found = set(
        db.session.scalars(
            select(Action.id).select_from(action_to_strand()).where(needs_update_sql(cycle_starts(TODAY)))
        )
    )
    assert found == expected
