"""People from the browser: invitations and password resets by email (a real SMTP server), roles and posts,
disabling accounts and handing a post over."""

from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup
from flask import url_for
from sqlalchemy import select

from tests import factories
from tests.conftest import TrackerClient
from tests.smtp_inbox import smtp_inbox
from tracker.extensions import db
from tracker.models import AccountToken, AdminLogEntry, Role, User

NEW_PASSWORD = "lantern orchard velvet 2016"


@pytest.fixture
def inbox(app):
    with smtp_inbox(app) as received:
        yield received


def error_messages(response) -> list[str]:
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert page.title.text.startswith("Error: "), page.title.text
    return [a.text.strip() for a in page.select(".govuk-error-summary__list a")]


def invite(admin_client, **fields):
    data = {"name": "Priya Shah", "email": "Priya.Shah@example.org", "role": "owner", **fields}
    return admin_client.post_form(url_for("admin.invite"), data)


def test_an_invited_owner_sets_a_password_once_and_sees_their_actions(app, admin_client, inbox):
    post = factories.make_post("Missing Children Lead")
    plan = factories.make_plan("CSE plan")
    factories.make_action(plan, reference="2.3", text="Run return interviews", responsible=[post])
    db.session.commit()

    response = invite(admin_client, posts=[str(post.id)])
    priya = db.session.scalars(select(User).where(User.email == "priya.shah@example.org")).one()
    assert response.location.endswith(f"/admin/people/{priya.id}")
    assert priya.is_invited and [p.name for p in priya.posts] == ["Missing Children Lead"]
    stored = db.session.scalars(select(AccountToken)).one()
    (message,) = inbox.to("priya.shah@example.org")
    assert message["Subject"] == "You are invited to the safeguarding action plan tracker"
    link = inbox.last_link("priya.shah@example.org")
    assert link.split("/")[-1] not in stored.token_hash  # only the hash is kept
    assert len(stored.token_hash) == 64
    assert "expires on" in message.get_body(preferencelist=("plain",)).get_content()

    # Not signed in until the password is set: an empty hash matches nothing.
    fresh: TrackerClient = app.test_client()
    assert fresh.post_form("/sign-in", {"email": priya.email, "password": ""}).status_code == 200

    weak = fresh.post_form(link, {"password": "password1234", "confirm": "password1234"})
    assert error_messages(weak) == [
        "Enter a password that is harder to guess: use three or more unrelated words, not a common password"
    ]
    mismatch = fresh.post_form(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"})
    assert error_messages(mismatch) == ["Enter the same password in both boxes"]

    accepted = fresh.post_form(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert accepted.status_code == 302
    my_actions = fresh.get(fresh.get(accepted.location).location)
    assert "Run return interviews" in my_actions.get_data(as_text=True)

    again = app.test_client().get(link)
    assert again.status_code == 404
    assert "already been used" in again.get_data(as_text=True)
    app.test_client().sign_in(db.session.get(User, priya.id), NEW_PASSWORD)


def test_an_invitation_link_expires_after_seven_days(app, admin_client, inbox, pinned_today):
    pinned_today("2016-01-04")
    invite(admin_client)
    link = inbox.last_link("priya.shah@example.org")
    pinned_today("2016-01-10")
    assert app.test_client().get(link).status_code == 200
    pinned_today("2016-01-12")
    response = app.test_client().post_form(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 404
    assert "has expired" in response.get_data(as_text=True)
    assert db.session.scalars(select(User).where(User.email == "priya.shah@example.org")).one().is_invited


def test_resending_replaces_the_link_and_withdrawing_stops_it(app, admin_client, inbox):
    invite(admin_client)
    priya = db.session.scalars(select(User).where(User.email == "priya.shah@example.org")).one()
    first = inbox.last_link(priya.email)
    admin_client.post_form(url_for("admin.resend_invitation", user_id=priya.id))
    second = inbox.last_link(priya.email)
    assert first != second
    assert "withdrawn or replaced" in app.test_client().get(first).get_data(as_text=True)

    page = admin_client.get_page("admin.person_page", user_id=priya.id)
    assert "Invited: the link expires on" in page.text
    admin_client.post_form(url_for("admin.withdraw_invitation", user_id=priya.id), {"reason": "Wrong person"})
    assert app.test_client().get(second).status_code == 404
    assert "Invitation expired or withdrawn" in admin_client.get_page("admin.people_page").text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": "not an email"}, "Enter an email address in the correct format, like name@example.org"),
        ({"email": "TAKEN@example.org"}, "An account for taken@example.org already exists"),
        ({"name": ""}, "Enter the person's name"),
        ({"name": "x" * 10_000}, "The person's name must be 200 characters or fewer"),
        ({"role": "emperor"}, "Choose a role from the list"),
        ({"posts": ["99999"]}, "Select posts from the list"),
    ],
)
def test_bad_invitations_are_refused_and_send_nothing(admin_client, inbox, fields, message):
    factories.make_user(email="taken@example.org")
    db.session.commit()
    users = db.session.query(User).count()
    response = invite(admin_client, **fields)
    assert error_messages(response) == [message]
    assert db.session.query(User).count() == users
    assert inbox.messages == []


def test_nothing_is_saved_when_the_invitation_cannot_be_sent(app, admin_client):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1, MAIL_TIMEOUT=2)
    try:
        response = invite(admin_client)
    finally:
        app.config.pop("MAIL_TIMEOUT")
    assert "The email could not be sent" in error_messages(response)[0]
    assert db.session.scalar(select(User).where(User.email == "priya.shah@example.org")) is None


