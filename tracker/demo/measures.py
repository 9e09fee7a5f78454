"""The demo plan's performance measures: those the DOMAIN lists, with eight quarters of figures.

The figures are made up to show how the tracker presents measures. They are illustrative figures,
not Coventry's, and every measure and figure says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from tracker.extensions import db
from tracker.measure_periods import Frequency, Period, periods_between
from tracker.models import Agency, Direction, Plan, Post, Strand, Unit
from tracker.services.measures import Figure, MeasureDefinition, define_measure, record_figure, set_targets

ILLUSTRATIVE = "Illustrative figures, not Coventry's"
FIRST_QUARTER = Period(date(2015, 4, 1), Frequency.QUARTERLY)  # Q1 2015/16
LAST_QUARTER = Period(date(2017, 1, 1), Frequency.QUARTERLY)  # Q4 2016/17
# Figures are entered a fortnight after each quarter ends, within the month they are due in.
ENTERED_AFTER = timedelta(days=14)


@dataclass(frozen=True)
class DemoMeasure:
    name: str
    definition: str
    strand: str
    unit: Unit
    direction: Direction
    post: str
    agency: str
    actions: tuple[str, ...]
    target: float
    tolerance: float
    figures: tuple[float, ...]  # Q1 2015/16 onwards; fewer than eight leaves the later quarters late


DEMO_MEASURES = (
    DemoMeasure(
        "Children identified at risk of CSE",
        "Children and young people assessed as at risk of child sexual exploitation (low, medium or high risk) "
        "in the quarter.",
        "Prevent",
        Unit.CHILDREN,
        Direction.HIGHER_IS_BETTER,
        "CSE Co-ordinator",
        "LSCB",
        ("1.1",),
        60,
        10,
        (38, 45, 52, 58, 61, 57, 66, 70),
    ),
    DemoMeasure(
        "CSE screening tools completed",
        "Screening tools completed by all agencies and sent to the CSE co-ordinator in the quarter.",
        "Prevent",
        Unit.NUMBER,
        Direction.HIGHER_IS_BETTER,
        "CSE Co-ordinator",
        "LSCB",
        ("1.2", "10.1"),
        120,
        20,
        (64, 81, 95, 104, 117, 126, 131, 98),
    ),
    DemoMeasure(
        "Referrals to the multi-agency CSE meeting",
        "Children referred to the multi-agency CSE meeting in the quarter.",
        "Protect",
        Unit.CHILDREN,
        Direction.HIGHER_IS_BETTER,
        "CSE Service Manager",
        "Social Care",
        ("10.2",),
        40,
        8,
        (22, 27, 31, 36, 41, 38, 43),
    ),
    DemoMeasure(
        "Missing episodes",
        "Episodes of children going missing from home or care reported in the quarter.",
        "Protect",
        Unit.NUMBER,
        Direction.LOWER_IS_BETTER,
        "CSE Team Manager",
        "Social Care",
        ("12.4",),
        150,
        20,
        (212, 198, 187, 176, 163, 158, 149, 141),
    ),
    DemoMeasure(
        "Return home interviews within 72 hours",
        "Return home interviews offered and completed within 72 hours of a missing child's return, as a "
        "percentage of returns in the quarter.",
        "Protect",
        Unit.PERCENTAGE,
        Direction.HIGHER_IS_BETTER,
        "Head of IYSS",
        "IYSS",
        ("12.3", "12.6"),
        80,
        10,
        (48, 55, 61, 67, 72, 74, 79, 83),
    ),
    DemoMeasure(
        "Arrests and charges for CSE offences",
        "Arrests, charges and convictions for offences linked to child sexual exploitation in the quarter.",
        "Pursue",
        Unit.NUMBER,
        Direction.HIGHER_IS_BETTER,
        "WMP",
        "Police",
        ("16.2",),
        12,
        3,
        (5, 7, 6, 9, 11, 8, 13, 10),
    ),
    DemoMeasure(
        "Disruption orders",
        "Child abduction warning notices and sexual harm prevention orders issued in the quarter.",
        "Pursue",
        Unit.NUMBER,
        Direction.HIGHER_IS_BETTER,
        "WMP",
        "Police",
        ("15.1",),
        8,
        2,
        (3, 4, 6, 5, 7, 9, 8, 4),
    ),
    DemoMeasure(
        "Staff trained in CSE awareness",
        "Staff across all agencies completing CSE awareness training in the quarter.",
        "Public and Professional Confidence",
        Unit.PEOPLE,
        Direction.HIGHER_IS_BETTER,
        "Workforce development",
        "Workforce Development",
        ("9.1", "2.3"),
        250,
        50,
        (140, 210, 265, 240, 290, 310, 255, 275),
    ),
    DemoMeasure(
        "Children reached by awareness work",
        "Children and young people reached by CSE awareness sessions in schools and youth settings in the quarter.",
        "Prevent",
        Unit.CHILDREN,
        Direction.HIGHER_IS_BETTER,
        "Acting Director of Education",
        "Education",
        ("4.1", "3.1"),
        2000,
        300,
        (850, 1400, 1900, 2150, 1750, 2300, 2450, 2600),
    ),
)


def load_demo_measures(plan: Plan, defined_at: datetime) -> int:
    """Define the demo measures with their targets and figures; returns how many."""
    strands = {s.name: s.id for s in db.session.scalars(select(Strand).where(Strand.plan_id == plan.id))}
    posts = {p.name: p.id for p in db.session.scalars(select(Post))}
    agencies = {a.name: a.id for a in db.session.scalars(select(Agency))}
    known_references = _action_references(plan)
    quarters = periods_between(FIRST_QUARTER, LAST_QUARTER)
    for demo in DEMO_MEASURES:
        measure = define_measure(
            plan,
            MeasureDefinition(
                name=demo.name,
                definition=f"{demo.definition} {ILLUSTRATIVE}.",
                unit=demo.unit,
                direction=demo.direction,
                frequency=Frequency.QUARTERLY,
                first_period=FIRST_QUARTER.start,
                last_period=LAST_QUARTER.start,
                strand_id=strands.get(demo.strand),
                post_id=posts.get(demo.post),
                agency_id=agencies.get(demo.agency),
                action_references=tuple(ref for ref in demo.actions if ref in known_references),
            ),
            actor=None,
            at=defined_at,
        )
        set_targets(measure, FIRST_QUARTER, LAST_QUARTER, demo.target, demo.tolerance, None, "Demo targets", defined_at)
        for quarter, value in zip(quarters, demo.figures, strict=False):
            entered = datetime.combine(quarter.end + ENTERED_AFTER, time(10, 0))
            figure = Figure(value=value, note=ILLUSTRATIVE, source=ILLUSTRATIVE)
            record_figure(measure, quarter, figure, None, entered.date(), at=entered)
    db.session.flush()
    return len(DEMO_MEASURES)


def _action_references(plan: Plan) -> set[str]:
    from tracker.models import Action, Objective

    return set(
        db.session.scalars(
            select(Action.reference)
            .join(Objective, Objective.id == Action.objective_id)
            .join(Strand, Strand.id == Objective.strand_id)
            .where(Strand.plan_id == plan.id)
        )
    )
