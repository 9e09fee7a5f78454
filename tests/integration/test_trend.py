"""The RAG trend: read from each action's kept month-end state, rebuilt from history where none is kept."""

from datetime import date, datetime

import pytest
from sqlalchemy import delete, func, select

from tests import factories
from tracker.clock import end_of_day
from tracker.extensions import db
from tracker.models import Action, ActionMonthEnd, MonthEndCount, Rag, ReportingDate, Role, Status
from tracker.queries import trend as trend_module
from tracker.queries.actions import ActionFilters, ActionQuery
from tracker.queries.as_at import state_at
from tracker.queries.trend import count_rag_mix, month_ends, take_month_ends, trend_points
from tracker.services.history import apply_changes

TODAY = date(2015, 10, 15)
DAYS = [date(2015, 6, 30), date(2015, 7, 31), date(2015, 8, 31), date(2015, 9, 30)]


@pytest.fixture
def story(app, pinned_today):
    pinned_today(TODAY.isoformat())
    plan = factories.make_plan()
    plan.created_at = datetime(2015, 6, 1)
    slipping = factories.make_action(
        plan, delivery_rag=Rag.GREEN, due_date=date(2015, 8, 15), created_at=datetime(2015, 6, 1)
    )
    rated = factories.make_action(plan, delivery_rag=Rag.NOT_RATED, created_at=datetime(2015, 6, 1))
    _change_on(pinned_today, "2015-07-10", rated, Rag.AMBER)
    _change_on(pinned_today, "2015-09-10", rated, Rag.RED)
    factories.make_action(plan, delivery_rag=Rag.BLUE, status=Status.COMPLETE, created_at=datetime(2015, 8, 20))
    db.session.commit()
    pinned_today(TODAY.isoformat())
    return {"plan": plan, "slipping": slipping, "rated": rated}


def _change_on(pinned_today, day: str, action: Action, rag: Rag) -> None:
    """The delivery RAG changed through the history service on that day."""
    pinned_today(day)
    apply_changes(action, {"delivery_rag": rag}, None, "Rated")


def _query(viewer=None, **filters):
    """The points are kept on a connection of their own: what the test set up must be committed first."""
    viewer = viewer or factories.make_user(role=Role.BOARD)
    db.session.commit()
    return ActionQuery.build(ActionFilters(**filters), viewer, TODAY)


def _mix(points):
    return [{rag.value: n for rag, n in point.counts.items() if n} for point in points]


def test_month_ends_before_the_day():
    assert month_ends(date(2015, 6, 14), date(2015, 9, 30)) == [date(2015, 6, 30), date(2015, 7, 31), date(2015, 8, 31)]
    assert month_ends(date(2015, 1, 1), date(2018, 1, 1), limit=3) == [
        date(2017, 10, 31),
        date(2017, 11, 30),
        date(2017, 12, 31),
    ]
    assert month_ends(date(2015, 12, 1), date(2016, 1, 2)) == [date(2015, 12, 31)]


def test_the_mix_at_each_month_end_is_rebuilt_from_history(story):
    points = trend_points(_query(), DAYS)
    assert _mix(points) == [
        {"green": 1, "not_rated": 1},
        {"green": 1, "amber": 1},
        {"amber": 2, "blue": 1},  # the green one is overdue from 16 August; the complete one added in August
        {"amber": 1, "red": 1, "blue": 1},
    ]


def _kept_rows() -> int:
    return db.session.scalar(select(func.count()).select_from(ActionMonthEnd))


def _refusing_history(monkeypatch) -> None:
    """Fail if any point is rebuilt from history rather than read from the kept month ends."""

    def refuse(_query, days):
        if list(days):
            raise AssertionError(f"rebuilt from history: {list(days)}")
        return {}

    monkeypatch.setattr(trend_module, "count_rag_mix", refuse)


