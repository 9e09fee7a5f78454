"""The auto-amber job: newly overdue actions recorded once, owners told once, escalation to Red when a plan asks."""

import time
from datetime import date

from click.testing import CliRunner
from sqlalchemy import func, select

from tests import factories
from tests.concurrently import run_at_once
from tracker.cli import tracker_cli
from tracker.extensions import db
from tracker.jobs import auto_amber as run_auto_amber
from tracker.models import Action, HistoryEntry, Notification, Rag, Status
from tracker.services import auto_amber
from tracker.services.deadlines import set_due_date

TODAY = date(2015, 7, 1)


def _history(action, field=None):
    query = select(HistoryEntry).where(HistoryEntry.action_id == action.id).order_by(HistoryEntry.id)
    if field:
        query = query.where(HistoryEntry.field == field)
    return db.session.scalars(query).all()


def _notifications(action=None):
    query = select(Notification).order_by(Notification.id)
    if action is not None:
        query = query.where(Notification.action_id == action.id)
    return db.session.scalars(query).all()


def _owned_plan():
    post = factories.make_post("CSE Co-ordinator")
    owner = factories.make_user(posts=[post], name="Sam Patel")
    return factories.make_plan(), post, owner


def test_records_each_newly_overdue_action_once_as_the_system(app):
    plan, post, owner = _owned_plan()
    green = factories.make_action(plan, reference="1.1", due_date=date(2015, 5, 31), responsible=[post])
    unrated = factories.make_action(
        plan, due_date=date(2015, 6, 29), delivery_rag=Rag.NOT_RATED, status=Status.NOT_STARTED, responsible=[post]
    )
    red = factories.make_action(plan, reference="1.3", due_date=date(2015, 6, 1), delivery_rag=Rag.RED)
    due_today = factories.make_action(plan, due_date=TODAY, responsible=[post])
    done = factories.make_action(plan, due_date=date(2015, 5, 1), status=Status.COMPLETE, delivery_rag=Rag.BLUE)
    undated = factories.make_action(plan, due_date=None)
    db.session.commit()

    result = run_auto_amber(TODAY)

    assert result.newly_overdue == 3
    [entry] = _history(green)
    assert (entry.field, entry.old_value, entry.new_value) == ("auto_amber", "green", "amber")
    assert entry.reason == "Amber: overdue since 1 June 2015"
    assert entry.by_system and entry.actor_name == "system"
    assert _history(unrated)[0].reason == "Amber: overdue since 30 June 2015"
    [red_entry] = _history(red)
    assert red_entry.field == "overdue"
    assert red_entry.reason == "Overdue since 2 June 2015: stays Red as its owner rated it"
    assert _history(due_today) == _history(done) == _history(undated) == []
    db.session.refresh(green)
    assert green.auto_amber_recorded_for == date(2015, 5, 31)

    notes = _notifications()
    assert {(n.user_id, n.action_id) for n in notes} == {(owner.id, green.id), (owner.id, unrated.id)}
    note = _notifications(green)[0]
    assert note.event_key == "auto_amber:2015-05-31"
    assert note.message == "Amber: overdue since 1 June 2015"
    assert note.emailed_at is None


def test_running_twice_records_nothing_new(app):
    plan, post, _owner = _owned_plan()
    for day in (1, 2, 3):
        factories.make_action(plan, due_date=date(2015, 6, day), responsible=[post])
    db.session.commit()
    first = run_auto_amber(TODAY)
    entries = db.session.scalar(select(func.count(HistoryEntry.id)))
    second = run_auto_amber(TODAY)
    third = run_auto_amber(date(2015, 8, 1))
    assert (first.newly_overdue, first.notifications) == (3, 3)
    assert second == third == auto_amber.AutoAmberResult(0, 0, 0)
    assert db.session.scalar(select(func.count(HistoryEntry.id))) == entries
    assert len(_notifications()) == 3


def test_the_claim_bumps_the_version_so_open_forms_see_the_change(app):
    plan, post, _owner = _owned_plan()
    action = factories.make_action(plan, due_date=date(2015, 6, 1), responsible=[post])
    db.session.commit()
    before = action.version
    run_auto_amber(TODAY)
    db.session.refresh(action)
    assert action.version == before + 1


def test_every_enabled_holder_of_an_owning_post_is_told_once(app):
    responsible, accountable = factories.make_post(), factories.make_post()
    both = factories.make_user(posts=[responsible, accountable])
    second_holder = factories.make_user(posts=[accountable])
    factories.make_user(posts=[responsible], is_enabled=False)
    factories.make_user(posts=[factories.make_post()])  # owns nothing here
    plan = factories.make_plan()
    action = factories.make_action(
        plan, due_date=date(2015, 6, 1), responsible=[responsible], accountable=[accountable]
    )
    db.session.commit()
    run_auto_amber(TODAY)
    assert sorted(n.user_id for n in _notifications(action)) == sorted([both.id, second_holder.id])


def test_an_agreed_new_date_ends_the_episode_and_a_later_slip_is_recorded_again(app, pinned_today):
    pinned_today("2015-07-01")
    plan, post, _owner = _owned_plan()
    action = factories.make_action(plan, due_date=date(2015, 6, 1), responsible=[post])
    db.session.commit()
    run_auto_amber(TODAY)
    admin = factories.make_user(role=factories.Role.ADMIN)
    db.session.refresh(action)
    set_due_date(action, date(2015, 7, 31), admin, "Waiting for the police data")
    db.session.commit()
    assert action.auto_amber_recorded_for is None
    assert run_auto_amber(TODAY).newly_overdue == 0
    later = run_auto_amber(date(2015, 8, 3))
    assert later.newly_overdue == 1
    assert [e.reason for e in _history(action, "auto_amber")] == [
        "Amber: overdue since 2 June 2015",
        "Amber: overdue since 1 August 2015",
    ]
    assert [n.event_key for n in _notifications(action)] == ["auto_amber:2015-06-01", "auto_amber:2015-07-31"]


