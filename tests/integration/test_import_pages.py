"""The import pages: upload, choose the table, map columns, preview and fix, import; nothing saved before."""

import io

import pytest
from flask import url_for
from sqlalchemy import func, select

from tests import factories
from tests.import_files import committee_report_docx
from tracker.extensions import db
from tracker.models import Action, HistoryEntry, ImportUpload, Plan, Role, Status

REPORT_MAPPING = ["reference", "actions", "responsible", "timescale", "rag"]
SUMMER_ROW = 8  # the row of action 2.2 ("Summer 2015") in the joined Word table


def _upload(client, data=None, filename="report.docx"):
    return client.post_form(
        url_for("imports.upload"),
        {"file": (io.BytesIO(committee_report_docx() if data is None else data), filename)},
        content_type="multipart/form-data",
    )


def _to_preview(client) -> int:
    response = _upload(client)
    assert response.status_code == 302, response.get_data(as_text=True)
    upload_id = int(response.location.split("/")[-2])
    response = client.post_form(url_for("imports.choose_table", upload_id=upload_id), {"table": "0", "header_row": "0"})
    assert response.location.endswith(f"/imports/{upload_id}/columns")
    mapping = {f"column_{i}": field for i, field in enumerate(REPORT_MAPPING)}
    response = client.post_form(url_for("imports.map_columns", upload_id=upload_id), mapping)
    assert response.location.endswith(f"/imports/{upload_id}/preview")
    return upload_id


def test_the_whole_journey_from_a_word_file(admin_client):
    upload_id = _to_preview(admin_client)
    page = admin_client.get_page("imports.preview", upload_id=upload_id)
    assert "5 actions will be imported. 1 row has problems." in page.select_one("main p.govuk-body").text
    assert page.select_one(f"#timescale_{SUMMER_ROW}")["value"] == "Summer 2015"
    assert db.session.scalar(select(func.count(Plan.id))) == 0  # nothing saved yet

    response = admin_client.post_form(
        url_for("imports.preview", upload_id=upload_id),
        {f"timescale_{SUMMER_ROW}": "September 2015", "check": "Check again"},
    )
    assert response.status_code == 302
    page = admin_client.get_page("imports.preview", upload_id=upload_id)
    assert "0 rows have problems" in page.select_one("main p.govuk-body").text

    response = admin_client.post_form(
        url_for("imports.preview", upload_id=upload_id),
        {
            f"timescale_{SUMMER_ROW}": "September 2015",
            "target": "new",
            "plan_name": "Serious case review",
            "submit": "Import",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    plan = db.session.scalars(select(Plan)).one()
    assert response.location.endswith(f"/plans/{plan.id}")
    assert [s.name for s in plan.strands] == ["Prevent", "Protect"]
    actions = {a.reference: a for a in db.session.scalars(select(Action))}
    assert [p.name for p in actions["1.1"].responsible_posts] == ["CSE Co-ordinator", "Head of PSHE"]
    assert actions["1.1"].text.endswith("and record attendance by school")
    assert [(m.label, str(m.due_date)) for m in actions["1.2"].milestones] == [
        ("initial feedback", "2015-04-30"), ("", "2015-12-31"),
    ]  # fmt: skip
    assert (actions["2.1"].status, actions["2.1"].due_date) == (Status.ONGOING, None)
    assert (actions["2.2"].timescale_text, str(actions["2.2"].due_date)) == ("September 2015", "2015-09-30")
    assert actions["2.2"].owners == []
    assert db.session.scalar(select(func.count(ImportUpload.id))) == 0  # removed once imported

    plan_page = admin_client.get_page("plans.show", plan_id=plan.id)
    assert "5 actions added" in plan_page.select_one(".govuk-notification-banner").text
    action_page = admin_client.get_page("actions.show", action_id=actions["1.2"].id)
    assert "30 April 2015: initial feedback" in action_page.select_one(".app-milestones").text


def test_problems_must_be_fixed_or_imported_flagged(admin_client):
    upload_id = _to_preview(admin_client)
    data = {"target": "new", "plan_name": "Serious case review", "submit": "Import"}
    response = admin_client.post_form(url_for("imports.preview", upload_id=upload_id), data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Error: " in page
    assert "1 row has problems. Fix them below, or choose to import them flagged for review" in page
    assert db.session.scalar(select(func.count(Plan.id))) == 0

    response = admin_client.post_form(url_for("imports.preview", upload_id=upload_id), {**data, "import_flagged": "y"})
    assert response.status_code == 302
    flagged = db.session.scalars(select(Action).where(Action.reference == "2.2")).one()
    assert flagged.timescale_needs_review and flagged.due_date is None
    note = db.session.scalars(select(HistoryEntry.reason).where(HistoryEntry.action_id == flagged.id)).one()
    assert "Flagged for review: The timescale 'Summer 2015' cannot be read as a date" in note


def test_a_plan_name_in_use_is_refused_and_an_existing_plan_can_be_chosen(admin_client):
    existing = factories.make_plan("Serious case review")
    db.session.commit()
    upload_id = _to_preview(admin_client)
    base = {f"timescale_{SUMMER_ROW}": "Sept 2015", "submit": "Import"}
    response = admin_client.post_form(
        url_for("imports.preview", upload_id=upload_id), {**base, "target": "new", "plan_name": "serious case review"}
    )
    assert "already exists" in response.get_data(as_text=True)
    response = admin_client.post_form(
        url_for("imports.preview", upload_id=upload_id),
        {**base, "target": "existing", "existing_plan": str(existing.id)},
    )
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(Action.id))) == 5


def test_a_mapping_without_an_action_column_is_refused(admin_client):
    response = _upload(admin_client)
    upload_id = int(response.location.split("/")[-2])
    response = admin_client.post_form(
        url_for("imports.map_columns", upload_id=upload_id), {f"column_{i}": "" for i in range(5)}
    )
    assert response.status_code == 200
    assert "Choose the column that holds the actions." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("plan.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "password-protected"),
        ("plan.csv", b"", "is empty"),
        ("plan.docx", b"Strand,Actions\n", "is not a Word file"),
    ],
    ids=["protected", "empty", "wrong-content"],
)
def test_bad_files_are_refused_on_the_upload_page(admin_client, filename, data, message):
    response = _upload(admin_client, data, filename)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in page
    assert "govuk-error-summary" in page
    assert db.session.scalar(select(func.count(ImportUpload.id))) == 0