def test_kept_month_ends_give_the_same_mix_without_rebuilding(story, monkeypatch):
    query = _query()
    rebuilt = trend_points(query, DAYS)
    assert take_month_ends(TODAY) == 2 + 2 + 3 + 3  # actions existing at each month end from June
    assert take_month_ends(TODAY) == 0  # kept already
    _refusing_history(monkeypatch)
    assert _mix(trend_points(query, DAYS)) == _mix(rebuilt)


def test_changes_made_now_leave_kept_month_ends_alone(story, monkeypatch):
    query = _query()
    take_month_ends(TODAY)
    before = trend_points(query, DAYS)
    apply_changes(story["rated"], {"delivery_rag": Rag.GREEN}, None, "Back on track")  # dated today
    factories.make_action(story["plan"], created_at=datetime(2015, 10, 14))  # added since
    db.session.commit()
    assert _kept_rows() == 10
    _refusing_history(monkeypatch)
    assert _mix(trend_points(query, DAYS)) == _mix(before)


def test_back_dated_history_forgets_the_month_ends_it_precedes(story, pinned_today):
    query = _query()
    take_month_ends(TODAY)
    _change_on(pinned_today, "2015-08-05", story["rated"], Rag.GREEN)  # written now, dated in August
    db.session.commit()
    pinned_today(TODAY.isoformat())
    assert _kept_rows() == 10 - 2  # its August and September rows
    points = trend_points(query, DAYS)
    assert _mix(points)[2] == {"amber": 1, "green": 1, "blue": 1}
    db.session.execute(delete(ActionMonthEnd))
    assert [point.counts for point in points] == list(count_rag_mix(query, DAYS).values())
    take_month_ends(TODAY)
    assert [point.counts for point in trend_points(query, DAYS)] == [point.counts for point in points]


def test_an_action_added_in_the_past_or_removed_is_counted_right(story):
    query = _query()
    take_month_ends(TODAY)
    factories.make_action(story["plan"], delivery_rag=Rag.RED, created_at=datetime(2015, 6, 2))
    db.session.commit()
    assert _mix(trend_points(query, DAYS))[0] == {"green": 1, "not_rated": 1, "red": 1}
    db.session.execute(delete(Action).where(Action.id == story["slipping"].id))
    db.session.commit()
    assert _mix(trend_points(query, DAYS))[0] == {"not_rated": 1, "red": 1}


def test_restricting_an_action_changes_a_scrutiny_trend(story):
    take_month_ends(TODAY)
    query = _query(factories.make_user(role=Role.SCRUTINY))
    assert _mix(trend_points(query, DAYS))[0] == {"green": 1, "not_rated": 1}
    apply_changes(story["slipping"], {"is_restricted": True}, None, "Sensitive")
    db.session.commit()
    assert _mix(trend_points(query, DAYS))[0] == {"not_rated": 1}


def test_scopes_are_counted_separately(story):
    other = factories.make_plan()
    factories.make_action(other, delivery_rag=Rag.RED, created_at=datetime(2015, 6, 1))
    db.session.commit()
    take_month_ends(TODAY)
    viewer = factories.make_user(role=Role.BOARD)
    everything = trend_points(_query(viewer), DAYS[:1])
    one_plan = trend_points(_query(viewer, plan_id=story["plan"].id), DAYS[:1])
    assert everything[0].total == 3 and one_plan[0].total == 2


@pytest.mark.parametrize("day", [date(2015, 6, 30), date(2015, 8, 20), date(2015, 9, 30), date(2015, 10, 2)])
def test_a_past_day_starts_from_the_month_end_before_it(story, pinned_today, day):
    """The state at any past day is the same whether it starts from a kept month end or all history."""
    _change_on(pinned_today, "2015-08-25", story["slipping"], Rag.RED)
    _change_on(pinned_today, "2015-10-01", story["rated"], Rag.GREEN)
    db.session.commit()
    pinned_today(TODAY.isoformat())

    def rows():
        state = state_at(end_of_day(day))
        return sorted(tuple(row) for row in db.session.execute(select(state)))

    from_history = rows()
    take_month_ends(TODAY)
    assert _kept_rows() > 0
    assert rows() == from_history


