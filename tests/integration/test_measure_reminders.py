"""Figures due in the reminder digests: the people holding a measure's post hear about its missing figures."""

from datetime import date

from sqlalchemy import event

from tests import factories
from tests.measures_support import enter, make_measure
from tracker.extensions import db
from tracker.models import Role
from tracker.services.reminders import collect_digests, render_digest


def test_holders_of_the_supplying_post_are_reminded_of_figures_due_and_late(app):
    post = factories.make_post("Head of IYSS")
    holder = factories.make_user(Role.OWNER, posts=[post], name="Priya Shah")
    factories.make_user(Role.BOARD, posts=[post])  # board members do not enter figures
    factories.make_user(Role.OWNER, posts=[post], is_enabled=False)
    measure = make_measure(factories.make_plan(name="CSE plan"), post=post)
    enter(measure, "2015-04-01", 41)
    db.session.commit()

    # Q2 2015/16 ended on 30 September, due by 30 October; the plan reminds 7 days ahead.
    assert collect_digests(date(2015, 10, 22)) == []
    [digest] = collect_digests(date(2015, 10, 23))
    assert digest.user_id == holder.id
    [item] = digest.figures_due
    assert (item.label, item.text, item.detail) == (
        "Return home interviews within 72 hours",
        "No figure for Q2 2015/16",
        "Due by 30 October 2015",
    )
    assert item.url.endswith(f"/measures/{measure.id}/figures?period=2015-07-01")
    assert digest.subject == "Your safeguarding actions: 1 figure due"

    [digest] = collect_digests(date(2016, 2, 1))
    assert digest.figures_due[0].text == "No figure for Q3 2015/16 or 1 earlier period"
    assert digest.figures_due[0].detail == "Due by 30 January 2016: late"
    email = render_digest(digest, date(2016, 2, 1))
    assert (
        "FIGURES DUE" in email.text and "Return home interviews within 72 hours: No figure for Q3 2015/16" in email.text
    )
    assert "Figures due" in email.html


def test_collecting_digests_takes_the_same_number_of_queries_however_many_measures(app):
    post = factories.make_post()
    factories.make_user(Role.OWNER, posts=[post])
    plan = factories.make_plan()

    def count() -> int:
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            collect_digests(date(2016, 2, 1))
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    make_measure(plan, name="One", post=post)
    db.session.commit()
    few = count()
    for n in range(5):
        make_measure(plan, name=f"More {n}", post=factories.make_post())
    db.session.commit()
    assert count() == few