def test_a_50_mb_file_gets_a_clear_message(admin_client):
    response = _upload(admin_client, b"a" * (50 * 1024 * 1024), "huge.csv")
    assert response.status_code == 413
    assert "The file is too large to import" in response.get_data(as_text=True)


def test_only_administrators_import_and_only_their_own_uploads(admin_client, client_as):
    upload_id = _to_preview(admin_client)
    owner = client_as(Role.OWNER)
    assert owner.get(url_for("imports.upload")).status_code == 403
    other_admin = client_as(Role.ADMIN)
    assert other_admin.get(url_for("imports.preview", upload_id=upload_id)).status_code == 404


def test_plans_page_links_to_import_for_administrators(admin_client, board_client):
    assert admin_client.get_page("plans.list_plans").find("a", href="/imports/new")
    assert not board_client.get_page("plans.list_plans").find("a", href="/imports/new")


def test_plan_page_offers_the_export_in_both_formats(board_client, coventry):
    page = board_client.get_page("plans.show", plan_id=coventry.id)
    assert page.find("a", href=f"/plans/{coventry.id}/export.csv")
    assert page.find("a", href=f"/plans/{coventry.id}/export.xlsx")
    response = board_client.get(f"/plans/{coventry.id}/export.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="Coventry CSE Strategy Action Plan 2015_17.xlsx"' in response.headers["Content-Disposition"]
    assert board_client.get(f"/plans/{coventry.id}/export.pdf").status_code == 404


def test_an_excel_workbook_with_two_sheets_and_a_title_row(admin_client):
    from tests.import_files import xlsx_bytes

    data = xlsx_bytes({
        "Notes": [["This workbook holds the audit plan on the next sheet"]],
        "Audit plan": [["Audit of CSE arrangements"], ["Ref", "Action", "Owner", "Deadline"], ["A1", "Agree the strategy", "LSCB Manager", "June 2015"]],
    })  # fmt: skip
    response = _upload(admin_client, data, "audit.xlsx")
    upload_id = int(response.location.split("/")[-2])
    page = admin_client.get_page("imports.choose_table", upload_id=upload_id)
    labels = [label.text.strip() for label in page.select("main .govuk-radios__label")]
    assert labels == ["Notes: 1 row, 1 column", "Audit plan: 3 rows, 4 columns"]
    response = admin_client.post_form(
        url_for("imports.choose_table", upload_id=upload_id), {"table": "1", "header_row": "0"}
    )
    page = admin_client.get_page("imports.map_columns", upload_id=upload_id)
    # The other sheet's header row is found for it: the title row above is skipped.
    assert [s.select_one("option[selected]")["value"] for s in page.select("main select")] == [
        "reference", "actions", "responsible", "timescale",
    ]  # fmt: skip
