"""Export a plan (CSV and Excel) and import it into a new plan: nothing is lost. Re-import changes nothing."""

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests import factories
from tracker.extensions import db
from tracker.importers.mapping import detect_header_row, suggest_mapping
from tracker.importers.preview import build_preview, rows_to_import
from tracker.importers.tables import read_tables
from tracker.models import Action, HistoryEntry, Plan
from tracker.services.import_plan import import_plan

PLAN_NAME = "Coventry CSE Strategy Action Plan 2015–17"


def _snapshot(plan_id):
    actions = db.session.scalars(select(Action).order_by(Action.id))
    return [
        (
            a.objective.strand.name, a.objective.strand.position, a.objective.number, a.objective.statement,
            a.objective.position, a.reference, a.text, a.delivery_rag, a.outcome_rag, a.status, a.due_date,
            a.start_date, a.timescale_text, a.timescale_needs_review,
            [p.name for p in a.accountable_posts], [p.name for p in a.responsible_posts],
            sorted(p.name for p in a.partners), a.expected_evidence, a.expected_outcomes,
            [(m.label, m.due_date) for m in a.milestones],
        )
        for a in actions
        if a.objective.strand.plan_id == plan_id
    ]  # fmt: skip


def _import_file(filename, data, plan_name, into=None):
    table = read_tables(filename, data)[0]
    header = detect_header_row(table)
    preview = build_preview(table, header, suggest_mapping(table.rows[header]))
    return import_plan(plan_name, rows_to_import(preview), into=into, source=repr(filename))


def _make_awkward_action(coventry):
    """Text a spreadsheet would run as a formula, a staged timescale and a moved due date."""
    action = db.session.scalars(select(Action).where(Action.reference == "1.1")).one()
    action.text = '=HYPERLINK("http://example.org") - and +1 more'
    action.expected_evidence = "-  minutes of the meeting\n@mention the panel"
    action.timescale_text = "April 2015 (initial feedback) December 2015"
    action.start_date = date(2015, 4, 1)
    db.session.commit()


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_then_import_reproduces_the_plan_field_by_field(app, coventry, admin_client, file_format, pinned_today):
    pinned_today("2015-07-01")
    _make_awkward_action(coventry)
    # The milestones come from the timescale on the way in: import the awkward plan once to get them.
    response = admin_client.get(f"/plans/{coventry.id}/export.{file_format}")
    assert response.status_code == 200
    data = response.get_data()
    if file_format == "csv":
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        first = next(r for r in rows if r[11] == "1.1")
        assert first[2].startswith("'1.1 =HYPERLINK") is False and first[2].startswith("1.1 =HYPERLINK")
        assert first[4].startswith("'-  minutes")  # neutralised for spreadsheets
    else:
        sheet = load_workbook(io.BytesIO(data)).active
        values = [[c.value for c in row] for row in sheet.iter_rows()]
        assert all(not (isinstance(v, str) and v.startswith("=")) for row in values for v in row)
    copy = _import_file(f"plan.{file_format}", data, "Copy")
    db.session.commit()
    first_copy = _import_file(f"plan.{file_format}", data, "Second copy")
    db.session.commit()
    original = db.session.scalars(select(Plan).where(Plan.name == PLAN_NAME)).one()
    copied = _snapshot(copy.plan.id)
    assert len(copied) == 53
    assert copied == _snapshot(first_copy.plan.id)
    # Against the original: the same in every field (the milestones are read from the timescale on import).
    without_milestones = [row[:-1] for row in _snapshot(original.id)]
    assert [row[:-1] for row in copied] == without_milestones
    awkward = next(row for row in copied if row[5] == "1.1")
    assert awkward[6] == '=HYPERLINK("http://example.org") - and +1 more'
    assert awkward[-1] and awkward[-1][0][0] == "initial feedback"


def test_importing_the_same_file_into_the_same_plan_changes_nothing(app, coventry, admin_client, pinned_today):
    pinned_today("2015-07-01")
    data = admin_client.get(f"/plans/{coventry.id}/export.xlsx").get_data()
    before = _snapshot(coventry.id)
    history_before = db.session.query(HistoryEntry).count()
    result = _import_file("plan.xlsx", data, PLAN_NAME, into=coventry)
    db.session.commit()
    assert (result.actions, result.updated, result.unchanged) == (0, 0, 53)
    assert _snapshot(coventry.id) == before
    assert db.session.query(HistoryEntry).count() == history_before


