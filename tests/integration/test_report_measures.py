"""The reports' measures: the PDF's measures page, the workbook's Measures sheet and the measures CSV,
each read back; the public version without restricted measures or names; past reports with the
figures known then; the download from the reports page and the command line."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from tests import factories
from tests.measures_support import correct_to, enter, make_measure
from tracker.extensions import db
from tracker.models import Direction, MeasureValue, Role, Unit
from tracker.reports.dataset import ReportChoice, build_report
from tracker.reports.files import render

TODAY = date(2016, 1, 20)
PLAN = "Coventry CSE Plan 2015–17"
FORMULA = '=HYPERLINK("http://evil.example","click")'
SECRET = "Covert operations disrupted"
RECORDER = "Ngozi Fairbrother"


def _csv_rows(content: bytes) -> list[dict[str, str]]:
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def _pdf_text(content: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def story(app, pinned_today):
    """Two measures: return home interviews (Q1 Red, Q2 Amber, Q3 Green after a correction on
    20 January 2016), and a restricted count of disruptions; an admin who recorded the figures."""
    pinned_today(TODAY.isoformat())
    recorder = factories.make_user(Role.ADMIN, name=RECORDER)
    plan = factories.make_plan(PLAN, strands=("Prevent", "Protect"))
    plan.created_at = datetime(2015, 1, 1)
    interviews = make_measure(plan, name="Return home interviews within 72 hours", unit=Unit.PERCENTAGE)
    enter(interviews, "2015-04-01", 30, recorder)  # Red: more than 5 below 40
    enter(interviews, "2015-07-01", 37.5, recorder)  # Amber
    enter(interviews, "2015-10-01", 36, recorder, at=datetime(2016, 1, 10, 9))
    db.session.flush()
    value = db.session.scalars(select(MeasureValue).where(MeasureValue.period == date(2015, 7, 1))).one()
    value.note, value.source = FORMULA, "IYSS case system"
    correct_to(interviews, "2015-10-01", 41, at=datetime(2016, 1, 20, 9))  # Green, known from 20 January
    disruptions = make_measure(
        plan, name=SECRET, direction=Direction.LOWER_IS_BETTER, target=10, tolerance=2, is_restricted=True
    )
    enter(disruptions, "2015-04-01", 9, recorder)
    db.session.commit()
    return {"plan": plan, "recorder": recorder, "interviews": interviews, "disruptions": disruptions}


def _report(story, **choice):
    return build_report(
        ReportChoice(plan_id=story["plan"].id, **choice), story["recorder"], TODAY, datetime(2016, 1, 20, 10)
    )


def test_the_measures_csv_has_a_row_per_measure_per_period_with_rag_and_why(app, story):
    rows = _csv_rows(render(_report(story), "measures-csv"))
    interviews = [r for r in rows if r["Measure"] == "Return home interviews within 72 hours"]
    assert [(r["Period"], r["Value"], r["Target"], r["Tolerance"], r["RAG"]) for r in interviews] == [
        ("Q1 2015/16", "30", "40", "5", "Red"),
        ("Q2 2015/16", "37.5", "40", "5", "Amber"),
        ("Q3 2015/16", "41", "40", "5", "Green"),
    ]
    assert interviews[0]["Plan"] == PLAN
    assert interviews[0]["Why"] == "Red: 30% is below the target of at least 40% by more than the tolerance of 5%"
    assert interviews[1]["Note"] == "'" + FORMULA  # formula text neutralised
    assert interviews[1]["Source"] == "IYSS case system"
    assert interviews[1]["Recorded by"] == RECORDER
    assert {r["Measure"] for r in rows} == {"Return home interviews within 72 hours", SECRET}


def test_the_public_version_leaves_out_restricted_measures_and_every_name(app, story):
    data = _report(story, public=True)
    measures_csv = render(data, "measures-csv")
    rows = _csv_rows(measures_csv)
    assert {r["Measure"] for r in rows} == {"Return home interviews within 72 hours"}
    assert "Recorded by" not in rows[0]
    sheet = load_workbook(io.BytesIO(render(data, "xlsx")))["Measures"]
    sheet_text = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None)
    pdf_text = _pdf_text(render(data, "pdf"))
    for text in (measures_csv.decode("utf-8-sig"), sheet_text, pdf_text):
        assert SECRET not in text
        assert RECORDER not in text
    assert "Return home interviews within 72 hours" in pdf_text and "Restricted measures are left out" in pdf_text


def test_the_pdf_has_a_measures_page_with_latest_figure_rag_why_and_recent_periods(app, story):
    text = _pdf_text(render(_report(story), "pdf"))
    assert "Measures (2)" in text
    assert "41% for Q3 2015/16, against a target of 40%" in text
    assert "Green: 41% meets the target of at least 40%" in text
    assert "Percentage; higher is better; quarterly" in text
    assert "Q1 2015/16 30% 40% 5% Red" in text
    assert SECRET in text  # the full version, for an administrator


def test_the_workbook_has_a_measures_sheet_with_numbers_dates_and_rag_in_words(app, story):
    book = load_workbook(io.BytesIO(render(_report(story), "xlsx")))
    assert book.sheetnames[-1] == "Measures"
    sheet = book["Measures"]
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)]
    q2 = next(r for r in rows if r["Period"] == "Q2 2015/16" and r["Measure"].startswith("Return"))
    assert (q2["Value"], q2["Target"], q2["Tolerance"], q2["RAG"]) == (37.5, 40, 5, "Amber")
    assert q2["Period starts"] == datetime(2015, 7, 1)
    assert q2["Note"] == FORMULA  # a string cell, never a formula
    note_cell = next(row for row in sheet.iter_rows(min_row=2) if row[4].value == "Q2 2015/16")[header.index("Note")]
    assert note_cell.data_type != "f"
    assert q2["Recorded by"] == RECORDER


def test_a_past_report_uses_the_figures_known_then(app, story):
    then = _report(story, as_at=date(2016, 1, 15))
    interviews = next(m for m in then.measures if m.summary.name.startswith("Return"))
    assert interviews.summary.rag.rag.label == "Amber"  # 36 was the figure on 15 January
    assert [p.value for p in interviews.periods] == [30, 37.5, 36]
    rows = _csv_rows(render(then, "measures-csv"))
    assert [r["Value"] for r in rows if r["Measure"].startswith("Return")] == ["30", "37.5", "36"]
    before = _report(story, as_at=date(2015, 10, 1))
    interviews = next(m for m in before.measures if m.summary.name.startswith("Return"))
    assert [(p.period.label, p.value) for p in interviews.periods] == [("Q1 2015/16", 30), ("Q2 2015/16", None)]


def test_the_measures_csv_downloads_from_the_reports_page(app, story, board_client):
    page = board_client.get(f"/reports?plan={story['plan'].id}").get_data(as_text=True)
    assert "Download measures CSV" in page
    response = board_client.get(f"/reports?plan={story['plan'].id}&version=public&format=measures-csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "coventry-cse-plan-2015-17-as-at-2016-01-20-public-measures.csv" in response.headers["Content-Disposition"]
    assert {r["Measure"] for r in _csv_rows(response.data)} == {"Return home interviews within 72 hours"}


def test_a_scrutiny_councillor_never_gets_a_restricted_measure(app, story, scrutiny_client):
    response = scrutiny_client.get(f"/reports?plan={story['plan'].id}&format=measures-csv")
    assert response.status_code == 200
    assert {r["Measure"] for r in _csv_rows(response.data)} == {"Return home interviews within 72 hours"}


def test_the_command_line_writes_the_measures_csv(app, story, tmp_path):
    output = tmp_path / "measures.csv"
    result = app.test_cli_runner().invoke(
        args=["tracker", "export", "--plan", PLAN, "--format", "measures-csv", "--output", str(output),
              "--as-at", "2016-01-15"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = _csv_rows(output.read_bytes())
    assert [r["Value"] for r in rows if r["Measure"].startswith("Return")] == ["30", "37.5", "36"]
    refused = app.test_cli_runner().invoke(
        args=["tracker", "export", "--plan", PLAN, "--format", "measures-csv", "--output", str(output),
              "--import-layout"]
    )  # fmt: skip
    assert refused.exit_code != 0 and "import layout" in refused.output


def test_a_frozen_full_report_showing_a_restricted_measure_is_hidden_from_councillors(app, story, client_as):
    admin_client = client_as(Role.ADMIN)
    ids = {}
    for version in ("public", "full"):
        response = admin_client.post_form(
            "/reports/frozen/new",
            {"plan": str(story["plan"].id), "meeting_name": "Scrutiny committee", "meeting_date": ["12", "1", "2016"],
             "as_at": ["", "", ""], "version": version},
        )  # fmt: skip
        assert response.status_code == 302, response.get_data(as_text=True)
        ids[version] = int(response.location.rstrip("/").rsplit("/", 1)[1])
    assert SECRET in _pdf_text(admin_client.get(f"/reports/frozen/{ids['full']}/pdf").data)
    councillor = client_as(Role.SCRUTINY)
    assert councillor.get(f"/reports/frozen/{ids['full']}/pdf").status_code == 404
    public_pdf = councillor.get(f"/reports/frozen/{ids['public']}/pdf")
    assert public_pdf.status_code == 200 and SECRET not in _pdf_text(public_pdf.data)


def test_a_frozen_report_keeps_its_measures_csv_whatever_figures_are_corrected_later(app, story, client_as):
    import hashlib

    from tracker.models import FrozenReport

    admin_client = client_as(Role.ADMIN)
    response = admin_client.post_form(
        "/reports/frozen/new",
        {"plan": str(story["plan"].id), "meeting_name": "Scrutiny committee", "meeting_date": ["12", "1", "2016"],
         "as_at": ["", "", ""], "version": "full"},
    )  # fmt: skip
    report_id = int(response.location.rstrip("/").rsplit("/", 1)[1])
    frozen = admin_client.get(f"/reports/frozen/{report_id}/measures-csv")
    assert frozen.status_code == 200
    assert "coventry-cse-plan-2015-17-as-at-2016-01-20-measures.csv" in frozen.headers["Content-Disposition"]
    digest = hashlib.sha256(frozen.data).hexdigest()
    assert frozen.headers["X-Content-SHA256"] == digest
    page = admin_client.get(f"/reports/frozen/{report_id}").get_data(as_text=True)
    assert digest in page and "Download the measures CSV" in page
    assert [r["Value"] for r in _csv_rows(frozen.data) if r["Measure"].startswith("Return")] == ["30", "37.5", "41"]

    # Later the Q3 figure is corrected and Q1's note changes: today's CSV shows it, the frozen one never does.
    correct_to(story["interviews"], "2015-10-01", 45, at=datetime(2016, 1, 20, 11))
    db.session.commit()
    today = render(_report(story), "measures-csv")
    assert [r["Value"] for r in _csv_rows(today) if r["Measure"].startswith("Return")] == ["30", "37.5", "45"]
    again = admin_client.get(f"/reports/frozen/{report_id}/measures-csv")
    assert again.data == frozen.data
    assert db.session.get(FrozenReport, report_id).measures_csv_sha256 == digest


def test_a_report_frozen_before_measures_csvs_were_kept_offers_only_its_own_files(app, story, client_as):
    from tracker.models import FrozenReport

    admin_client = client_as(Role.ADMIN)
    old = FrozenReport(
        plan_id=story["plan"].id, plan_name=PLAN, meeting_name="Board, October 2015", meeting_date=date(2015, 10, 5),
        as_at=date(2015, 10, 5), is_public=True, has_restricted=False, frozen_at=datetime(2015, 10, 5, 9),
        frozen_by_name="Someone", figures={"total": 0, "by_rag": {}, "overdue_amber": 0, "exceptions": 0},
        file_stem="old-report", pdf=b"%PDF", xlsx=b"PK", csv=b"a,b", pdf_sha256="a" * 64, xlsx_sha256="b" * 64,
        csv_sha256="c" * 64,
    )  # fmt: skip
    db.session.add(old)
    db.session.commit()
    page = admin_client.get(f"/reports/frozen/{old.id}").get_data(as_text=True)
    assert "Download the CSV" in page and "measures CSV" not in page
    assert admin_client.get(f"/reports/frozen/{old.id}/measures-csv").status_code == 404
    assert admin_client.get(f"/reports/frozen/{old.id}/csv").data == b"a,b"
