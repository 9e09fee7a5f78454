"""The SQL twin of the RAG rule gives the same answer as the pure function, on both databases."""

import itertools
from datetime import date

from sqlalchemy import select

from tests import factories
from tracker.extensions import db
from tracker.models import Action, Rag, Status
from tracker.rag import action_effective_rag_sql, action_is_overdue_sql, effective_delivery_rag, is_overdue

TODAY = date(2015, 7, 1)
DUE_DATES = [None, date(2015, 5, 31), date(2015, 6, 30), TODAY, date(2015, 9, 30)]


def test_sql_twin_agrees_with_pure_rule_for_every_combination(app):
    plan = factories.make_plan()
    cases = list(itertools.product(Rag, Status, DUE_DATES))
    for reported, status, due in cases:
        factories.make_action(plan, delivery_rag=reported, status=status, due_date=due)
    db.session.commit()

    rows = db.session.execute(
        select(
            Action.delivery_rag,
            Action.status,
            Action.due_date,
            action_effective_rag_sql(TODAY),
            action_is_overdue_sql(TODAY),
        )
    ).all()
    assert len(rows) == len(cases)
    for reported, status, due, sql_rag, sql_overdue in rows:
        expected = effective_delivery_rag(reported, status, due, TODAY)
        assert Rag(sql_rag) is expected.rag, (reported, status, due)
        assert bool(sql_overdue) is is_overdue(status, due, TODAY), (reported, status, due)


def test_filtering_on_the_sql_rule(app):
    plan = factories.make_plan()
    overdue_green = factories.make_action(plan, delivery_rag=Rag.GREEN, due_date=date(2015, 5, 31))
    factories.make_action(plan, delivery_rag=Rag.GREEN, due_date=date(2015, 9, 30))
    db.session.commit()
    amber_ids = db.session.scalars(select(Action.id).where(action_effective_rag_sql(TODAY) == Rag.AMBER.value)).all()
    assert amber_ids == [overdue_green.id]
