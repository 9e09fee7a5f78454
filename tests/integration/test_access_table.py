"""Every route, for every role and for someone signed out: the status expected, and for a refused write, no change.

One table below says what each visitor gets. The world it runs in is made through the web forms
(an owner's update with a file, a due-date request, a reporting date), so every address points
at something real. A write that is refused is sent with plausible data and a valid CSRF token,
and the whole database and the evidence folder are compared before and after.
A new route must be added to the table: test_the_table_covers_every_route fails until it is.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from datetime import date

import pytest
from flask import current_app
from sqlalchemy import select

from tests import factories
from tests.evidence_files import TEXT
from tests.integration.test_progress_updates import open_form, submit
from tracker.extensions import db
from tracker.models import DeadlineChange, Evidence, Rag, ReportingDate, Role
from tracker.plotly_assets import plotly_bundle

OUT = "signed out"
VISITORS = (OUT, Role.ADMIN, Role.OWNER, Role.BOARD, Role.SCRUTINY)
TO_SIGN_IN = "to sign-in"  # a 302 to the sign-in page
ALLOWED = "allowed"  # a write this visitor may make: not sent here (its own tests cover it)


@dataclass(frozen=True)
class Row:
    endpoint: str
    method: str
    url: str  # formatted with the world's ids
    expected: dict  # visitor -> status, TO_SIGN_IN or ALLOWED
    data: dict | None = None

    @property
    def id(self) -> str:
        return f"{self.method} {self.url}"


def everyone(status) -> dict:
    return {visitor: status for visitor in VISITORS}


def signed_in(admin, owner, board, scrutiny) -> dict:
    return {OUT: TO_SIGN_IN, Role.ADMIN: admin, Role.OWNER: owner, Role.BOARD: board, Role.SCRUTINY: scrutiny}


SIGNED_IN_200 = signed_in(200, 200, 200, 200)
ADMIN_ONLY_PAGE = signed_in(200, 403, 403, 403)
ADMIN_ONLY_WRITE = signed_in(ALLOWED, 403, 403, 403)
UPDATE = {"delivery_rag": "red", "outcome_rag": "red", "status": "in_progress", "commentary": "Not theirs to say"}
REPORTING_DATE = {
    "meeting_name": "Sneaky",
    "meeting_date": ["14", "10", "2015"],
    "updates_due_date": ["30", "9", "2015"],
}
SETTINGS = {"escalate_to_red_after_days": "1", "remind_due_within_days": "1", "remind_update_within_days": "1"}

TABLE = [
    Row("static", "GET", "/static/css/app.css", everyone(200)),
    Row("system.govuk_assets", "GET", "/assets/images/favicon.ico", everyone(200)),
    Row("system.healthz", "GET", "/healthz", everyone(200)),
    Row("auth.sign_in", "GET", "/sign-in", {**everyone(302), OUT: 200}),
    # Signed in already: sent back to the plans without trying (nor recording) anything.
    Row(
        "auth.sign_in", "POST", "/sign-in", {**everyone(302), OUT: ALLOWED}, {"email": "a@example.org", "password": "x"}
    ),
    Row("auth.sign_out", "POST", "/sign-out", signed_in(ALLOWED, ALLOWED, ALLOWED, ALLOWED)),
    Row("plans.index", "GET", "/", signed_in(302, 302, 302, 302)),
    Row("plans.list_plans", "GET", "/plans", SIGNED_IN_200),
    Row("plans.show", "GET", "/plans/{plan}", SIGNED_IN_200),
    Row("actions.show", "GET", "/actions/{mine}", SIGNED_IN_200),
    Row("actions.my_actions", "GET", "/my-actions", SIGNED_IN_200),  # board and councillors: "no actions"
    Row("actions.update", "GET", "/actions/{mine}/update", signed_in(200, 200, 403, 403)),
    Row("actions.update", "GET", "/actions/{theirs}/update", signed_in(200, 403, 403, 403)),
    Row("actions.update", "POST", "/actions/{mine}/update", signed_in(ALLOWED, ALLOWED, 403, 403), UPDATE),
    Row("actions.update", "POST", "/actions/{theirs}/update", signed_in(ALLOWED, 403, 403, 403), UPDATE),
    Row("actions.edit", "GET", "/actions/{mine}/edit", ADMIN_ONLY_PAGE),
    Row("actions.edit", "POST", "/actions/{mine}/edit", ADMIN_ONLY_WRITE, {"text": "Rewritten", "reason": "x"}),
    Row("actions.download_evidence", "GET", "/evidence/{evidence}/download", SIGNED_IN_200),
    Row("actions.verify", "POST", "/evidence/{evidence}/verify", ADMIN_ONLY_WRITE, {}),
    Row("deadlines.change_due_date", "GET", "/actions/{mine}/due-date", signed_in(200, 200, 403, 403)),
    Row("deadlines.change_due_date", "GET", "/actions/{theirs}/due-date", signed_in(200, 403, 403, 403)),
    Row(
        "deadlines.change_due_date",
        "POST",
        "/actions/{theirs}/due-date",
        signed_in(ALLOWED, 403, 403, 403),
        {"new_due_date": ["30", "11", "2015"], "reason": "Later"},
    ),
    Row("deadlines.requests", "GET", "/deadline-requests", ADMIN_ONLY_PAGE),
    Row("deadlines.decide", "GET", "/deadline-requests/{change}", ADMIN_ONLY_PAGE),
    Row("deadlines.decide", "POST", "/deadline-requests/{change}", ADMIN_ONLY_WRITE, {"decision": "approve"}),
    Row("deadlines.settings", "GET", "/plans/{plan}/deadline-settings", ADMIN_ONLY_PAGE),
    Row("deadlines.settings", "POST", "/plans/{plan}/deadline-settings", ADMIN_ONLY_WRITE, SETTINGS),
    Row("deadlines.reporting_dates_page", "GET", "/plans/{plan}/reporting-dates", ADMIN_ONLY_PAGE),
    Row("deadlines.reporting_dates_page", "POST", "/plans/{plan}/reporting-dates", ADMIN_ONLY_WRITE, REPORTING_DATE),
    Row(
        "deadlines.remove_reporting_date_page",
        "POST",
        "/plans/{plan}/reporting-dates/{reporting_date}/remove",
        ADMIN_ONLY_WRITE,
        {},
    ),
    Row("dashboard.show", "GET", "/dashboard", SIGNED_IN_200),
    Row("dashboard.actions", "GET", "/dashboard/actions?rag=amber", SIGNED_IN_200),
    Row("dashboard.plotly_js", "GET", "/dashboard/assets/plotly-{plotly}.min.js", SIGNED_IN_200),
    Row("dashboard.plotly_css", "GET", "/dashboard/assets/plotly-{plotly}.css", SIGNED_IN_200),
    Row("sign_in_events.index", "GET", "/admin/sign-in-events", ADMIN_ONLY_PAGE),
]


def test_the_table_covers_every_route(app):
    routes = {
        (rule.endpoint, method) for rule in app.url_map.iter_rules() for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    covered = {(row.endpoint, row.method) for row in TABLE}
    assert routes - covered == set(), "add these routes to TABLE"
    assert covered - routes == set(), "these rows name routes that no longer exist"


@pytest.fixture
def world(app, client_as, pinned_today):
    """A plan with an action the owner holds and one they do not, evidence, a request and a reporting date."""
    pinned_today("2015-07-01")
    post, other_post = factories.make_post("CSE Co-ordinator"), factories.make_post("Head of Service")
    plan = factories.make_plan()
    mine = factories.make_action(plan, reference="1.1", due_date=date(2015, 9, 30), responsible=[post],
                                 delivery_rag=Rag.GREEN)  # fmt: skip
    theirs = factories.make_action(plan, reference="1.2", due_date=date(2015, 9, 30), responsible=[other_post])
    clients = {
        OUT: app.test_client(),
        Role.ADMIN: client_as(Role.ADMIN),
        Role.OWNER: client_as(Role.OWNER, posts=[post]),
        Role.BOARD: client_as(Role.BOARD),
        Role.SCRUTINY: client_as(Role.SCRUTINY),
    }
    owner, admin = clients[Role.OWNER], clients[Role.ADMIN]
    recorded = submit(owner, mine.id, delivery_rag="amber", outcome_rag="not_rated", status="in_progress",
                      commentary="Minutes attached.", evidence_file=(io.BytesIO(TEXT), "minutes.txt"),
                      evidence_file_title="Minutes")  # fmt: skip
    assert recorded.status_code == 302
    asked = owner.post_form(f"/actions/{mine.id}/due-date", {"new_due_date": ["31", "10", "2015"], "reason": "Later"})
    assert asked.status_code == 302
    assert (
        admin.post_form(f"/plans/{plan.id}/reporting-dates", {**REPORTING_DATE, "meeting_name": "LSCB"}).status_code
        == 302
    )
    ids = {
        "plan": plan.id,
        "mine": mine.id,
        "theirs": theirs.id,
        "evidence": db.session.scalar(select(Evidence.id)),
        "change": db.session.scalar(select(DeadlineChange.id)),
        "reporting_date": db.session.scalar(select(ReportingDate.id)),
        "plotly": plotly_bundle().version,
    }
    # The forms' hidden version fields, as a browser that had the form open would send them back.
    hidden = {action_id: open_form(admin, action_id) for action_id in (mine.id, theirs.id)}
    return clients, ids, hidden


def snapshot() -> dict:
    """Every row of every table, and every stored evidence file."""
    db.session.expire_all()
    state = {
        table.name: sorted(map(repr, db.session.execute(select(table)).all())) for table in db.metadata.sorted_tables
    }
    folder = current_app.config["UPLOAD_FOLDER"]
    state["evidence files"] = sorted(os.path.join(d, f) for d, _, files in os.walk(folder) for f in files)
    db.session.rollback()
    return state


@pytest.mark.parametrize("visitor", VISITORS, ids=lambda v: getattr(v, "value", v))
def test_every_route_for_every_visitor(world, visitor):
    clients, ids, hidden = world
    client = clients[visitor]
    wrong = []
    for row in TABLE:
        expected = row.expected[visitor]
        if expected == ALLOWED:
            continue
        url = row.url.format(**ids)
        if row.method == "GET":
            response = client.get(url)
        else:
            data = dict(row.data or {})
            if "/actions/" in url:
                data.update(hidden[ids["theirs"] if "{theirs}" in row.url else ids["mine"]])
            before = snapshot()
            response = client.post_form(url, data, content_type="multipart/form-data")
            if snapshot() != before:
                wrong.append(f"{row.id}: refused, yet something changed")
        got = response.status_code
        if expected == TO_SIGN_IN:
            if got != 302 or not response.location.startswith("/sign-in"):
                wrong.append(f"{row.id}: expected a redirect to sign in, got {got} {response.location}")
        elif got != expected:
            wrong.append(f"{row.id}: expected {expected}, got {got}")
    assert wrong == []