def _strands(plan) -> list[int]:
    return [strand.id for strand in plan.strands]


def test_a_plans_month_ends_are_read_from_its_strands_counts(story, monkeypatch):
    """Counted per strand by the nightly job, the plan's trend reads those counts, not each action's row."""
    query = _query(plan_id=story["plan"].id)
    rebuilt = trend_points(query, DAYS)
    take_month_ends(TODAY)
    assert db.session.scalar(select(func.count()).select_from(MonthEndCount)) == 4 * len(story["plan"].strands) * 2 * 5
    _refusing_history(monkeypatch)
    monkeypatch.setattr(trend_module, "_from_month_ends", lambda *_: pytest.fail("read each action's row"))
    assert _mix(trend_points(query, DAYS, _strands(story["plan"]))) == _mix(rebuilt)


def test_a_strand_whose_counts_are_forgotten_is_read_from_each_actions_row(story):
    """An action moved or restricted deletes its strands' counts; the trend stays right meanwhile."""
    plan = story["plan"]
    query = _query(plan_id=plan.id)
    before = trend_points(query, DAYS)
    take_month_ends(TODAY)
    apply_changes(story["slipping"], {"is_restricted": True}, None, "Sensitive")
    db.session.commit()
    strand = story["slipping"].objective.strand_id
    assert not db.session.scalar(
        select(func.count()).select_from(MonthEndCount).where(MonthEndCount.strand_id == strand)
    )
    assert _mix(trend_points(query, DAYS, _strands(plan))) == _mix(before)
    take_month_ends(TODAY)  # the next night counts it again
    assert db.session.scalar(select(func.count()).select_from(MonthEndCount).where(MonthEndCount.strand_id == strand))


def test_a_board_meeting_day_is_kept_and_read_from_its_counts(story, monkeypatch):
    """The end of each past meeting day is kept like a month end: the trend by meeting and "since
    the last meeting" read it without rebuilding history; a meeting still to come is not kept."""
    plan = story["plan"]
    meetings = [date(2015, 7, 20), date(2015, 9, 15), date(2015, 10, 20)]
    for meeting in meetings:
        db.session.add(
            ReportingDate(plan_id=plan.id, meeting_name="LSCB board", meeting_date=meeting, updates_due_date=meeting)
        )
    query = _query(plan_id=plan.id)
    days = [*DAYS, *meetings[:2]]
    rebuilt = trend_points(query, days)
    assert take_month_ends(TODAY) == 2 + 2 + 3 + 3 + 2 + 3  # the month ends, then both past meetings
    kept = set(db.session.scalars(select(ActionMonthEnd.month_end).distinct()))
    assert set(meetings[:2]) <= kept and meetings[2] not in kept
    _refusing_history(monkeypatch)
    monkeypatch.setattr(trend_module, "_from_month_ends", lambda *_: pytest.fail("read each action's row"))
    assert _mix(trend_points(query, days, _strands(plan))) == _mix(rebuilt)
    assert _mix(trend_points(query, meetings[1:2], _strands(plan))) == [{"amber": 1, "red": 1, "blue": 1}]


def test_the_actions_on_each_kept_day_are_counted_a_batch_of_days_at_a_time(story, monkeypatch):
    """Years of month ends and meeting days would pass the columns a statement may have: the same
    rows are kept when the days are counted a few at a time."""
    monkeypatch.setattr(trend_module, "_DAYS_A_STATEMENT", 3)
    query = _query()
    rebuilt = trend_points(query, DAYS)
    assert take_month_ends(TODAY) == 2 + 2 + 3 + 3
    _refusing_history(monkeypatch)
    assert _mix(trend_points(query, DAYS)) == _mix(rebuilt)
