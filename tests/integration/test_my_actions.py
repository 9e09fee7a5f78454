"""My actions: what an owner lands on, grouped by when each action is due, with what needs an update."""

from __future__ import annotations

from datetime import date, datetime

from flask import url_for
from sqlalchemy import event, select

from tests import factories
from tracker.demo import create_demo_accounts
from tracker.extensions import db
from tracker.models import Action, ReportingDate, Role, Status, User
from tracker.queries.my_actions import my_actions


def _refs(page, group: str) -> list[str]:
    caption = page.select_one(f"caption#{group}-caption")  # each group's table is named by its caption
    if caption is None:
        return []
    table = caption.find_parent("table")
    return [row.select_one("a").text.strip() for row in table.select("tbody tr")]


def test_owners_land_on_their_actions_after_signing_in(app, client):
    post = factories.make_post()
    factories.make_action(factories.make_plan(), responsible=[post])
    owner = factories.make_user(Role.OWNER, posts=[post])
    client.post_page(
        "auth.sign_in",
        {"email": owner.email, "password": factories.PASSWORD},
        _expected_redirect=url_for("plans.index"),
    )
    client.get_page("plans.index", _expected_redirect=url_for("actions.my_actions"))
    page = client.get_page("actions.my_actions")
    assert page.select_one("h1").text.strip() == "My actions"
    nav = page.select_one(".govuk-service-navigation__item--active")
    assert nav is not None and "My actions" in nav.text


def test_actions_are_grouped_by_when_they_are_due(app, client_as, pinned_today):
    pinned_today("2015-07-01")
    post, other_post = factories.make_post("Head of Community Safety"), factories.make_post()
    plan = factories.make_plan()
    make = factories.make_action
    make(plan, reference="1.1", responsible=[post], due_date=date(2015, 6, 30))  # overdue since 1 July
    make(plan, reference="1.2", accountable=[post], due_date=date(2015, 5, 31))  # accountable counts too
    make(plan, reference="2.1", responsible=[post], due_date=date(2015, 7, 1))  # due today: not overdue
    make(plan, reference="2.2", responsible=[post], due_date=date(2015, 7, 31))  # 30 days away
    make(plan, reference="3.1", responsible=[post], due_date=date(2015, 8, 1))  # 31 days away
    make(plan, reference="4.1", responsible=[post], due_date=None)
    make(plan, reference="5.1", responsible=[post], due_date=date(2015, 5, 1), status=Status.COMPLETE)
    make(plan, reference="5.2", responsible=[post], due_date=date(2015, 5, 1), status=Status.CANCELLED)
    make(plan, reference="9.9", responsible=[other_post], due_date=date(2015, 6, 1))  # not theirs
    client = client_as(Role.OWNER, posts=[post])

    page = client.get_page("actions.my_actions")
    assert _refs(page, "overdue") == ["Action 1.2", "Action 1.1"]  # most overdue first
    assert _refs(page, "due_soon") == ["Action 2.1", "Action 2.2"]
    assert _refs(page, "later") == ["Action 3.1"]
    assert _refs(page, "undated") == ["Action 4.1"]
    assert _refs(page, "closed") == ["Action 5.1", "Action 5.2"]
    assert "Action 9.9" not in page.text
    assert "Held by your post: Head of Community Safety" in page.select_one("h1").find_next_sibling("p").text.replace(
        "Actions held", "Held"
    )
    overdue_row = page.select_one("caption#overdue-caption").find_parent("table").select("tbody tr")[1]
    cells = overdue_row.select("td")
    assert "30 June 2015" in cells[1].text and "Overdue" in cells[1].text
    assert cells[2].select_one(".govuk-tag").text.strip() == "Delivery: Amber"
    assert "Amber: overdue since 1 July 2015" in cells[2].text
    assert cells[3].select_one(".govuk-tag").text.strip() == "Outcome: Not rated"
    assert cells[4].text.strip() == "Never"
    assert cells[5].select_one("a")["href"].endswith("/update")
    assert "Head of Community Safety (responsible)" in cells[0].text


