"""The Coventry 2015 plan loads faithfully through the CSV import path."""

from datetime import date

import pytest
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.importers.csv_plan import PlanFileError, read_plan_csv
from tracker.models import Action, ActionMonthEnd, HistoryEntry, Objective, Plan, Post, Rag, Status, Strand, User
from tracker.services.import_plan import import_plan


def _action(reference: str) -> Action:
    return db.session.scalars(select(Action).where(Action.reference == reference)).one()


def test_four_strands_in_source_order(coventry):
    names = db.session.scalars(select(Strand.name).order_by(Strand.position)).all()
    assert names == ["Prevent", "Protect", "Pursue", "Public and Professional Confidence"]


def test_all_35_sub_objectives(coventry):
    numbers = db.session.scalars(select(Objective.number).where(Objective.number.is_not(None))).all()
    assert sorted(numbers) == list(range(1, 36))
    first = db.session.scalars(select(Objective).where(Objective.number == 1)).one()
    assert first.statement.startswith("Collect analysis and use data to inform and influence all services")


def test_every_action_including_unnumbered_ones(coventry):
    assert db.session.scalar(select(func.count(Action.id))) == 53
    references = set(db.session.scalars(select(Action.reference)))
    expected = {"1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "9.1", "12.7", "13.2", "16.5", "17.2"}
    assert expected <= references
    unnumbered = db.session.scalars(select(Action.text).where(Action.reference == "")).all()
    assert "Consider multi agency make up of team" in unnumbered
    assert any(t.startswith("Develop a media strategy") for t in unnumbered)
    assert any(t.startswith("Training for elected members") for t in unnumbered)


def test_ratings_as_written(coventry):
    by_rag = {rag: set() for rag in Rag}
    for reference, rag in db.session.execute(select(Action.reference, Action.delivery_rag)):
        by_rag[rag].add(reference)
    assert {"1.3", "4.1", "4.2"} == by_rag[Rag.RED]
    assert {"12.5", "13.1", "15.1", "16.2", "16.3", "16.4"} == by_rag[Rag.GREEN]
    assert {"4.3", "16.1"} <= by_rag[Rag.NOT_RATED]
    assert "1.1" in by_rag[Rag.AMBER]
    assert db.session.scalar(select(func.count()).where(Action.outcome_rag != Rag.NOT_RATED)) == 0


@pytest.mark.parametrize(
    ("reference", "starts", "timescale", "due", "responsible"),
    [
        (
            "1.1",
            "Maintain and populate problem profile",
            "May 2015",
            date(2015, 5, 31),
            ["CSE Co-ordinator", "CSE Service Manager"],
        ),
        (
            "1.2",
            "Ensure the screening tool is used by all partners",
            "June 2015",
            date(2015, 6, 30),
            ["Key safeguarding leads", "CSE Co-ordinator", "CSE Team"],
        ),
        ("1.3", "Information sharing agreement to be in place", "May 2015", date(2015, 5, 31), ["Jayne Hutchings"]),
        (
            "2.3",
            "All staff in social care to receive CSE service development updates",
            "Sept 2015",
            date(2015, 9, 30),
            ["All agencies"],
        ),
        (
            "3.3",
            "Contribute to training communities who can identify and respond to CSE",
            "March 2016",
            date(2016, 3, 31),
            ["CSE Co-ordinator"],
        ),
        (
            "5.1",
            "Development and delivery of an integrated communication plan",
            "March 2015- Sept 2015",
            date(2015, 9, 30),
            ["CSE Co-ordinator"],
        ),
        ("10.1", "Use regional procedures", "Sept 15", date(2015, 9, 30), ["CSE Service Manager"]),
        (
            "11.1",
            "Ensure all services working with children and young people are aware of MASH",
            "June 15",
            date(2015, 6, 30),
            ["CSE Service Manager", "All agencies"],
        ),
        (
            "12.5",
            "Review terms of reference for and membership of CSE strategic subgroup",
            "March 2015",
            date(2015, 3, 31),
            ["LSCB"],
        ),
        ("14.1", "Agree information sharing protocols", "May 2015", date(2015, 5, 31), ["WMP", "CSE Co-ordinator"]),
        ("16.4", "CPS to ensure Crown Prosecutors are aware", "June 2015", date(2015, 6, 30), ["WMP"]),
        ("16.5", "Access to specialist advocacy (ISVA)", "June 2015", date(2015, 6, 30), ["WMP"]),
        ("11.3", "Adopt a whole family approach when working with victims of CSE", "", None, ["CSE Service Manager"]),
    ],
)
def test_spot_checks_against_the_source(coventry, reference, starts, timescale, due, responsible):
    action = _action(reference)
    assert action.text.startswith(starts)
    assert action.timescale_text == timescale
    assert action.due_date == due
    assert action.baseline_due_date == due
    assert not action.timescale_needs_review
    assert [p.name for p in action.responsible_posts] == responsible


def test_range_keeps_its_start(coventry):
    assert _action("5.1").start_date == date(2015, 3, 1)


def test_accountable_posts_partners_and_text_details(coventry):
    action = _action("1.1")
    assert [p.name for p in action.accountable_posts] == [
        "Head of Childrens Service",
        "Head of Community Safety",
        "All agencies",
    ]
    assert [a.name for a in action.partners] == ["Education", "Health", "Police", "Third Sector"]
    assert action.expected_outcomes == "Rich information about the extent of Child Sexual Exploitation in the City"
    assert action.status is Status.IN_PROGRESS
    assert _action("4.3").status is Status.NOT_STARTED


def test_two_actions_in_one_cell_become_two_actions(coventry):
    first, second = _action("2.1"), _action("2.2")
    assert first.objective_id == second.objective_id
    assert second.text == "Professional understand information guidance and responsibilities"


def test_posts_belong_to_agencies(coventry):
    post = db.session.scalars(select(Post).where(Post.name == "WMP")).one()
    assert post.agency.name == "Police"
    assert db.session.scalars(select(Post).where(Post.name == "CSE Service Manager")).one().agency.name == "Social Care"


def test_each_action_has_a_created_history_entry(coventry):
    assert (
        db.session.scalar(select(func.count()).select_from(HistoryEntry).where(HistoryEntry.field == "created")) == 53
    )


def test_demo_load_creates_accounts_and_is_not_repeated(app):
    from tracker.demo import load_demo

    assert load_demo() is not None
    assert load_demo() is None  # a second run keeps the data as it is
    assert db.session.scalar(select(func.count(Plan.id))) == 1
    owner = db.session.scalars(select(User).where(User.email == "owner@example.org")).one()
    assert sorted(p.name for p in owner.posts) == ["CSE Co-ordinator", "CSE Service Manager"]
    assert {u.role.value for u in db.session.scalars(select(User))} == {"admin", "owner", "board", "scrutiny"}


def test_unreadable_timescale_is_flagged_not_guessed(app):
    rows = read_plan_csv("Strand,Actions,Timescale\nPrevent,1.1 Do it,Summer 2015\n")
    result = import_plan("A plan", rows)
    action = db.session.scalars(select(Action)).one()
    assert action.timescale_text == "Summer 2015"
    assert action.due_date is None
    assert action.timescale_needs_review
    assert result.timescales_to_review == ["1.1: 'Summer 2015'"]


@pytest.mark.parametrize(
    ("csv_text", "message"),
    [
        ("", "The file is empty"),
        ("Name,Owner\nx,y\n", "no 'Strand' or 'Actions' column"),
        ("Strand,Actions\n", "no actions"),
        ("Strand,Actions,RAG\nPrevent,1.1 Do it,Purple\n", "Row 2: the RAG 'Purple' is not a rating"),
        ('Strand,Actions\nPrevent,\nPrevent,  \n,x\nPrevent,""\n', None),
    ],
)
def test_bad_files_give_clear_messages_and_save_nothing(app, csv_text, message):
    with pytest.raises(PlanFileError) as error:
        import_plan("Bad plan", read_plan_csv(csv_text))
    if message:
        assert message in str(error.value)
    db.session.rollback()
    assert db.session.scalar(select(func.count(Plan.id))) == 0


def test_demo_plan_has_its_reporting_dates(coventry):
    from tracker.cycles import current_cycle
    from tracker.models import ReportingDate

    assert db.session.scalar(select(func.count(ReportingDate.id))) == 5
    cycle = current_cycle(coventry, date(2015, 7, 1))
    assert cycle.updates_due_by == date(2015, 9, 2)
    assert cycle.starts_on == date(2015, 6, 11)


def test_the_demo_command_keeps_the_month_ends_the_dashboard_starts_from(app, pinned_today):
    pinned_today("2016-01-15")
    result = app.test_cli_runner().invoke(args=["tracker", "load-demo"])
    assert result.exit_code == 0, result.output
    assert "Month-end states of actions kept" in result.output
    assert db.session.scalar(select(func.count()).select_from(ActionMonthEnd)) > 0
