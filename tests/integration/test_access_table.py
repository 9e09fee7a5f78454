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
from tests.import_files import committee_report_docx
from tests.integration.test_progress_updates import open_form, submit
from tests.measures_support import enter, make_measure
from tracker.extensions import db
from tracker.models import AgencyAlias, DeadlineChange, Evidence, PostAlias, Rag, ReportingDate, Role
from tracker.plotly_assets import plotly_bundle
from tracker.services import invitations

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
REASON = {"reason": "Not theirs to decide"}
NAME = {"name": "Sneaky name"}
NEW_PASSWORD = {"password": "a sneaky long passphrase", "confirm": "a sneaky long passphrase"}
MEASURE = {
    "name": "Sneaky measure",
    "definition": "What is counted",
    "unit": "number",
    "direction": "higher_is_better",
    "frequency": "quarterly",
    "first_period": ["1", "4", "2015"],
}
TARGET = {"first_period": "2015-04-01", "target": "99", "tolerance": "1", "reason": "Sneaky"}
FIGURE = {"period": "2015-04-01", "value": "99", "note": "Sneaky"}
CORRECTION = {"value": "98", "reason": "Sneaky"}
FREEZE = {"meeting_name": "Sneaky", "meeting_date": ["12", "1", "2016"], "as_at": ["", "", ""], "version": "full"}
PLAN_FILE = {"file": (b"Ref,Action\n1.1,Do it\n", "plan.csv")}  # bytes: a fresh file object per request
FIGURES_FILE = {"file": (b"Period,Measure,Value\nQ1 2015/16,Return home interviews,31\n", "figures.csv")}
# A link from an email that was never sent: refused in the same words whoever follows it.
BOGUS_TOKEN = "not-a-real-token"
REPORT_READERS_PAGE = signed_in(200, 403, 200, 200)

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
    Row("actions.show", "GET", "/actions/{restricted}", signed_in(200, 200, 200, 404)),
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
    Row("system.favicon", "GET", "/favicon.ico", everyone(200)),
    # Asking for a reset link says the same whether the address is known: anyone may ask.
    Row("auth.forgot_password", "GET", "/forgot-password", everyone(200)),
    Row("auth.forgot_password", "POST", "/forgot-password", everyone(ALLOWED), {"email": "a@example.org"}),
    Row("auth.accept_invitation", "GET", f"/invitation/{BOGUS_TOKEN}", everyone(404)),
    Row("auth.accept_invitation", "POST", f"/invitation/{BOGUS_TOKEN}", everyone(404), NEW_PASSWORD),
    Row("auth.reset_password", "GET", f"/reset-password/{BOGUS_TOKEN}", everyone(404)),
    Row("auth.reset_password", "POST", f"/reset-password/{BOGUS_TOKEN}", everyone(404), NEW_PASSWORD),
    Row("imports.export_plan", "GET", "/plans/{plan}/export.csv", SIGNED_IN_200),
    Row("imports.export_plan", "GET", "/plans/{plan}/export.xlsx", SIGNED_IN_200),
    Row("imports.upload", "GET", "/imports/new", ADMIN_ONLY_PAGE),
    Row("imports.upload", "POST", "/imports/new", ADMIN_ONLY_WRITE, PLAN_FILE),
    Row("imports.choose_table", "GET", "/imports/{upload}/table", ADMIN_ONLY_PAGE),
    Row("imports.choose_table", "POST", "/imports/{upload}/table", ADMIN_ONLY_WRITE, {"table": "0", "header_row": "0"}),
    Row("imports.map_columns", "GET", "/imports/{upload}/columns", ADMIN_ONLY_PAGE),
    Row("imports.map_columns", "POST", "/imports/{upload}/columns", ADMIN_ONLY_WRITE, {"column_0": "reference"}),
    Row("imports.preview", "GET", "/imports/{upload}/preview", ADMIN_ONLY_PAGE),
    Row(
        "imports.preview",
        "POST",
        "/imports/{upload}/preview",
        ADMIN_ONLY_WRITE,
        {"target": "new", "plan_name": "Sneaky plan", "import_flagged": "y", "submit": "Import"},
    ),
    Row("reports.index", "GET", "/reports", REPORT_READERS_PAGE),
    Row("reports.frozen_list", "GET", "/reports/frozen", REPORT_READERS_PAGE),
    Row("reports.frozen_show", "GET", "/reports/frozen/{report}", REPORT_READERS_PAGE),
    Row("reports.frozen_download", "GET", "/reports/frozen/{report}/csv", REPORT_READERS_PAGE),
    # A full report with a restricted action in it is hidden from scrutiny councillors; the public one is not.
    Row("reports.frozen_show", "GET", "/reports/frozen/{restricted_report}", signed_in(200, 403, 200, 404)),
    Row("reports.frozen_download", "GET", "/reports/frozen/{restricted_report}/pdf", signed_in(200, 403, 200, 404)),
    Row("reports.freeze", "GET", "/reports/frozen/new", ADMIN_ONLY_PAGE),
    Row("reports.freeze", "POST", "/reports/frozen/new", ADMIN_ONLY_WRITE, FREEZE),
    Row("measures.index", "GET", "/measures", SIGNED_IN_200),
    Row("measures.show", "GET", "/measures/{measure}", SIGNED_IN_200),
    # Restricted measures are hidden from scrutiny councillors, as restricted actions are.
    Row("measures.show", "GET", "/measures/{restricted_measure}", signed_in(200, 200, 200, 404)),
    Row("measures.new", "GET", "/plans/{plan}/measures/new", ADMIN_ONLY_PAGE),
    Row("measures.new", "POST", "/plans/{plan}/measures/new", ADMIN_ONLY_WRITE, MEASURE),
    Row("measures.edit", "GET", "/measures/{measure}/edit", ADMIN_ONLY_PAGE),
    Row("measures.edit", "POST", "/measures/{measure}/edit", ADMIN_ONLY_WRITE, MEASURE),
    Row("measures.targets", "GET", "/measures/{measure}/targets", ADMIN_ONLY_PAGE),
    Row("measures.targets", "POST", "/measures/{measure}/targets", ADMIN_ONLY_WRITE, TARGET),
    # Figures come from whoever holds the measure's post, or an administrator.
    Row("measures.enter_figure", "GET", "/measures/{measure}/figures", signed_in(200, 200, 403, 403)),
    Row("measures.enter_figure", "GET", "/measures/{their_measure}/figures", signed_in(200, 403, 403, 403)),
    Row(
        "measures.enter_figure",
        "POST",
        "/measures/{their_measure}/figures",
        signed_in(ALLOWED, 403, 403, 403),
        {**FIGURE, "period": "2015-07-01"},
    ),
    Row("measures.correct", "GET", "/measures/{measure}/figures/2015-04-01/correct", signed_in(200, 200, 403, 403)),
    Row(
        "measures.correct",
        "GET",
        "/measures/{their_measure}/figures/2015-04-01/correct",
        signed_in(200, 403, 403, 403),
    ),
    Row(
        "measures.correct",
        "POST",
        "/measures/{their_measure}/figures/2015-04-01/correct",
        signed_in(ALLOWED, 403, 403, 403),
        CORRECTION,
    ),
    Row("measure_imports.upload", "GET", "/measures/import", ADMIN_ONLY_PAGE),
    Row("measure_imports.upload", "POST", "/measures/import", ADMIN_ONLY_WRITE, {"plan": "{plan}", **FIGURES_FILE}),
    Row("measure_imports.preview", "GET", "/measures/import/{figures_upload}", ADMIN_ONLY_PAGE),
    Row("measure_imports.preview", "POST", "/measures/import/{figures_upload}", ADMIN_ONLY_WRITE),
    Row("admin.index", "GET", "/admin/", ADMIN_ONLY_PAGE),
    Row("admin.log_page", "GET", "/admin/log", ADMIN_ONLY_PAGE),
    Row("admin.plans", "GET", "/admin/plans", ADMIN_ONLY_PAGE),
    Row("admin.new_plan", "GET", "/admin/plans/new", ADMIN_ONLY_PAGE),
    Row("admin.new_plan", "POST", "/admin/plans/new", ADMIN_ONLY_WRITE, {"name": "Sneaky plan"}),
    Row("admin.plan", "GET", "/admin/plans/{plan}", ADMIN_ONLY_PAGE),
    Row("admin.edit_plan", "GET", "/admin/plans/{plan}/edit", ADMIN_ONLY_PAGE),
    Row("admin.edit_plan", "POST", "/admin/plans/{plan}/edit", ADMIN_ONLY_WRITE, {"name": "Sneaky plan"}),
    Row("admin.archive_plan", "GET", "/admin/plans/{plan}/archive", ADMIN_ONLY_PAGE),
    Row("admin.archive_plan", "POST", "/admin/plans/{plan}/archive", ADMIN_ONLY_WRITE, REASON),
    Row("admin.new_strand", "GET", "/admin/plans/{plan}/strands/new", ADMIN_ONLY_PAGE),
    Row("admin.new_strand", "POST", "/admin/plans/{plan}/strands/new", ADMIN_ONLY_WRITE, {"name": "Sneaky strand"}),
    Row("admin.edit_strand", "GET", "/admin/strands/{strand}/edit", ADMIN_ONLY_PAGE),
    Row("admin.edit_strand", "POST", "/admin/strands/{strand}/edit", ADMIN_ONLY_WRITE, {"name": "Sneaky strand"}),
    Row("admin.move_strand_view", "POST", "/admin/strands/{strand}/move", ADMIN_ONLY_WRITE, {"direction": "down"}),
    Row("admin.new_objective", "GET", "/admin/strands/{strand}/objectives/new", ADMIN_ONLY_PAGE),
    Row(
        "admin.new_objective",
        "POST",
        "/admin/strands/{strand}/objectives/new",
        ADMIN_ONLY_WRITE,
        {"number": "9", "statement": "Sneaky"},
    ),
    Row("admin.edit_objective_view", "GET", "/admin/objectives/{objective}/edit", ADMIN_ONLY_PAGE),
    Row(
        "admin.edit_objective_view",
        "POST",
        "/admin/objectives/{objective}/edit",
        ADMIN_ONLY_WRITE,
        {"number": "9", "statement": "Sneaky"},
    ),
    Row(
        "admin.move_objective_view",
        "POST",
        "/admin/objectives/{objective}/move",
        ADMIN_ONLY_WRITE,
        {"direction": "down"},
    ),
    Row("admin.new_action", "GET", "/admin/objectives/{objective}/actions/new", ADMIN_ONLY_PAGE),
    Row(
        "admin.new_action",
        "POST",
        "/admin/objectives/{objective}/actions/new",
        ADMIN_ONLY_WRITE,
        {"reference": "9.9", "text": "Sneaky action", "responsible": ["{post}"]},
    ),
    Row("admin.move_action_view", "GET", "/admin/actions/{mine}/move", ADMIN_ONLY_PAGE),
    Row(
        "admin.move_action_view",
        "POST",
        "/admin/actions/{mine}/move",
        ADMIN_ONLY_WRITE,
        {"objective": "{objective}", **REASON},
    ),
    Row("admin.reorder_action", "POST", "/admin/actions/{mine}/reorder", ADMIN_ONLY_WRITE, {"direction": "down"}),
    Row("admin.cancel_action_view", "GET", "/admin/actions/{mine}/cancel", ADMIN_ONLY_PAGE),
    Row("admin.cancel_action_view", "POST", "/admin/actions/{mine}/cancel", ADMIN_ONLY_WRITE, REASON),
    Row("admin.people_page", "GET", "/admin/people", ADMIN_ONLY_PAGE),
    Row("admin.invite", "GET", "/admin/people/invite", ADMIN_ONLY_PAGE),
    Row(
        "admin.invite",
        "POST",
        "/admin/people/invite",
        ADMIN_ONLY_WRITE,
        {"name": "Sneaky Person", "email": "sneaky@example.org", "role": "admin"},
    ),
    Row("admin.person_page", "GET", "/admin/people/{person}", ADMIN_ONLY_PAGE),
    Row("admin.save_person", "POST", "/admin/people/{person}", ADMIN_ONLY_WRITE, {"role": "admin"}),
    Row("admin.disable_person", "GET", "/admin/people/{person}/disable", ADMIN_ONLY_PAGE),
    Row("admin.disable_person", "POST", "/admin/people/{person}/disable", ADMIN_ONLY_WRITE, REASON),
    Row("admin.enable_person", "POST", "/admin/people/{invited}/enable", ADMIN_ONLY_WRITE, {}),
    Row("admin.resend_invitation", "POST", "/admin/people/{invited}/resend", ADMIN_ONLY_WRITE, {}),
    Row("admin.withdraw_invitation", "GET", "/admin/people/{invited}/withdraw", ADMIN_ONLY_PAGE),
    Row("admin.withdraw_invitation", "POST", "/admin/people/{invited}/withdraw", ADMIN_ONLY_WRITE, REASON),
    Row("admin.posts_page", "GET", "/admin/posts", ADMIN_ONLY_PAGE),
    Row("admin.posts_page", "POST", "/admin/posts", ADMIN_ONLY_WRITE, {"name": "Sneaky post", "agency": "{agency}"}),
    Row("admin.post", "GET", "/admin/posts/{post}", ADMIN_ONLY_PAGE),
    Row(
        "admin.edit_post",
        "POST",
        "/admin/posts/{post}/edit",
        ADMIN_ONLY_WRITE,
        {"edit-name": "Sneaky post", "edit-agency": "{agency}"},
    ),
    Row("admin.add_post_alias_view", "POST", "/admin/posts/{post}/aliases", ADMIN_ONLY_WRITE, {"alias-name": "Sneaky"}),
    Row("admin.remove_post_alias_view", "POST", "/admin/post-aliases/{post_alias}/remove", ADMIN_ONLY_WRITE, {}),
    Row("admin.hand_over_post", "GET", "/admin/posts/{post}/hand-over", ADMIN_ONLY_PAGE),
    Row(
        "admin.hand_over_post",
        "POST",
        "/admin/posts/{post}/hand-over",
        ADMIN_ONLY_WRITE,
        {"leaver": "{person}", "successor": "{invited}", **REASON},
    ),
    Row("admin.merge_post", "GET", "/admin/posts/{post}/merge", ADMIN_ONLY_PAGE),
    Row("admin.merge_post", "POST", "/admin/posts/{post}/merge", ADMIN_ONLY_WRITE, {"into": "{other_post}", **REASON}),
    Row("admin.agencies_page", "GET", "/admin/agencies", ADMIN_ONLY_PAGE),
    Row("admin.agencies_page", "POST", "/admin/agencies", ADMIN_ONLY_WRITE, NAME),
    Row("admin.agency", "GET", "/admin/agencies/{agency}", ADMIN_ONLY_PAGE),
    Row(
        "admin.rename_agency_view",
        "POST",
        "/admin/agencies/{agency}/rename",
        ADMIN_ONLY_WRITE,
        {"rename-name": "Sneaky agency"},
    ),
    Row(
        "admin.add_agency_alias_view",
        "POST",
        "/admin/agencies/{agency}/aliases",
        ADMIN_ONLY_WRITE,
        {"alias-name": "Sneaky"},
    ),
    Row("admin.remove_agency_alias_view", "POST", "/admin/agency-aliases/{agency_alias}/remove", ADMIN_ONLY_WRITE, {}),
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
    """A plan with an action the owner holds, one they do not and a restricted one, evidence, a request and a
    reporting date; measures with figures (one the owner supplies, one they do not, one restricted), a public
    and a full frozen report, an import upload waiting at its preview, an invited person, and a post and an
    agency with an alias each."""
    pinned_today("2015-07-01")
    agency = factories.make_agency("West Midlands Police")
    post, other_post = factories.make_post("CSE Co-ordinator", agency), factories.make_post("Head of Service")
    plan = factories.make_plan()
    mine = factories.make_action(plan, reference="1.1", due_date=date(2015, 9, 30), responsible=[post],
                                 delivery_rag=Rag.GREEN)  # fmt: skip
    theirs = factories.make_action(plan, reference="1.2", due_date=date(2015, 9, 30), responsible=[other_post])
    restricted = factories.make_action(plan, reference="1.3", responsible=[post], is_restricted=True)
    measures = {
        "measure": make_measure(plan, name="Return home interviews", post=post),
        "their_measure": make_measure(plan, name="Children missing", post=other_post),
        "restricted_measure": make_measure(plan, name="Disruption orders", post=post, is_restricted=True),
    }
    for measure in measures.values():
        enter(measure, "2015-04-01", 30)
    invited, _ = invitations.invite(None, "invited@example.org", "Invited Person", Role.OWNER, [])
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
    for url, alias in (
        (f"/admin/posts/{post.id}/aliases", "CSE Lead"),
        (f"/admin/agencies/{agency.id}/aliases", "WMP"),
    ):
        assert admin.post_form(url, {"alias-name": alias}).status_code == 302
    reports = {}
    for name, version in (("report", "public"), ("restricted_report", "full")):
        frozen = admin.post_form("/reports/frozen/new", {**FREEZE, "plan": str(plan.id), "version": version})
        assert frozen.status_code == 302, frozen.get_data(as_text=True)
        reports[name] = int(frozen.location.rstrip("/").rsplit("/", 1)[1])
    upload_id = _upload_to_preview(admin)
    figures = admin.post_form(
        "/measures/import", {"plan": str(plan.id), "file": (io.BytesIO(FIGURES_FILE["file"][0]), "f.csv")}
    )
    assert figures.status_code == 302, figures.get_data(as_text=True)
    ids = {
        "plan": plan.id,
        "mine": mine.id,
        "theirs": theirs.id,
        "evidence": db.session.scalar(select(Evidence.id)),
        "change": db.session.scalar(select(DeadlineChange.id)),
        "reporting_date": db.session.scalar(select(ReportingDate.id)),
        "plotly": plotly_bundle().digest,
        "strand": plan.strands[0].id,
        "objective": mine.objective_id,
        "agency": agency.id,
        "agency_alias": db.session.scalar(select(AgencyAlias.id)),
        "post": post.id,
        "other_post": other_post.id,
        "post_alias": db.session.scalar(select(PostAlias.id)),
        "person": owner.user.id,
        "invited": invited.id,
        "restricted": restricted.id,
        **reports,
        "upload": upload_id,
        "figures_upload": int(figures.location.rstrip("/").rsplit("/", 1)[1]),
        **{name: measure.id for name, measure in measures.items()},
    }
    # The forms' hidden version fields, as a browser that had the form open would send them back.
    hidden = {action_id: open_form(admin, action_id) for action_id in (mine.id, theirs.id)}
    return clients, ids, hidden