def test_the_count_of_actions_needing_an_update_follows_the_reporting_cycle(app, client_as, pinned_today):
    pinned_today("2015-07-15")
    post = factories.make_post()
    plan = factories.make_plan()
    plan.created_at = datetime(2015, 3, 1)
    db.session.add(ReportingDate(plan_id=plan.id, meeting_name="LSCB board", meeting_date=date(2015, 6, 20),
                                 updates_due_date=date(2015, 6, 10)))  # fmt: skip
    make = factories.make_action
    make(plan, reference="1.1", responsible=[post], due_date=date(2015, 9, 1), last_progress_at=None)
    make(
        plan, reference="1.2", responsible=[post], due_date=date(2015, 9, 1), last_progress_at=datetime(2015, 6, 10, 23)
    )
    make(
        plan, reference="1.3", responsible=[post], due_date=date(2015, 9, 1), last_progress_at=datetime(2015, 6, 11, 9)
    )
    make(
        plan, reference="1.4", responsible=[post], status=Status.COMPLETE, last_progress_at=None
    )  # finished: no update due
    client = client_as(Role.OWNER, posts=[post])

    page = client.get_page("actions.my_actions")
    assert "2 actions need an update" in page.select_one("#needing-update").text
    flagged = [
        row.select_one("a").text.strip() for row in page.select("tbody tr") if row.select_one(".app-update-needed")
    ]
    assert flagged == ["Action 1.1", "Action 1.2"]


def test_recording_an_update_clears_update_needed(app, client_as, pinned_today):
    from tests.integration.test_progress_updates import submit

    pinned_today("2015-07-15")
    post = factories.make_post()
    plan = factories.make_plan()
    plan.created_at = datetime(2015, 3, 1)  # the reporting period starts with the plan
    action = factories.make_action(plan, responsible=[post], due_date=date(2015, 9, 1))
    client = client_as(Role.OWNER, posts=[post])
    assert "1 action needs an update" in client.get_page("actions.my_actions").text
    submit(client, action.id, delivery_rag="green", outcome_rag="not_rated", status="in_progress", commentary="Done")
    page = client.get_page("actions.my_actions")
    assert "All your open actions have been updated" in page.text
    assert "15 July 2015" in page.select_one("tbody tr").select("td")[4].text


def test_ownership_follows_the_post(app, client_as):
    post = factories.make_post("CSE Co-ordinator")
    factories.make_action(factories.make_plan(), reference="1.1", responsible=[post])
    leaver = client_as(Role.OWNER, posts=[post])
    assert _refs(leaver.get_page("actions.my_actions"), "undated") == ["Action 1.1"]
    # The post moves to the new co-ordinator: the actions go with it.
    db.session.get(User, leaver.user.id).posts = []
    successor = client_as(Role.OWNER, posts=[post])
    assert _refs(successor.get_page("actions.my_actions"), "undated") == ["Action 1.1"]
    assert "do not hold a post" in leaver.get_page("actions.my_actions").text


def test_someone_without_posts_is_told_what_to_do(owner_client):
    page = owner_client.get_page("actions.my_actions")
    assert "You do not hold a post that owns actions" in page.text
    assert "contact the board business team" in page.text


def test_restricted_actions_are_left_out_for_scrutiny(app, client_as):
    post = factories.make_post()
    factories.make_action(factories.make_plan(), reference="1.1", responsible=[post], is_restricted=True)
    scrutiny = client_as(Role.SCRUTINY, posts=[post])
    assert _refs(scrutiny.get_page("actions.my_actions"), "undated") == []
    board = client_as(Role.BOARD, posts=[post])
    page = board.get_page("actions.my_actions")
    assert _refs(page, "undated") == ["Action 1.1"]
    assert not page.select("a[href$='/update']")  # read only


def test_the_demo_owner_sees_the_coordinators_actions(app, coventry, pinned_today):
    pinned_today("2015-07-01")
    create_demo_accounts()
    db.session.commit()
    owner = db.session.scalars(select(User).where(User.email == "owner@example.org")).one()
    mine = my_actions(owner, date(2015, 7, 1))
    assert mine.total > 10
    assert {group.key for group in mine.groups if group.rows} >= {"overdue", "later"}
    held = db.session.scalars(select(Action).where(Action.id.in_([r.id for g in mine.groups for r in g.rows]))).all()
    names = {"CSE Co-ordinator", "CSE Service Manager"}
    assert all(names & {o.post.name for o in action.owners} for action in held)


def test_my_actions_uses_a_constant_number_of_queries(app, coventry, client_as):
    from sqlalchemy import func

    from tracker.models import ActionOwner, Post

    posts = db.session.scalars(select(Post)).all()
    client = client_as(Role.OWNER, posts=posts)
    statements: list[str] = []

    def count(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        page = client.get_page("actions.my_actions")
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    owned = db.session.scalar(select(func.count(func.distinct(ActionOwner.action_id))))
    assert len(page.select("tbody tr")) == owned > 30  # every owned action of the plan
    assert len(statements) <= 8, statements  # session user, posts, cycles, actions, held posts: not per action
