"""Agencies and posts from the browser: add, rename, aliases (one meaning each), and merging two posts."""

import pytest
from bs4 import BeautifulSoup
from flask import url_for
from sqlalchemy import select

from tests import factories
from tracker.extensions import db
from tracker.history_values import parse
from tracker.importers.rows import PlanRow
from tracker.models import ActionOwner, Agency, AgencyAlias, HistoryEntry, OwnerKind, Post, PostAlias, User
from tracker.services.import_plan import import_plan


def error_messages(response) -> list[str]:
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert page.title.text.startswith("Error: "), page.title.text
    return [a.text.strip() for a in page.select(".govuk-error-summary__list a")]


def test_add_and_rename_agencies_and_posts(admin_client):
    admin_client.post_form(url_for("admin.agencies_page"), {"name": "West Midlands Police"})
    police = db.session.scalars(select(Agency)).one()
    admin_client.post_form(url_for("admin.posts_page"), {"name": "Police lead", "agency": str(police.id)})
    post = db.session.scalars(select(Post)).one()
    assert post.agency_id == police.id
    admin_client.post_form(url_for("admin.rename_agency_view", agency_id=police.id), {"rename-name": "WM Police"})
    admin_client.post_form(
        url_for("admin.edit_post", post_id=post.id), {"edit-name": "Police CSE lead", "edit-agency": ""}
    )
    db.session.expire_all()
    assert (police.name, post.name, post.agency_id) == ("WM Police", "Police CSE lead", None)
    rows = admin_client.get_page("admin.posts_page").select("tbody tr")
    assert [r.select("td")[0].a.text for r in rows] == ["Police CSE lead"]


@pytest.mark.parametrize(
    ("endpoint", "data", "message"),
    [
        ("admin.agencies_page", {"name": ""}, "Enter the name"),
        (
            "admin.agencies_page",
            {"name": "west-midlands police."},
            "“west-midlands police” already means the agency West Midlands Police. Choose another name",
        ),
        ("admin.agencies_page", {"name": "x" * 10_000}, "The name must be 200 characters or fewer"),
        (
            "admin.posts_page",
            {"name": "cse coordinator", "agency": ""},
            "“cse coordinator” already means the post CSE Co-ordinator. Choose another name",
        ),
        (
            "admin.posts_page",
            {"name": "CSE lead", "agency": ""},
            "“CSE lead” already means the post CSE Co-ordinator. Choose another name",
        ),
        ("admin.posts_page", {"name": "New post", "agency": "99999"}, "Choose an agency from the list"),
    ],
)
def test_duplicate_empty_and_long_names_are_refused(admin_client, endpoint, data, message):
    factories.make_agency("West Midlands Police")
    post = factories.make_post("CSE Co-ordinator")
    db.session.add(PostAlias(post=post, name="CSE lead", key="cselead"))
    db.session.commit()
    counts = (db.session.query(Agency).count(), db.session.query(Post).count())
    response = admin_client.post_form(url_for(endpoint), data)
    assert error_messages(response) == [message]
    assert (db.session.query(Agency).count(), db.session.query(Post).count()) == counts


def test_aliases_mean_one_thing_and_are_used_when_a_plan_is_read_in(admin_client):
    police = factories.make_agency("West Midlands Police")
    head = factories.make_post("Head of Community Safety")
    other = factories.make_post("CSE Co-ordinator")
    db.session.commit()
    admin_client.post_form(url_for("admin.add_post_alias_view", post_id=head.id), {"alias-name": "Head of CS"})
    admin_client.post_form(url_for("admin.add_agency_alias_view", agency_id=police.id), {"alias-name": "WMP"})

    taken = admin_client.post_form(url_for("admin.add_post_alias_view", post_id=other.id), {"alias-name": "head of cs"})
    assert error_messages(taken) == [
        "“head of cs” already means the post Head of Community Safety. Choose another name"
    ]
    own_name = admin_client.post_form(
        url_for("admin.add_post_alias_view", post_id=head.id), {"alias-name": "cse co-ordinator"}
    )
    assert error_messages(own_name) == [
        "“cse co-ordinator” already means the post CSE Co-ordinator. Choose another name"
    ]
    renamed = admin_client.post_form(
        url_for("admin.edit_post", post_id=other.id), {"edit-name": "Head of CS", "edit-agency": ""}
    )
    assert error_messages(renamed) == [
        "“Head of CS” already means the post Head of Community Safety. Choose another name"
    ]

    row = PlanRow(
        line=2, strand="Prevent", sub_objective="1. Know the problem", actions="Map hotspots",
        responsible="Head of CS", partners="WMP",
    )  # fmt: skip
    import_plan("Imported plan", [row])
    db.session.flush()
    owner = db.session.scalars(select(ActionOwner)).one()
    assert owner.post_id == head.id
    assert db.session.query(Post).count() == 2 and db.session.query(Agency).count() == 1

    alias = db.session.scalars(select(PostAlias)).one()
    admin_client.post_form(url_for("admin.remove_post_alias_view", alias_id=alias.id))
    assert db.session.query(PostAlias).count() == 0
    agency_alias = db.session.scalars(select(AgencyAlias)).one()
    admin_client.post_form(url_for("admin.remove_agency_alias_view", alias_id=agency_alias.id))
    assert db.session.query(AgencyAlias).count() == 0


def test_merge_two_posts_moves_actions_holders_and_aliases(admin_client):
    keep, dup = factories.make_post("CSE Co-ordinator"), factories.make_post("CSE Coordinator (Council)")
    db.session.add(PostAlias(post=dup, name="Council CSE lead", key="councilcselead"))
    plan = factories.make_plan("CSE plan")
    both = factories.make_action(plan, reference="1.1", responsible=[keep, dup])
    only_dup = factories.make_action(plan, reference="1.2", accountable=[dup])
    holder = factories.make_user(name="Hana Holder", posts=[dup])
    db.session.commit()
    dup_id = dup.id
    url = url_for("admin.merge_post", post_id=dup.id)

    itself = admin_client.post_form(url, {"into": str(dup.id)})
    assert error_messages(itself) == ["Choose the post to merge into from the list"]

    confirm = admin_client.post_form(url, {"into": str(keep.id), "reason": "Same job"})
    assert confirm.status_code == 200 and "Merge CSE Coordinator (Council) into CSE Co-ordinator?" in confirm.get_data(
        as_text=True
    )
    assert db.session.get(Post, dup.id) is not None  # nothing changes before confirming

    done = admin_client.post_form(url, {"into": str(keep.id), "reason": "Same job", "confirmed": "yes"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Post, dup_id) is None
    owners = {(o.action_id, o.post_id, o.kind) for o in db.session.scalars(select(ActionOwner))}
    assert owners == {(both.id, keep.id, OwnerKind.RESPONSIBLE), (only_dup.id, keep.id, OwnerKind.ACCOUNTABLE)}
    assert [p.name for p in db.session.get(User, holder.id).posts] == ["CSE Co-ordinator"]
    assert sorted(a.name for a in db.session.scalars(select(PostAlias))) == [
        "CSE Coordinator (Council)",
        "Council CSE lead",
    ]
    entries = db.session.scalars(
        select(HistoryEntry).where(HistoryEntry.field == "owners").order_by(HistoryEntry.action_id)
    ).all()
    assert [(e.action_id, e.reason) for e in entries] == [(both.id, "Same job"), (only_dup.id, "Same job")]
    moved = parse(entries[1].field, entries[1].new_value)
    assert ([n.name for n in moved.accountable], moved.responsible) == (["CSE Co-ordinator"], ())