def _upload_to_preview(admin) -> int:
    """A Word file uploaded, its table and columns chosen: the upload waits at its preview."""
    response = admin.post_form(
        "/imports/new",
        {"file": (io.BytesIO(committee_report_docx()), "report.docx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    upload_id = int(response.location.split("/")[-2])
    chosen = admin.post_form(f"/imports/{upload_id}/table", {"table": "0", "header_row": "0"})
    assert chosen.location.endswith(f"/imports/{upload_id}/columns")
    mapping = {
        f"column_{i}": field for i, field in enumerate(["reference", "actions", "responsible", "timescale", "rag"])
    }
    mapped = admin.post_form(f"/imports/{upload_id}/columns", mapping)
    assert mapped.location.endswith(f"/imports/{upload_id}/preview")
    return upload_id


def _filled(data: dict, ids: dict) -> dict:
    """The row's form data with the world's ids put in, and a fresh file object for each file."""

    def fill(value):
        if isinstance(value, str):
            return value.format(**ids)
        if isinstance(value, list):
            return [fill(item) for item in value]
        if isinstance(value, tuple) and isinstance(value[0], bytes):
            return (io.BytesIO(value[0]), value[1])
        return value

    return {name: fill(value) for name, value in data.items()}


# Counted on purpose when a request is refused: a link that does not work counts against the client's
# address (tracker/services/link_throttle.py), so guessing links is throttled.
COUNTED_WHEN_REFUSED = {"sign_in_throttle"}


def snapshot() -> dict:
    """Every row of every table (but the throttle's counters), and every stored evidence file."""
    db.session.expire_all()
    state = {
        table.name: sorted(map(repr, db.session.execute(select(table)).all()))
        for table in db.metadata.sorted_tables
        if table.name not in COUNTED_WHEN_REFUSED
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
            data = _filled(row.data or {}, ids)
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
