"""The demo plan's measures: those the DOMAIN lists, eight quarters of figures marked as illustrative."""

from datetime import date

from sqlalchemy import func, select

from tests import factories
from tracker.demo.measures import DEMO_MEASURES, ILLUSTRATIVE
from tracker.extensions import db
from tracker.models import Measure, MeasureValue, Role
from tracker.queries.measures import list_measures


def test_the_demo_has_the_domains_measures_with_illustrative_figures(coventry):
    measures = db.session.scalars(select(Measure).where(Measure.plan_id == coventry.id)).all()
    assert len(measures) == len(DEMO_MEASURES) == 9
    assert all(ILLUSTRATIVE in measure.definition for measure in measures)
    assert all(len(demo.figures) <= 8 for demo in DEMO_MEASURES)
    values = db.session.scalars(select(MeasureValue)).all()
    assert len(values) == sum(len(demo.figures) for demo in DEMO_MEASURES)
    assert {value.source for value in values} == {ILLUSTRATIVE}
    assert db.session.scalar(select(func.min(MeasureValue.period))) == date(2015, 4, 1)
    assert db.session.scalar(select(func.max(MeasureValue.period))) == date(2017, 1, 1)
    assert all(measure.actions for measure in measures)  # each evidences actions of the plan

    viewer = factories.make_user(Role.BOARD)
    summaries = {s.name: s for s in list_measures(viewer, date(2017, 6, 1))}
    late = {name: [p.label for p in s.late] for name, s in summaries.items() if s.late}
    assert late == {"Referrals to the multi-agency CSE meeting": ["Q4 2016/17"]}
    assert {s.rag.rag.value for s in summaries.values()} == {"red", "amber", "green"}