def test_a_forgotten_password_is_reset_by_a_single_use_link(app, client, inbox):
    sam = factories.make_user(email="sam@example.org", name="Sam Patel")
    db.session.commit()
    sign_in = client.get_page("auth.sign_in")
    assert sign_in.find("a", string="I have forgotten my password")

    known = client.post_form(url_for("auth.forgot_password"), {"email": "SAM@example.org"})
    unknown = client.post_form(url_for("auth.forgot_password"), {"email": "nobody@example.org"})
    same = [
        BeautifulSoup(r.get_data(as_text=True), "html.parser").select_one("main").get_text(" ").split()
        for r in (known, unknown)
    ]
    assert [w for w in same[0] if "@" not in w] == [w for w in same[1] if "@" not in w]
    assert len(inbox.messages) == 1

    link = inbox.last_link("sam@example.org")
    response = client.post_form(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.post_form(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 404
    app.test_client().sign_in(db.session.get(User, sam.id), NEW_PASSWORD)
    reset = db.session.scalars(select(AdminLogEntry).where(AdminLogEntry.field == "password")).one()
    assert reset.actor_id == sam.id


def test_a_reset_link_expires_after_an_hour_and_not_for_a_disabled_account(app, client, inbox, pinned_today):
    sam = factories.make_user(email="sam@example.org")
    db.session.commit()
    client.post_form(url_for("auth.forgot_password"), {"email": "sam@example.org"})
    link = inbox.last_link("sam@example.org")
    token = db.session.scalars(select(AccountToken)).one()
    assert token.expires_at - token.created_at == timedelta(hours=1)

    sam.is_enabled = False
    db.session.commit()
    response = client.get(link)
    assert response.status_code == 404
    assert "has been disabled" in response.get_data(as_text=True)
    # And a disabled account is sent no link at all.
    client.post_form(url_for("auth.forgot_password"), {"email": "sam@example.org"})
    assert len(inbox.messages) == 1


def test_a_disabled_person_is_signed_out_at_their_next_request(app, admin_client, client_as):
    owner = client_as(Role.OWNER)
    assert owner.get(url_for("plans.list_plans")).status_code == 200
    admin_client.post_form(url_for("admin.disable_person", user_id=owner.user.id), {"reason": "Left the council"})
    response = owner.get(url_for("plans.list_plans"))
    assert response.status_code == 302 and response.location.startswith("/sign-in")
    assert owner.post_form("/sign-in", {"email": owner.user.email, "password": factories.PASSWORD}).status_code == 200

    admin_client.post_form(url_for("admin.enable_person", user_id=owner.user.id))
    owner.sign_in(db.session.get(User, owner.user.id))


def test_an_administrator_cannot_disable_or_demote_themselves(admin_client):
    me = admin_client.user
    response = admin_client.post_form(url_for("admin.disable_person", user_id=me.id), {})
    assert error_messages(response) == ["You cannot disable your own account. Ask another administrator to do it"]
    response = admin_client.post_form(url_for("admin.save_person", user_id=me.id), {"role": "board"})
    assert "You cannot take away your own administrator role" in error_messages(response)[0]
    db.session.expire_all()
    assert db.session.get(User, me.id).is_enabled and db.session.get(User, me.id).role is Role.ADMIN


def test_change_role_and_posts(admin_client):
    a, b = factories.make_post("Post A"), factories.make_post("Post B")
    person = factories.make_user(Role.BOARD, posts=[a])
    db.session.commit()
    admin_client.post_form(url_for("admin.save_person", user_id=person.id), {"role": "owner", "posts": [str(b.id)]})
    db.session.expire_all()
    changed = db.session.get(User, person.id)
    assert changed.role is Role.OWNER and [p.name for p in changed.posts] == ["Post B"]
    log = [
        (e.field, e.old_value, e.new_value)
        for e in db.session.scalars(select(AdminLogEntry).order_by(AdminLogEntry.id))
    ]
    assert log == [("role", "Board member", "Action owner"), ("posts", "Post A", "Post B")]


def test_people_list_shows_role_posts_last_sign_in_and_state(admin_client):
    post = factories.make_post("CSE Co-ordinator")
    factories.make_user(name="Dana Active", posts=[post])
    factories.make_user(name="Eli Disabled", is_enabled=False)
    db.session.commit()
    rows = {
        row.select("td")[0].a.text: [" ".join(td.get_text(" ").split()) for td in row.select("td")[1:]]
        for row in admin_client.get_page("admin.people_page").select("tbody tr")
    }
    assert rows["Dana Active"] == ["Action owner", "CSE Co-ordinator", "Never", "Active"]
    assert rows["Eli Disabled"][-1] == "Disabled"


def test_a_post_is_handed_over_in_one_step_and_the_successor_is_told(app, admin_client, client_as, inbox):
    post = factories.make_post("Missing Children Lead")
    plan = factories.make_plan("CSE plan")
    factories.make_action(
        plan, reference="2.3", text="Run return interviews", responsible=[post], due_date=date(2016, 1, 1)
    )
    leaver = factories.make_user(name="Lee Leaver", posts=[post])
    successor = client_as(Role.OWNER, name="Sue Successor", email="sue@example.org")
    db.session.commit()
    url = url_for("admin.hand_over_post", post_id=post.id)

    same = admin_client.post_form(url, {"leaver": str(leaver.id), "successor": str(leaver.id)})
    assert error_messages(same) == ["Choose a successor other than the person leaving the post"]

    response = admin_client.post_form(
        url, {"leaver": str(leaver.id), "successor": str(successor.user.id), "reason": "Lee retired"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert [h.name for h in db.session.get(User, successor.user.id).posts] == ["Missing Children Lead"]
    assert db.session.get(User, leaver.id).posts == []
    assert inbox.to("sue@example.org")[0]["Subject"] == "You now hold the post Missing Children Lead"
    assert "Run return interviews" in successor.get(url_for("actions.my_actions")).get_data(as_text=True)
    entry = db.session.scalars(select(AdminLogEntry)).one()
    assert (entry.field, entry.old_value, entry.new_value, entry.reason) == (
        "handed over", "Lee Leaver", "Sue Successor", "Lee retired",
    )  # fmt: skip


def test_invite_and_add_post_from_the_command_line(app, inbox):
    from click.testing import CliRunner
    from flask.cli import ScriptInfo

    from tracker.cli import tracker_cli

    runner = CliRunner()
    info = ScriptInfo(create_app=lambda: app)
    added = runner.invoke(
        tracker_cli, ["add-post", "--name", "CSE Co-ordinator", "--agency", "Coventry City Council"], obj=info
    )
    assert added.exit_code == 0, added.output
    again = runner.invoke(tracker_cli, ["add-post", "--name", "cse coordinator"], obj=info)
    assert again.exit_code == 1 and "already means the post CSE Co-ordinator" in again.output
    invited = runner.invoke(
        tracker_cli,
        ["invite", "--email", "kim@example.org", "--name", "Kim Lee", "--role", "owner", "--post", "CSE co-ordinator"],
        obj=info,
    )
    assert invited.exit_code == 0, invited.output
    db.session.expire_all()
    kim = db.session.scalars(select(User).where(User.email == "kim@example.org")).one()
    assert [p.name for p in kim.posts] == ["CSE Co-ordinator"] and kim.posts[0].agency.name == "Coventry City Council"
    assert inbox.to("kim@example.org")
    unknown = runner.invoke(
        tracker_cli,
        ["invite", "--email", "x@example.org", "--name", "X", "--role", "owner", "--post", "Nope"],
        obj=info,
    )
    assert unknown.exit_code == 1 and "There is no post called 'Nope'" in unknown.output