def test_honours_the_pinned_date(app, pinned_today):
    plan, post, _owner = _owned_plan()
    action = factories.make_action(plan, due_date=date(2015, 6, 1), responsible=[post])
    db.session.commit()
    pinned_today("2015-06-01")
    assert run_auto_amber().newly_overdue == 0
    pinned_today("2015-06-02")
    assert run_auto_amber().newly_overdue == 1
    assert _history(action)[0].created_at.date() == date(2015, 6, 2)


def test_the_command_line_runs_the_job(app, pinned_today):
    plan, post, _owner = _owned_plan()
    factories.make_action(plan, due_date=date(2015, 6, 1), responsible=[post])
    db.session.commit()
    pinned_today("2015-07-01")
    runner = CliRunner()
    result = runner.invoke(tracker_cli, ["auto-amber"], obj=_script_info(app))
    assert result.exit_code == 0, result.output
    assert "Newly overdue actions recorded: 1." in result.output
    again = runner.invoke(tracker_cli, ["auto-amber"], obj=_script_info(app))
    assert "Newly overdue actions recorded: 0." in again.output


def _script_info(app):
    from flask.cli import ScriptInfo

    return ScriptInfo(create_app=lambda: app)


# --- escalation to Red -----------------------------------------------------------------


def test_escalation_is_off_by_default(app):
    plan, post, _owner = _owned_plan()
    action = factories.make_action(plan, due_date=date(2015, 1, 31), responsible=[post])
    db.session.commit()
    assert run_auto_amber(TODAY).escalated_to_red == 0
    db.session.refresh(action)
    assert action.delivery_rag is Rag.GREEN


def test_a_plan_can_turn_long_overdue_actions_red(app):
    plan, post, _owner = _owned_plan()
    plan.escalate_to_red_after_days = 30
    other_plan = factories.make_plan()
    long_overdue = factories.make_action(plan, reference="2.1", due_date=date(2015, 5, 31), responsible=[post])
    just_at_limit = factories.make_action(plan, due_date=date(2015, 6, 1), responsible=[post])
    not_yet = factories.make_action(plan, due_date=date(2015, 6, 2), responsible=[post])
    owner_red = factories.make_action(plan, due_date=date(2015, 5, 1), delivery_rag=Rag.RED, responsible=[post])
    elsewhere = factories.make_action(other_plan, due_date=date(2015, 5, 1), responsible=[post])
    db.session.commit()

    result = run_auto_amber(TODAY)

    assert result.escalated_to_red == 2
    for action in (long_overdue, just_at_limit, not_yet, owner_red, elsewhere):
        db.session.refresh(action)
    assert long_overdue.delivery_rag is Rag.RED and just_at_limit.delivery_rag is Rag.RED
    assert not_yet.delivery_rag is Rag.GREEN and elsewhere.delivery_rag is Rag.GREEN
    [entry] = _history(long_overdue, "delivery_rag")
    assert (entry.old_value, entry.new_value, entry.actor_name) == ("green", "red", "system")
    assert entry.reason == (
        "Red: overdue for 31 days, since 1 June 2015 (this plan turns actions Red after 30 days overdue)"
    )
    assert _history(owner_red, "delivery_rag") == []
    assert {n.event_key for n in _notifications(long_overdue)} == {"auto_amber:2015-05-31", "auto_red:2015-05-31"}

    # Recorded once: the owner re-rating Amber is their call, and the job does not fight it.
    long_overdue.delivery_rag = Rag.AMBER
    db.session.commit()
    assert run_auto_amber(date(2015, 7, 2)).escalated_to_red == 1  # only not_yet, reaching its 30 days
    db.session.refresh(long_overdue)
    assert long_overdue.delivery_rag is Rag.AMBER


# --- two runs at once ------------------------------------------------------------------


def test_two_runs_at_the_same_time_record_each_event_once(app, monkeypatch):
    """Two connections, as two servers would be: the second run waits for the first's claim, then finds nothing."""
    plan, post, _owner = _owned_plan()
    plan.escalate_to_red_after_days = 10
    actions = [factories.make_action(plan, due_date=date(2015, 6, 1 + n % 20), responsible=[post]) for n in range(60)]
    db.session.commit()

    original = auto_amber.record_events_from

    def slow_insert(events, at):
        time.sleep(0.3)  # hold the claimed rows while the other run tries to claim them too
        original(events, at)

    monkeypatch.setattr(auto_amber, "record_events_from", slow_insert)
    results, errors = run_at_once(app, lambda: run_auto_amber(TODAY))

    assert errors == []
    assert sorted(r.newly_overdue for r in results) == [0, 60]
    assert sum(r.escalated_to_red for r in results) == 60
    assert db.session.scalar(select(func.count()).where(HistoryEntry.field == "auto_amber")) == 60
    assert db.session.scalar(select(func.count()).where(HistoryEntry.field == "delivery_rag")) == 60
    assert len(_notifications()) == 120
    versions = set(db.session.scalars(select(Action.version).where(Action.id.in_([a.id for a in actions]))))
    assert versions == {3}  # one bump for the amber claim, one for the escalation, none doubled
