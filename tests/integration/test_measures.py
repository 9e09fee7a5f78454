"""Measures: entering and correcting figures, setting targets, bad input refused with a clear message
and nothing saved, and every change in the measure's append-only history."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.measures_support import correct_to, enter, make_measure, quarter
from tracker.extensions import db
from tracker.models import MeasureHistory, MeasureTarget, MeasureValue, Role, Unit
from tracker.models.measures import MeasureHistoryIsAppendOnly
from tracker.queries.measures import dashboard_measures, measure_detail


@pytest.fixture
def supplier(app, client_as):
    """An owner holding the post that supplies a measure, signed in."""
    post = factories.make_post("Head of IYSS")
    plan = factories.make_plan()
    measure = make_measure(plan, post=post)
    db.session.commit()
    client = client_as(Role.OWNER, posts=[post])
    return client, measure


def _errors(page) -> list[str]:
    summary = page.select_one(".govuk-error-summary")
    return [item.text.strip() for item in summary.select("li")] if summary else []


def _post(client, url, data):
    from bs4 import BeautifulSoup

    response = client.post_form(url, data)
    return response, BeautifulSoup(response.get_data(as_text=True), "html.parser")


def _values() -> int:
    return db.session.scalar(select(func.count()).select_from(MeasureValue))


def test_an_owner_enters_a_figure_and_it_is_rated_against_the_target(supplier, pinned_today):
    pinned_today("2015-10-05")
    client, measure = supplier
    page = client.get_page("measures.enter_figure", measure_id=measure.id)
    offered = [option.text for option in page.select("#period option")]
    assert offered == ["Choose a period", "Q2 2015/16", "Q1 2015/16"]  # ended, newest first; Q3 has not ended

    response = client.post_form(
        f"/measures/{measure.id}/figures",
        {"period": "2015-07-01", "value": "42", "note": "Better recording", "source": "IYSS case system"},
    )
    assert response.status_code == 302
    assert response.location == f"/measures/{measure.id}"
    value = db.session.scalars(select(MeasureValue)).one()
    assert (value.period, value.value, value.note, value.source) == (
        date(2015, 7, 1),
        42.0,
        "Better recording",
        "IYSS case system",
    )
    assert value.recorded_by_name == client.user.name
    page = client.get_page("measures.show", measure_id=measure.id)
    assert "Green: 42 meets the target of at least 40" in page.select_one("#latest").text
    entry = db.session.scalars(select(MeasureHistory).where(MeasureHistory.field == "value")).one()
    assert (entry.old_value, entry.new_value, entry.actor_name) == (None, "42.0", client.user.name)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"period": "2015-07-01", "value": "forty"}, "Enter the figure as a number, like 42 or 12.5"),
        ({"period": "2015-07-01", "value": ""}, "Enter the figure"),
        ({"period": "2015-07-01", "value": "-3"}, "Enter the figure as 0 or more"),
        ({"period": "", "value": "12"}, "Choose the period the figure is for"),
        ({"period": "2015-08-01", "value": "12"}, "Choose the period the figure is for from the list"),
        (
            {"period": "2015-10-01", "value": "12"},
            "Q3 2015/16 is in the future or not over yet (it ends on 31 December 2015): choose a period that has ended",
        ),
        (
            {"period": "2016-04-01", "value": "12"},
            "Q1 2016/17 is in the future or not over yet (it ends on 30 June 2016): choose a period that has ended",
        ),
        (
            {"period": "2015-01-01", "value": "12"},
            "Figures for this measure start from Q1 2015/16: choose a later period",
        ),
    ],
)
def test_bad_figures_are_refused_with_a_clear_message_and_nothing_saved(supplier, pinned_today, data, message):
    pinned_today("2015-10-05")
    client, measure = supplier
    response, page = _post(client, f"/measures/{measure.id}/figures", data)
    assert response.status_code == 200
    assert _errors(page) == [message]
    assert page.select_one(".govuk-error-summary a")["href"] == (
        "#value" if message.startswith("Enter the figure") else "#period"
    )
    assert page.title.text.startswith("Error: ")
    assert _values() == 0


def test_a_percentage_over_100_is_refused(app, client_as, pinned_today):
    pinned_today("2015-10-05")
    post = factories.make_post()
    measure = make_measure(factories.make_plan(), unit=Unit.PERCENTAGE, post=post, target=80, tolerance=10)
    db.session.commit()
    client = client_as(Role.OWNER, posts=[post])
    _response, page = _post(client, f"/measures/{measure.id}/figures", {"period": "2015-07-01", "value": "101%"})
    assert _errors(page) == ["Enter the figure as a percentage of 100 or less"]
    assert _values() == 0
    assert (
        client.post_form(f"/measures/{measure.id}/figures", {"period": "2015-07-01", "value": "85%"}).status_code == 302
    )
    assert db.session.scalar(select(MeasureValue.value)) == 85.0


def test_a_duplicate_figure_for_a_period_is_refused(supplier, pinned_today):
    pinned_today("2015-10-05")
    client, measure = supplier
    enter(measure, "2015-07-01", 42)
    db.session.commit()
    _response, page = _post(client, f"/measures/{measure.id}/figures", {"period": "2015-07-01", "value": "50"})
    assert _errors(page) == [
        "There is already a figure for Q2 2015/16 (42). To change it, correct it from the measure's page and give a reason"
    ]
    assert db.session.scalar(select(MeasureValue.value)) == 42.0


def test_a_correction_needs_a_reason_and_keeps_old_and_new(supplier, pinned_today):
    pinned_today("2015-10-05")
    client, measure = supplier
    enter(measure, "2015-07-01", 42)
    db.session.commit()
    url = f"/measures/{measure.id}/figures/2015-07-01/correct"
    response, page = _post(client, url, {"value": "38", "reason": ""})
    assert _errors(page) == ["Enter why the figure is being corrected"]
    assert db.session.scalar(select(MeasureValue.value)) == 42.0
    response, page = _post(client, url, {"value": "42", "reason": "No change"})
    assert _errors(page) == ["Change the figure, the note or the source, or cancel the correction"]

    response = client.post_form(url, {"value": "38", "reason": "Two referrals were counted twice"})
    assert response.status_code == 302
    assert db.session.scalar(select(MeasureValue.value)) == 38.0
    page = client.get_page("measures.show", measure_id=measure.id)
    history = page.select_one("#history").find_next("ol").text
    assert "Figure for Q2 2015/16 corrected" in history
    assert "From 42 to 38" in history
    assert "Reason: Two referrals were counted twice" in history
    assert client.user.name in history
    assert "Amber: 38 is below the target of at least 40, within the tolerance of 5" in page.select_one("#latest").text


def test_history_cannot_be_rewritten(supplier):
    _client, _measure = supplier
    entry = db.session.scalars(select(MeasureHistory)).first()
    entry.reason = "rewritten"
    with pytest.raises(MeasureHistoryIsAppendOnly):
        db.session.flush()
    db.session.rollback()


def test_targets_set_for_a_span_of_periods_and_a_target_needs_a_period(admin_client, pinned_today):
    pinned_today("2015-10-05")
    measure = make_measure(factories.make_plan(), target=None)
    db.session.commit()
    url = f"/measures/{measure.id}/targets"
    response, page = _post(admin_client, url, {"first_period": "", "target": "50", "tolerance": "5"})
    assert _errors(page) == ["Choose the period the target is for"]
    response, page = _post(admin_client, url, {"first_period": "2015-04-01", "target": "lots", "tolerance": "5"})
    assert _errors(page) == ["Enter the target as a number, like 42 or 12.5"]
    assert page.select_one(".govuk-error-summary a")["href"] == "#target"  # the link puts the cursor on the fix
    response, page = _post(
        admin_client, url, {"first_period": "2015-10-01", "last_period": "2015-04-01", "target": "5", "tolerance": "1"}
    )
    assert _errors(page) == ["The last period must be on or after the first"]
    assert db.session.scalar(select(func.count()).select_from(MeasureTarget)) == 0

    response = admin_client.post_form(
        url, {"first_period": "2015-04-01", "last_period": "2015-10-01", "target": "50", "tolerance": "5"}
    )
    assert response.status_code == 302
    targets = db.session.execute(
        select(MeasureTarget.period, MeasureTarget.target).order_by(MeasureTarget.period)
    ).all()
    assert targets == [(date(2015, 4, 1), 50.0), (date(2015, 7, 1), 50.0), (date(2015, 10, 1), 50.0)]
    admin_client.post_form(url, {"first_period": "2015-07-01", "target": "55", "tolerance": "5", "reason": "Raised"})
    change = db.session.scalars(
        select(MeasureHistory).where(MeasureHistory.field == "target", MeasureHistory.old_value.is_not(None))
    ).one()
    assert (change.period, change.old_value, change.new_value, change.reason) == (
        date(2015, 7, 1),
        "50 (tolerance 5)",
        "55 (tolerance 5)",
        "Raised",
    )


def test_late_figures_are_those_past_their_due_day(app, pinned_today):
    measure = make_measure(factories.make_plan())
    enter(measure, "2015-04-01", 41)
    db.session.commit()
    viewer = factories.make_user(Role.BOARD)
    # Q2 2015/16 ended on 30 September and is due by 30 October: missing, then late.
    detail = measure_detail(measure.id, viewer, date(2015, 10, 30))
    assert [p.label for p in detail.summary.missing] == ["Q2 2015/16"]
    assert detail.summary.late == []
    detail = measure_detail(measure.id, viewer, date(2015, 10, 31))
    assert [p.label for p in detail.summary.late] == ["Q2 2015/16"]


def test_past_views_use_the_figures_known_then(app):
    measure = make_measure(factories.make_plan())
    enter(measure, "2015-04-01", 30, at=datetime(2015, 7, 10, 10))  # Red
    db.session.commit()
    correct_to(measure, "2015-04-01", 41, at=datetime(2015, 8, 20, 10))  # corrected: Green
    db.session.commit()
    viewer = factories.make_user(Role.BOARD)

    def rag_on(day: date, moment: datetime | None):
        [summary] = dashboard_measures(viewer, day, moment=moment).measures
        return summary.rag.rag.value, summary.latest_value

    assert rag_on(date(2015, 7, 5), datetime(2015, 7, 5, 23, 59)) == ("not_rated", None)
    assert rag_on(date(2015, 7, 31), datetime(2015, 7, 31, 23, 59)) == ("red", 30.0)
    assert rag_on(date(2015, 8, 31), datetime(2015, 8, 31, 23, 59)) == ("green", 41.0)
    assert rag_on(date(2015, 8, 31), None) == ("green", 41.0)
    # A measure defined after the moment is not in the past view at all.
    assert dashboard_measures(viewer, date(2015, 2, 1), moment=datetime(2015, 2, 1, 23, 59)).measures == []
    assert quarter("2015-04-01").label == "Q1 2015/16"


def test_past_views_use_the_targets_known_then(app):
    """A target raised later does not turn a past view's figure Red in hindsight; one not yet set is not rated."""
    from tracker.reports.dataset import ReportChoice, build_report
    from tracker.services.measures import set_targets

    plan = factories.make_plan()
    measure = make_measure(plan, target=40, tolerance=5, target_periods=("2015-04-01", "2015-07-01"))
    enter(measure, "2015-04-01", 41, at=datetime(2015, 7, 10, 10))  # Green against 40
    # Raised on 1 September to 1,250 with a tolerance of 12.5, and Q3's first set then too.
    set_targets(measure, quarter("2015-04-01"), quarter("2015-10-01"), 1250, 12.5, None, "Raised", datetime(2015, 9, 1))
    enter(measure, "2015-10-01", 1245, at=datetime(2016, 1, 10, 10))
    db.session.commit()
    viewer = factories.make_user(Role.BOARD)

    def latest(day: date, moment: datetime | None):
        [summary] = dashboard_measures(viewer, day, moment=moment).measures
        return summary.rag.rag.value, summary.latest_target, summary.latest_tolerance

    assert latest(date(2015, 8, 31), datetime(2015, 8, 31, 23, 59)) == ("green", 40.0, 5.0)
    assert latest(date(2015, 9, 30), datetime(2015, 9, 30, 23, 59)) == ("red", 1250.0, 12.5)
    assert latest(date(2016, 1, 20), None) == ("amber", 1250.0, 12.5)  # Q3: 1,245 within 12.5 of 1,250

    # A past report reads the targets known then, period by period.
    report = build_report(ReportChoice(plan_id=plan.id, as_at=date(2015, 8, 31)), viewer, date(2016, 1, 20),
                          datetime(2016, 1, 20, 10))  # fmt: skip
    [figures] = report.measures
    first = figures.periods[0]
    assert (first.target, first.tolerance, first.rag.rag.value) == (40.0, 5.0, "green")
