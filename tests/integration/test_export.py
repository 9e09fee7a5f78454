"""The plan goes back out as CSV in its own columns, and comes back in the same."""

import csv
import io

from sqlalchemy import select

from tracker.extensions import db
from tracker.importers.csv_plan import read_plan_csv
from tracker.importers.rows import PLAN_COLUMNS
from tracker.models import Action, Plan
from tracker.services.import_plan import import_plan

PLAN_NAME = "Coventry CSE Strategy Action Plan 2015–17"


def _export(app, tmp_path, monkeypatch, today="2015-07-01"):
    monkeypatch.setenv("TRACKER_TODAY", today)
    output = tmp_path / "plan.csv"
    result = app.test_cli_runner().invoke(
        args=["tracker", "export", "--plan", PLAN_NAME, "--format", "csv", "--output", str(output)]
    )
    assert result.exit_code == 0, result.output
    return output


def test_export_writes_one_row_per_action_with_a_bom(app, coventry, tmp_path, monkeypatch):
    output = _export(app, tmp_path, monkeypatch)
    raw = output.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 53
    # The export's columns come first, in their order; the progress report's own follow them.
    columns = list(rows[0].keys())
    assert columns[:15] == [*PLAN_COLUMNS, "Reference", "Due date", "Status", "Effective delivery RAG"]
    assert columns[15:] == [
        "Plan", "Baseline due date", "Due date moves", "Why the delivery RAG", "Latest update",
        "Latest update date", "Latest update by", "Evidence recorded", "Exceptions",
    ]  # fmt: skip
    first = rows[0]
    assert first["Strand"] == "Prevent"
    assert first["Sub objective"].startswith("1. Collect analysis")
    assert first["Actions"].startswith("1.1 Maintain and populate problem profile")
    assert first["RAG"] == "Amber"
    assert first["Timescale"] == "May 2015"
    assert first["Due date"] == "2015-05-31"
    assert first["Status"] == "In progress"
    assert first["Effective delivery RAG"] == "Amber"
    assert first["Responsible"] == "CSE Co-ordinator\nCSE Service Manager"
    green_overdue = next(r for r in rows if r["Reference"] == "12.5")
    assert (green_overdue["RAG"], green_overdue["Effective delivery RAG"]) == ("Green", "Amber")
    unrated = next(r for r in rows if r["Reference"] == "4.3")
    assert (unrated["RAG"], unrated["Effective delivery RAG"]) == ("", "Not rated")


def test_export_round_trips_through_import(app, coventry, tmp_path, monkeypatch):
    output = _export(app, tmp_path, monkeypatch)
    rows = read_plan_csv(output.read_text(encoding="utf-8-sig"))
    copy = import_plan("Copy", rows)
    db.session.commit()
    original = db.session.scalars(select(Plan).where(Plan.name == PLAN_NAME)).one()

    def snapshot(plan):
        actions = db.session.scalars(select(Action).order_by(Action.id))
        return [
            (
                a.objective.strand.name, a.objective.number, a.objective.statement, a.reference, a.text,
                a.delivery_rag, a.outcome_rag, a.status, a.due_date, a.timescale_text,
                [p.name for p in a.accountable_posts], [p.name for p in a.responsible_posts],
                sorted(p.name for p in a.partners), a.all_partners, a.expected_evidence, a.expected_outcomes,
            )
            for a in actions
            if a.objective.strand.plan_id == plan.id
        ]  # fmt: skip

    assert len(copy.plan.strands) == 4
    assert sum(len(s.objectives) for s in copy.plan.strands) == sum(len(s.objectives) for s in original.strands)
    assert snapshot(copy.plan) == snapshot(original)


def test_export_of_unknown_plan_names_the_plans(app, coventry, tmp_path):
    result = app.test_cli_runner().invoke(
        args=["tracker", "export", "--plan", "Nope", "--output", str(tmp_path / "x.csv")]
    )
    assert result.exit_code != 0
    assert "There is no plan called 'Nope'" in result.output
    assert PLAN_NAME in result.output


def test_import_command(app, tmp_path):
    path = tmp_path / "plan.csv"
    path.write_text(
        "\ufeffStrand,Sub objective,Actions,RAG,Timescale\nPrevent,1. Keep children safe,1.1 Do it,Red,May 2015\n",
        encoding="utf-8",
    )
    result = app.test_cli_runner().invoke(args=["tracker", "import", "--plan", "Small", "--file", str(path)])
    assert result.exit_code == 0, result.output
    action = db.session.scalars(select(Action)).one()
    assert (action.reference, action.text, action.delivery_rag.value) == ("1.1", "Do it", "red")
    bad = tmp_path / "bad.csv"
    bad.write_text("Strand,Actions,RAG\nPrevent,Do it,Purple\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["tracker", "import", "--plan", "Bad", "--file", str(bad)])
    assert result.exit_code != 0
    assert "Row 2: 'Purple' is not a RAG rating" in result.output
    assert "Nothing was imported: 1 row has problems (listed above)" in result.output
    assert db.session.scalars(select(Plan).where(Plan.name == "Bad")).all() == []