def test_reimport_matches_by_reference_or_text_and_records_each_change(app):
    first = b"Ref,Actions,Responsible,RAG\n1.1,Train staff,CSE Co-ordinator,Green\n,Audit files,Police,\n"
    result = _import_file("plan.csv", first, "Audit plan")
    db.session.commit()
    plan = result.plan
    second = b"Ref,Actions,Responsible,RAG\n1.1,Train all staff,CSE Co-ordinator / Police,Amber\n,Audit files,Police,\n,New row,,\n"
    result = _import_file("plan.csv", second, "Audit plan", into=plan)
    db.session.commit()
    assert (result.actions, result.updated, result.unchanged) == (1, 1, 1)
    changed = db.session.scalars(select(Action).where(Action.reference == "1.1")).one()
    assert changed.text == "Train all staff"
    assert [p.name for p in changed.responsible_posts] == ["CSE Co-ordinator", "Police"]
    fields = set(db.session.scalars(select(HistoryEntry.field).where(HistoryEntry.action_id == changed.id)))
    assert {"created", "text", "delivery_rag", "owners"} <= fields


def test_names_match_existing_posts_through_aliases_and_spelling(app):
    post = factories.make_post("CSE Co-ordinator")
    from tracker.models import PostAlias

    db.session.add(PostAlias(post=post, name="CSE Lead", key="cselead"))
    db.session.commit()
    result = _import_file("plan.csv", b"Actions,Responsible\nTrain,cse coordinator / CSE lead. / Head of PSHE\n", "P")
    db.session.commit()
    action = result.plan.strands[0].objectives[0].actions[0]
    assert [p.name for p in action.responsible_posts] == ["CSE Co-ordinator", "Head of PSHE"]


def test_cli_import_with_dry_run_sheet_and_table(app, tmp_path):
    from tests.import_files import audit_plan_xlsx, committee_report_docx

    path = tmp_path / "audit.xlsx"
    path.write_bytes(audit_plan_xlsx())
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["tracker", "import", str(path), "--plan", "Audit", "--dry-run", "--sheet", "Action plan"]
    )
    assert result.exit_code == 0, result.output
    assert "Dry run: 3 actions would be imported" in result.output
    assert db.session.scalars(select(Plan)).all() == []
    report = tmp_path / "report.docx"
    report.write_bytes(committee_report_docx())
    result = runner.invoke(args=["tracker", "import", str(report), "--plan", "SCR", "--table", "1"])
    assert result.exit_code != 0
    assert "Row 8: The timescale 'Summer 2015' cannot be read as a date" in result.output
    assert "Nothing was imported: 1 row has problems" in result.output
    result = runner.invoke(args=["tracker", "import", str(report), "--plan", "SCR", "--import-flagged"])
    assert result.exit_code == 0, result.output
    assert "5 actions added" in result.output
    result = runner.invoke(args=["tracker", "import", "--file", str(report), "--plan", "SCR", "--import-flagged"])
    assert "0 actions added, 0 changed, 5 unchanged" in result.output


@pytest.mark.parametrize(
    ("name", "data", "extra", "message"),
    [
        ("bad.xlsx", b"PK\x03\x04garbage", [], "cannot be opened as an Excel workbook"),
        ("empty.csv", b"", [], "is empty"),
        ("audit.xlsx", None, ["--sheet", "Nope"], "There is no sheet called 'Nope'"),
    ],
    ids=["corrupt", "empty", "unknown-sheet"],
)
def test_cli_import_exits_non_zero_on_a_file_it_cannot_read(app, tmp_path, name, data, extra, message):
    from tests.import_files import audit_plan_xlsx

    path = tmp_path / name
    path.write_bytes(audit_plan_xlsx() if data is None else data)
    result = app.test_cli_runner().invoke(args=["tracker", "import", str(path), "--plan", "X", *extra])
    assert result.exit_code != 0
    assert message in result.output
    assert db.session.scalars(select(Plan)).all() == []


def test_cli_export_xlsx(app, coventry, tmp_path):
    output = tmp_path / "plan.xlsx"
    result = app.test_cli_runner().invoke(
        args=["tracker", "export", "--plan", PLAN_NAME, "--format", "xlsx", "--import-layout", "--output", str(output)]
    )
    assert result.exit_code == 0, result.output
    sheet = load_workbook(output).active
    assert sheet.max_row == 54
