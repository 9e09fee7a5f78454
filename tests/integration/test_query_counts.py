"""Pages make the same number of SQL statements whatever the number of actions.

Each page is requested at two sizes of data and its statements counted on the engine
(before_cursor_execute). The dashboard counts afresh on every view; its trend reads the
month-end states, kept or not (the same statements either way, plus one when a month end is not
fully kept).
"""

from contextlib import contextmanager
from datetime import date, datetime

import pytest
from sqlalchemy import event

from tests import factories
from tracker.extensions import db
from tracker.models import Agency, DeadlineChange, ProgressUpdate, Rag, ReportingDate, RequestState, Status
from tracker.services.history import apply_changes

TODAY = "2015-09-15"


@contextmanager
def counted_statements():
    statements: list[str] = []

    def count(_connection, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def _grow(plan, agencies: list[Agency], how_many: int, start: int, pin) -> None:
    """Actions with owners, partners, history, progress updates and moved deadlines.

    pin: the pinned_today fixture; the ratings are changed through the history service in April.
    """
    posts = [factories.make_post(agency=agency) for agency in agencies]
    for n in range(start, start + how_many):
        action = factories.make_action(
            plan,
            reference=f"{n}.1",
            due_date=date(2015, 5 + n % 6, 1),
            delivery_rag=Rag.NOT_RATED,
            status=Status.NOT_STARTED,
            accountable=[posts[n % len(posts)]],
            responsible=[posts[(n + 1) % len(posts)]],
            partners=[agencies[n % len(agencies)]],
            strand_index=n % len(plan.strands),
            created_at=datetime(2015, 3, 1),
        )
        pin("2015-04-02")
        apply_changes(action, {"status": Status.IN_PROGRESS}, None, "Started")
        pin(f"2015-04-{n % 28 + 1:02d}")
        apply_changes(action, {"delivery_rag": [Rag.RED, Rag.AMBER, Rag.GREEN][n % 3]}, None, "Rated")
        db.session.add(
            ProgressUpdate(
                action_id=action.id,
                author_name="Owner",
                created_at=datetime(2015, 6, n % 28 + 1),
                commentary=f"Update {n}",
                delivery_rag=action.delivery_rag,
                outcome_rag=Rag.NOT_RATED,
                status=Status.IN_PROGRESS,
            )
        )
        if n % 2:
            db.session.add(
                DeadlineChange(
                    action_id=action.id,
                    requested_at=datetime(2015, 6, 1),
                    old_due_date=date(2015, 5, 1),
                    new_due_date=action.due_date,
                    reason="Later",
                    state=RequestState.APPROVED,
                    decided_at=datetime(2015, 6, 2),
                )
            )
    db.session.commit()
    pin(TODAY)


@pytest.fixture
def small_then_large(app, pinned_today):
    """Yields twice: once with 6 actions, then with 60."""
    pinned_today(TODAY)
    plan = factories.make_plan(strands=("Prevent", "Protect", "Pursue"))
    plan.created_at = datetime(2015, 3, 1)
    db.session.add(
        ReportingDate(
            plan_id=plan.id,
            meeting_name="LSCB board",
            meeting_date=date(2015, 7, 20),
            updates_due_date=date(2015, 7, 10),
        )
    )
    agencies = [factories.make_agency() for _ in range(3)]
    _grow(plan, agencies, 6, 0, pinned_today)
    return plan, agencies


def _count(client, url: str) -> int:
    with counted_statements() as statements:
        assert client.get(url).status_code == 200, url
    return len(statements)


@pytest.mark.parametrize(
    "url",
    [
        "/dashboard",
        "/dashboard?as_at=2015-07-31",
        "/dashboard?plan={plan}&agency={agency}",
        "/dashboard/actions?red_or_overdue=1",
        "/dashboard/actions?exception=1&as_at=2015-07-31",
        "/plans/{plan}",
    ],
)
def test_statements_do_not_grow_with_the_number_of_actions(board_client, small_then_large, pinned_today, url):
    plan, agencies = small_then_large
    url = url.format(plan=plan.id, agency=agencies[0].id)
    board_client.get(url)  # a first view keeps the trend's points
    small = _count(board_client, url)
    _grow(plan, agencies, 54, 6, pinned_today)
    board_client.get(url)
    large = _count(board_client, url)
    assert small == large, (small, large)
    assert small <= 20
