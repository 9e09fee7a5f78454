"""Progress reports: each format read back and checked, the public version's omissions, formula and
script text, frozen reports that never change, past reports that match the dashboard, and access."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from tests import factories
from tracker.extensions import db
from tracker.models import Action, FrozenReport, Rag, ReportingDate, Role, Status, User
from tracker.models.reports import FrozenReportIsFinal
from tracker.queries.actions import ActionFilters
from tracker.queries.dashboard import build_dashboard, filter_choices
from tracker.reports.dataset import ReportChoice, build_report
from tracker.reports.files import render
from tracker.services.deadlines import set_due_date
from tracker.services.progress import LinkEvidence, ProgressSubmission, record_progress_update

TODAY = "2015-08-01"
FORMULA = '=HYPERLINK("http://evil.example","click")'
SCRIPT = "<script>alert('x')</script> & <b>bold</b>"
SECRET = "Covert surveillance of the Foleshill address"
OWNER_NAME = "Priya Ravensworth"
ADMIN_NAME = "Godfrey Oyelaran"


def _pdf_pages(content: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages]


def _csv_rows(content: bytes) -> list[dict[str, str]]:
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def _workbook_text(content: bytes) -> str:
    book = load_workbook(io.BytesIO(content))
    return "\n".join(
        str(cell.value) for sheet in book.worksheets for row in sheet.iter_rows() for cell in row if cell.value
    )


@pytest.fixture
def story(app, pinned_today):
    """A plan with a restricted action, named people, a progress update with formula and script text,
    evidence and an agreed deadline change; a meeting on 1 July 2015 to compare with."""
    pinned_today("2015-06-01")
    agency = factories.make_agency("West Midlands Police")
    post = factories.make_post("CSE Lead Officer", agency=agency)
    owner = factories.make_user(Role.OWNER, posts=[post], name=OWNER_NAME)
    admin = factories.make_user(Role.ADMIN, name=ADMIN_NAME)
    plan = factories.make_plan("Coventry CSE Plan 2015–17", strands=("Prevent", "Protect"))
    plan.created_at = datetime(2015, 1, 1)
    created = datetime(2015, 1, 1, 9)
    worse = factories.make_action(
        plan, reference="1.1", text="Map hotspots", due_date=date(2015, 12, 31), responsible=[post], created_at=created
    )
    slipped = factories.make_action(
        plan, reference="1.2", text="Train taxi drivers", due_date=date(2015, 7, 15), accountable=[post],
        created_at=created,
    )  # fmt: skip
    restricted = factories.make_action(
        plan, reference="2.1", text=SECRET, is_restricted=True, strand_index=1, accountable=[post], created_at=created
    )
    unowned = factories.make_action(
        plan, reference="2.2", text="Write the return-interview guide", strand_index=1, created_at=created
    )
    db.session.add(ReportingDate(plan_id=plan.id, meeting_name="LSCB board", meeting_date=date(2015, 7, 1),
                                 updates_due_date=date(2015, 6, 20)))  # fmt: skip
    record_progress_update(
        worse,
        ProgressSubmission(Rag.GREEN, Rag.NOT_RATED, Status.IN_PROGRESS, commentary="Started well",
                           link=LinkEvidence("https://example.org/profile", "Problem profile")),
        owner, worse.version,
    )  # fmt: skip
    record_progress_update(
        restricted,
        ProgressSubmission(Rag.AMBER, Rag.NOT_RATED, Status.IN_PROGRESS, commentary="Restricted detail"),
        owner,
        restricted.version,
    )
    db.session.commit()

    pinned_today("2015-07-20")
    record_progress_update(
        worse,
        ProgressSubmission(Rag.RED, Rag.AMBER, Status.IN_PROGRESS, commentary=f"{FORMULA}\n{SCRIPT}"),
        owner,
        worse.version,
    )
    set_due_date(slipped, date(2015, 9, 30), admin, "Waiting for the licensing team")
    db.session.commit()
    pinned_today(TODAY)
    return {
        "plan": plan, "owner": owner, "admin": admin, "worse": worse, "slipped": slipped,
        "restricted": restricted, "unowned": unowned,
    }  # fmt: skip


def _report(story, viewer: User | None = None, **choice) -> object:
    viewer = viewer or story["admin"]
    return build_report(
        ReportChoice(plan_id=story["plan"].id, **choice), viewer, date.fromisoformat(TODAY), datetime(2015, 8, 1, 10)
    )


# --- content of each format -----------------------------------------------------------------------


def test_the_pdf_has_every_section_and_marks_every_page(app, story):
    data = _report(story)
    pages = _pdf_pages(render(data, "pdf"))
    text = " ".join(pages)
    for heading in (
        "What the ratings mean",
        "Red off track and needs intervention",
        "Summary",
        "Actions by strand and effective delivery RAG",
        "Actions by outcome RAG",
        "What changed since the last meeting: LSCB board, 1 July 2015",
        "Delivery RAG movements",
        "Deadline changes",
        "Exceptions",
        "The whole plan",
    ):
        assert heading in text, heading
    assert "Of 4 actions, 2 are on track or complete; 1 is Amber; 1 is Red." in text
    assert "Waiting for the licensing team" in text  # the deadline change's reason
    assert ADMIN_NAME in text  # who agreed it, in the full version
    assert "Problemprofile(self-reported)" in text.replace(" ", "")  # a narrow column may break the line
    assert "15 July 2015" in text and "30 September 2015" in text  # baseline and current due dates
    assert "moved 1 time" in text
    assert "Coventry CSE Plan 2015–17" in pages[0] and "1 August 2015" in pages[0]
    for number, page in enumerate(pages, start=1):
        assert "Not for publication" in page
        assert f"Page {number} of {len(pages)}" in page
    # Script or HTML is printed as the text it is.
    assert "<script>alert('x')</script> & <b>bold</b>" in text


def test_the_pdf_is_tagged_with_title_and_language_and_embeds_its_fonts(app, story):
    content = render(_report(story), "pdf")
    reader = PdfReader(io.BytesIO(content))
    assert reader.metadata.title.startswith("Coventry CSE Plan 2015–17: progress report as at 1 August 2015")
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "en-GB"
    assert "/StructTreeRoot" in catalog and catalog["/MarkInfo"]["/Marked"]
    fonts = [font.get_object() for page in reader.pages for font in page["/Resources"]["/Font"].values()]
    assert fonts and all("/FontFile2" in f["/DescendantFonts"][0].get_object()["/FontDescriptor"] for f in fonts)


def test_the_workbook_has_its_sheets_real_dates_and_rag_in_words(app, story):
    book = load_workbook(io.BytesIO(render(_report(story), "xlsx")))
    assert book.sheetnames == ["Summary", "Actions", "Changes", "Exceptions", "Measures"]
    actions = book["Actions"]
    headers = [c.value for c in actions[1]]
    assert actions.freeze_panes == "A2" and actions.auto_filter.ref.startswith("A1:")
    rows = [dict(zip(headers, (c.value for c in row), strict=True)) for row in actions.iter_rows(min_row=2)]
    assert [r["Reference"] for r in rows] == ["1.1", "1.2", "2.1", "2.2"]
    slipped = rows[1]
    assert slipped["Due date"] == datetime(2015, 9, 30) and slipped["Baseline due date"] == datetime(2015, 7, 15)
    assert slipped["Due date moves"] == 1
    red_cell = actions.cell(row=2, column=headers.index("Effective delivery RAG") + 1)
    assert red_cell.value == "Red" and red_cell.fill.fgColor.rgb.endswith("D4351C")
    changes = book["Changes"]
    kinds = [row[0].value for row in changes.iter_rows(min_row=2)]
    assert "Delivery RAG moved" in kinds and "Due date moved" in kinds
    exceptions = {row[0].value: row[2].value for row in book["Exceptions"].iter_rows(min_row=2)}
    assert exceptions["1.1"] == "Red" and "No owner" in exceptions["2.2"] and "No due date" in exceptions["2.2"]
    assert "Of 4 actions" in _workbook_text(render(_report(story), "xlsx"))


def test_formula_text_is_neutralised_and_script_is_literal_in_workbook_and_csv(app, story):
    data = _report(story)
    book = load_workbook(io.BytesIO(render(data, "xlsx")))
    actions = book["Actions"]
    headers = [c.value for c in actions[1]]
    update = actions.cell(row=2, column=headers.index("Latest update") + 1)
    assert update.data_type == "s" and update.value.startswith(FORMULA)  # a string, never a formula
    assert update.quotePrefix
    assert SCRIPT in update.value
    assert not any(cell.data_type == "f" for sheet in book.worksheets for row in sheet.iter_rows() for cell in row)

    rows = _csv_rows(render(data, "csv"))
    assert rows[0]["Latest update"] == "'" + FORMULA + "\n" + SCRIPT


def test_the_csv_keeps_the_export_columns_first_and_imports_back(app, story):
    from tracker.importers.csv_plan import read_plan_csv
    from tracker.importers.rows import DERIVED_COLUMNS, PLAN_COLUMNS

    content = render(_report(story), "csv")
    rows = _csv_rows(content)
    assert list(rows[0])[: len(PLAN_COLUMNS) + len(DERIVED_COLUMNS)] == [*PLAN_COLUMNS, *DERIVED_COLUMNS]
    assert rows[1]["Due date"] == "2015-09-30" and rows[1]["Baseline due date"] == "2015-07-15"
    assert rows[0]["Effective delivery RAG"] == "Red" and rows[0]["Latest update by"] == OWNER_NAME
    assert [r.actions for r in read_plan_csv(content.decode("utf-8-sig"))][0] == "1.1 Map hotspots"


# --- the public version ---------------------------------------------------------------------------


def test_the_public_version_leaves_out_restricted_actions_and_every_name(app, story):
    data = _report(story, public=True)
    names = list(db.session.scalars(select(User.name)))
    assert OWNER_NAME in names and ADMIN_NAME in names
    pdf_pages = _pdf_pages(render(data, "pdf"))
    texts = {
        "pdf": " ".join(pdf_pages),
        "xlsx": _workbook_text(render(data, "xlsx")),
        "csv": render(data, "csv").decode("utf-8-sig"),
    }
    for file_format, text in texts.items():
        flat = " ".join(text.split())
        for forbidden in (SECRET, "Restricted detail", *names):
            assert forbidden not in flat, (file_format, forbidden)
        assert "Map hotspots" in flat
    assert all("Public version" in page for page in pdf_pages)
    assert "the co-ordinator" in texts["pdf"]  # who agreed the deadline, without a name
    assert "Public version" in texts["xlsx"]


def test_a_scrutiny_councillors_full_report_has_no_restricted_action(app, story):
    councillor = factories.make_user(Role.SCRUTINY)
    data = _report(story, viewer=councillor)
    assert [a.row.reference for a in data.actions] == ["1.1", "1.2", "2.2"]
    assert SECRET not in render(data, "csv").decode("utf-8-sig")


# --- what changed and past reports -----------------------------------------------------------------


def test_what_changed_since_the_comparison_point(app, story):
    changes = _report(story, since=date(2015, 7, 1), since_label="1 July 2015").changes
    assert [(m.action.row.reference, m.before, m.after) for m in changes.rag_moves] == [("1.1", Rag.GREEN, Rag.RED)]
    assert [m.action.row.reference for m in changes.deadline_moves] == ["1.2"]
    move = changes.deadline_moves[0]
    assert (move.old_due_date, move.new_due_date, move.agreed_by) == (date(2015, 7, 15), date(2015, 9, 30), ADMIN_NAME)
    assert [a.row.reference for a in changes.no_update] == ["1.2", "2.1", "2.2"]
    assert changes.newly_overdue == [] and changes.added == []


def test_a_past_report_matches_the_dashboards_past_view(app, story):
    board = factories.make_user(Role.BOARD)
    db.session.commit()
    for as_at in (date(2015, 6, 30), date(2015, 7, 20)):
        data = _report(story, viewer=board, as_at=as_at)
        dashboard = build_dashboard(
            ActionFilters(plan_id=story["plan"].id, as_at=as_at), board, date.fromisoformat(TODAY), filter_choices()
        )
        assert data.is_past and data.day == as_at
        assert data.by_rag == dashboard.headline.by_rag
    before = _report(story, viewer=board, as_at=date(2015, 6, 30))
    assert next(a for a in before.actions if a.row.reference == "1.2").row.due_date == date(2015, 7, 15)
    assert next(a for a in before.actions if a.row.reference == "1.1").latest_update == "Started well"


def test_the_report_reads_the_same_number_of_statements_whatever_the_plans_size(app, story):
    from tests.integration.test_query_counts import counted_statements

    def count() -> int:
        with counted_statements() as statements:
            _report(story, as_at=date(2015, 7, 31))
        return len(statements)

    small = count()
    for n in range(30):
        factories.make_action(story["plan"], reference=f"9.{n}", created_at=datetime(2015, 1, 1))
    db.session.commit()
    assert count() == small


# --- frozen reports ---------------------------------------------------------------------------------


def _freeze(client, story, version="full") -> int:
    response = client.post_form(
        "/reports/frozen/new",
        {
            "plan": str(story["plan"].id),
            "meeting_name": "Scrutiny committee",
            "meeting_date": ["12", "1", "2016"],
            "as_at": ["", "", ""],
            "version": version,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.location.rstrip("/").rsplit("/", 1)[1])


def test_a_frozen_report_never_changes_after_later_edits(app, story, client_as):
    admin_client = client_as(Role.ADMIN)
    report_id = _freeze(admin_client, story, version="public")
    files = {fmt: admin_client.get(f"/reports/frozen/{report_id}/{fmt}") for fmt in ("pdf", "xlsx", "csv")}
    page = admin_client.get(f"/reports/frozen/{report_id}").get_data(as_text=True)
    for fmt, response in files.items():
        assert response.status_code == 200
        digest = hashlib.sha256(response.data).hexdigest()
        assert digest in page
        assert f"coventry-cse-plan-2015-17-as-at-{TODAY}-public.{fmt}" in response.headers["Content-Disposition"]

    worse = db.session.get(Action, story["worse"].id)
    record_progress_update(
        worse, ProgressSubmission(Rag.GREEN, Rag.GREEN, Status.COMPLETE, commentary="All done"), story["owner"],
        worse.version,
    )  # fmt: skip
    db.session.commit()
    for fmt, response in files.items():
        assert admin_client.get(f"/reports/frozen/{report_id}/{fmt}").data == response.data

    frozen = db.session.get(FrozenReport, report_id)
    frozen.meeting_name = "Something else"
    with pytest.raises(FrozenReportIsFinal):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(FrozenReport, report_id))
    with pytest.raises(FrozenReportIsFinal):
        db.session.flush()
    db.session.rollback()

    # The next report compares with the frozen one by default.
    pinned_day = date(2015, 9, 1)
    data = build_report(ReportChoice(plan_id=story["plan"].id), story["admin"], pinned_day, datetime(2015, 9, 1))
    assert data.changes.since == date.fromisoformat(TODAY)
    assert "Scrutiny committee" in data.changes.label


def test_councillors_see_public_frozen_reports_but_not_full_ones_holding_restricted_actions(app, story, client_as):
    admin_client = client_as(Role.ADMIN)
    public_id = _freeze(admin_client, story, version="public")
    full_id = _freeze(admin_client, story, version="full")
    councillor = client_as(Role.SCRUTINY)
    listing = councillor.get("/reports/frozen").get_data(as_text=True)
    assert f"/reports/frozen/{public_id}" in listing and f"/reports/frozen/{full_id}" not in listing
    assert councillor.get(f"/reports/frozen/{full_id}").status_code == 404
    assert councillor.get(f"/reports/frozen/{full_id}/pdf").status_code == 404
    assert councillor.get(f"/reports/frozen/{public_id}/csv").status_code == 200
    board = client_as(Role.BOARD)
    assert board.get(f"/reports/frozen/{full_id}/pdf").status_code == 200


# --- the page and access ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ADMIN, Role.BOARD, Role.SCRUTINY])
def test_readers_have_the_reports_page_in_the_navigation(app, story, client_as, role):
    client = client_as(role)
    page = client.get("/plans").get_data(as_text=True)
    assert 'href="/reports"' in page
    assert client.get("/reports").status_code == 200


def test_owners_have_no_reports(app, story, owner_client):
    assert 'href="/reports"' not in owner_client.get("/plans").get_data(as_text=True)
    assert owner_client.get("/reports").status_code == 403
    assert owner_client.get("/reports/frozen").status_code == 403


def test_only_administrators_freeze(app, story, client_as):
    for role in (Role.BOARD, Role.SCRUTINY):
        client = client_as(role)
        assert client.get("/reports/frozen/new").status_code == 403
        response = client.post_form("/reports/frozen/new", {"plan": str(story["plan"].id)})
        assert response.status_code == 403
    assert db.session.scalar(select(FrozenReport.id)) is None


def test_a_councillor_cannot_reach_any_edit_page_or_change_anything(app, story, scrutiny_client):
    action_id, plan_id = story["worse"].id, story["plan"].id
    for url in (
        f"/actions/{action_id}/edit",
        f"/actions/{action_id}/update",
        f"/actions/{action_id}/due-date",
        "/deadline-requests",
        f"/plans/{plan_id}/reporting-dates",
        f"/plans/{plan_id}/deadline-settings",
        "/evidence/1/verify",
        "/reports/frozen/new",
    ):
        assert scrutiny_client.get(url).status_code in (403, 404, 405), url
        assert scrutiny_client.post_form(url, {}).status_code in (403, 404, 405), url
    db.session.expire_all()
    assert db.session.get(Action, action_id).delivery_rag is Rag.RED


def test_the_csv_downloads_from_the_page_streamed_with_a_name_that_says_what_it_is(app, story, board_client):
    response = board_client.get(f"/reports?plan={story['plan'].id}&version=public&as_at=2015-07-31&format=csv")
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "text/csv"
    assert "coventry-cse-plan-2015-17-as-at-2015-07-31-public.csv" in response.headers["Content-Disposition"]
    rows = _csv_rows(response.data)
    assert {r["Reference"] for r in rows} == {"1.1", "1.2", "2.2"}


def test_the_page_says_what_to_fix_when_a_date_cannot_be_read(app, story, board_client):
    response = board_client.get("/reports?as_at=31st+of+June&format=pdf")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "<title>Error: Reports" in page
    assert "Enter the as at date as year-month-day, for example 2015-09-30" in page


def test_the_workbook_downloads_from_the_page_for_strands_and_agencies(app, story, board_client):
    protect = story["plan"].strands[1].id
    response = board_client.get(f"/reports?plan={story['plan'].id}&strands={protect}&format=xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert [row[3].value for row in book["Actions"].iter_rows(min_row=2)] == ["2.1", "2.2"]
    agency_id = story["owner"].posts[0].agency_id
    response = board_client.get(f"/reports?plan={story['plan'].id}&agencies={agency_id}&format=xlsx")
    book = load_workbook(io.BytesIO(response.data))
    assert [row[3].value for row in book["Actions"].iter_rows(min_row=2)] == ["1.1", "1.2", "2.1"]


def test_the_command_line_writes_each_format(app, story, tmp_path):
    for fmt in ("pdf", "xlsx", "csv"):
        output = tmp_path / f"report.{fmt}"
        result = app.test_cli_runner().invoke(
            args=["tracker", "export", "--plan", "Coventry CSE Plan 2015–17", "--format", fmt,
                  "--output", str(output), "--public", "--as-at", "2015-07-31"]
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        assert output.stat().st_size > 0
    assert re.search(r"Public version", " ".join(_pdf_pages((tmp_path / "report.pdf").read_bytes())))
    assert SECRET not in (tmp_path / "report.csv").read_text(encoding="utf-8-sig")


def test_a_large_pdf_is_printed_in_a_child_process_with_the_same_content(app, story, monkeypatch):
    from tracker.reports import pdf

    data = _report(story)
    monkeypatch.setattr(pdf, "IN_PROCESS_ACTIONS", 0)
    pools, original = [], pdf._pool
    monkeypatch.setattr(pdf, "_pool", lambda: pools.append(original()) or pools[-1])
    pages = _pdf_pages(pdf.report_pdf_bytes(data))
    assert pools, "not printed in a child process"
    assert "Map hotspots" in " ".join(pages) and all("Not for publication" in page for page in pages)
