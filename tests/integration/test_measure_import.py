"""Importing measure figures from a spreadsheet: the preview row by row (new, correction, unchanged,
refused with its reason), nothing saved before the import is confirmed, every change in the
measure's history with the file's name, CSV and Excel files as boards write them, and the command."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from flask import url_for
from sqlalchemy import func, select

from tests import factories
from tests.measures_support import enter, make_measure
from tracker.extensions import db
from tracker.measure_periods import Frequency
from tracker.models import Direction, ImportUpload, MeasureHistory, MeasureValue, Role, Unit
from tracker.services.measures import MeasureDefinition, define_measure

TODAY = "2016-01-20"
PLAN = "Coventry CSE Plan 2015–17"
INTERVIEWS = "Return home interviews within 72 hours"

# Written as a board's analyst would: loose headers, periods in four styles, a name's case and spacing off.
FIGURES_CSV = (
    "Quarter,Measure name,Figure,Notes,Source\r\n"
    "Q1 2015/16,return home  interviews within 72 HOURS,30,,\r\n"  # 2: unchanged
    f"2015-16 Q2,{INTERVIEWS},40,Recounted after audit,IYSS\r\n"  # 3: correction 37.5 -> 40
    f"Oct-Dec 2015,{INTERVIEWS},112%,,\r\n"  # 4: refused, a percentage over 100
    "Q2 2015/16,Missing episodes,14,,Police\r\n"  # 5: new
    "15/11/2015,Missing episodes,9,,\r\n"  # 6: refused, Q3 given twice
    "Oct-Dec 2015,Missing episodes,10,,\r\n"  # 7: refused, Q3 given twice
    "Q4 2015/16,Missing episodes,3,,\r\n"  # 8: refused, not over yet
    "Q1 2015/16,Children reached,5,,\r\n"  # 9: refused, no such measure
    "July 2015,Staff trained,twelve,,\r\n"  # 10: refused, not a number
    'August 2015,Staff trained,"1,250",,\r\n'  # 11: new (a monthly measure)
).encode()
EXPECTED = {
    2: ("unchanged", ""),
    3: ("correction", ""),
    4: ("refused", "'112%' is a percentage over 100"),
    5: ("new", ""),
    6: ("refused", "more than once"),
    7: ("refused", "more than once"),
    8: ("refused", "Q4 2015/16 is in the future or not over yet"),
    9: ("refused", f"There is no measure called 'Children reached' in {PLAN}"),
    10: ("refused", "'twelve' is not a number"),
    11: ("new", ""),
}


@pytest.fixture
def story(app, pinned_today):
    pinned_today(TODAY)
    plan = factories.make_plan(PLAN)
    interviews = make_measure(plan, name=INTERVIEWS, unit=Unit.PERCENTAGE)
    enter(interviews, "2015-04-01", 30)
    enter(interviews, "2015-07-01", 37.5)
    missing = make_measure(plan, name="Missing episodes", target=20)
    enter(missing, "2015-04-01", 12)
    trained = define_measure(
        plan,
        MeasureDefinition(
            name="Staff trained", definition="", unit=Unit.PEOPLE, direction=Direction.HIGHER_IS_BETTER,
            frequency=Frequency.MONTHLY, first_period=date(2015, 4, 1),
        ),
        actor=None,
        at=datetime(2015, 3, 1),
    )  # fmt: skip
    other_plan = factories.make_plan("Another plan")
    make_measure(other_plan, name="Children reached")  # a measure of another plan is not matched
    db.session.commit()
    return {"plan": plan, "interviews": interviews, "missing": missing, "trained": trained}


def _upload(client, plan_id, data=FIGURES_CSV, filename="figures Q3.csv"):
    return client.post_form(
        url_for("measure_imports.upload"),
        {"plan": str(plan_id), "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def _uploaded(client, plan_id, **kwargs) -> int:
    response = _upload(client, plan_id, **kwargs)
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.location.rstrip("/").rsplit("/", 1)[1])


def _figures() -> dict:
    return {(v.measure_id, v.period): (v.value, v.note, v.source) for v in db.session.scalars(select(MeasureValue))}


def test_the_preview_says_what_each_row_will_do_and_saves_nothing(admin_client, story):
    before = _figures()
    history_before = db.session.scalar(select(func.count(MeasureHistory.id)))
    upload_id = _uploaded(admin_client, story["plan"].id)
    page = admin_client.get_page("measure_imports.preview", upload_id=upload_id)

    rows = {int(tr["data-row"]): tr for tr in page.select("tr[data-row]")}
    assert sorted(rows) == sorted(EXPECTED)
    for line, (status, reason) in EXPECTED.items():
        assert rows[line]["data-status"] == status, line
        assert reason in rows[line].get_text(" ", strip=True), line
    assert "37.5% to 40%" in rows[3].get_text(" ", strip=True)
    assert "new note and source" in rows[3].get_text(" ", strip=True)
    assert "rows 6 and 7" in rows[6].get_text(" ", strip=True)
    assert "Q2 2015/16" in rows[5].get_text(" ", strip=True) and "August 2015" in rows[11].get_text(" ", strip=True)
    counts = page.select_one("[data-import-counts]").get_text(" ", strip=True)
    assert "2 rows: a new figure" in counts and "1 row: a correction" in counts and "6 rows: refused" in counts
    assert len(page.select("[data-refused-rows] li")) == 6
    assert _figures() == before  # nothing saved by looking
    assert db.session.scalar(select(func.count(MeasureHistory.id))) == history_before


def test_confirming_writes_new_figures_and_corrections_into_each_measures_history(admin_client, story):
    upload_id = _uploaded(admin_client, story["plan"].id)
    response = admin_client.post_form(url_for("measure_imports.preview", upload_id=upload_id), {})
    assert response.status_code == 302, response.get_data(as_text=True)
    page = admin_client.get_page("measures.index")
    banner = page.select_one(".govuk-notification-banner").get_text(" ", strip=True)
    assert "2 new, 1 corrected, 1 unchanged, 6 refused and not saved" in banner

    ids = {name: story[name].id for name in ("interviews", "missing", "trained")}
    figures = _figures()
    assert figures[(ids["interviews"], date(2015, 7, 1))] == (40.0, "Recounted after audit", "IYSS")
    assert figures[(ids["interviews"], date(2015, 4, 1))][0] == 30.0
    assert figures[(ids["missing"], date(2015, 7, 1))] == (14.0, "", "Police")
    assert figures[(ids["trained"], date(2015, 8, 1))][0] == 1250.0
    assert (ids["missing"], date(2015, 10, 1)) not in figures  # the twice-given quarter is not guessed at
    assert (ids["interviews"], date(2015, 10, 1)) not in figures

    imported = list(
        db.session.scalars(
            select(MeasureHistory)
            .where(MeasureHistory.reason == "Imported from figures Q3.csv")
            .order_by(MeasureHistory.id)
        )
    )
    admin = admin_client.user
    assert {(e.measure_id, e.field, e.period, e.old_value, e.new_value) for e in imported} == {
        (ids["interviews"], "value", date(2015, 7, 1), "37.5", "40.0"),
        (ids["interviews"], "note", date(2015, 7, 1), "", "Recounted after audit"),
        (ids["interviews"], "source", date(2015, 7, 1), "", "IYSS"),
        (ids["missing"], "value", date(2015, 7, 1), None, "14.0"),
        (ids["trained"], "value", date(2015, 8, 1), None, "1250.0"),
    }
    assert {(e.actor_id, e.actor_name) for e in imported} == {(admin.id, admin.name)}
    assert db.session.get(ImportUpload, upload_id) is None  # done with

    # The same file again changes nothing more: what it brought is now unchanged.
    again = _uploaded(admin_client, story["plan"].id)
    page = admin_client.get_page("measure_imports.preview", upload_id=again)
    statuses = {int(tr["data-row"]): tr["data-status"] for tr in page.select("tr[data-row]")}
    assert statuses[3] == statuses[5] == statuses[11] == "unchanged"
    assert "There is nothing to import" in page.get_text()


def _figures_workbook() -> bytes:
    """A title row above loose headers, date cells, and a percentage kept as Excel keeps it (0.5 shown as 50%)."""
    from openpyxl import Workbook

    from tests.import_files import FIXED_TIME

    workbook = Workbook()
    workbook.properties.created = workbook.properties.modified = FIXED_TIME
    sheet = workbook.active
    sheet.title = "Figures"
    for row in (
        ["Performance figures for the LSCB"],
        [],
        ["Period", "Measure", "Value (count)"],
        [datetime(2015, 8, 15), "Missing episodes", 14],  # a date cell inside Q2
        ["Jul-Sep 2015", INTERVIEWS, 0.5],
        [datetime(2015, 9, 1), "Staff trained", 7],  # a monthly measure: September 2015
    ):
        sheet.append(row)
    sheet["C5"].number_format = "0%"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_an_excel_workbook_with_a_title_row_date_cells_and_loose_headers(admin_client, story):
    upload_id = _uploaded(admin_client, story["plan"].id, data=_figures_workbook(), filename="figures.xlsx")
    page = admin_client.get_page("measure_imports.preview", upload_id=upload_id)
    rows = {int(tr["data-row"]): tr for tr in page.select("tr[data-row]")}
    assert {line: tr["data-status"] for line, tr in rows.items()} == {4: "new", 5: "correction", 6: "new"}
    assert "Q2 2015/16" in rows[4].get_text(" ", strip=True)
    assert "37.5% to 50%" in rows[5].get_text(" ", strip=True)
    assert "September 2015" in rows[6].get_text(" ", strip=True)
    assert admin_client.post_form(url_for("measure_imports.preview", upload_id=upload_id), {}).status_code == 302
    figures = _figures()
    assert figures[(story["trained"].id, date(2015, 9, 1))][0] == 7.0
    assert figures[(story["interviews"].id, date(2015, 7, 1))][0] == 50.0


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (
            b"Name,Score\r\nA,1\r\n",
            "figures.csv",
            "no row of column names naming the period, the measure and the figure",
        ),
        (b"", "figures.csv", "is empty"),
        (b"PK\x03\x04 not really", "figures.docx", "is not a CSV or Excel (.xlsx) file"),
        (b"period,measure,value\r\n", "figures.txt", "is not a CSV or Excel (.xlsx) file"),
    ],
    ids=["no-header", "empty", "word", "text"],
)
def test_a_file_with_no_figures_gets_a_clear_message_and_is_not_kept(admin_client, story, data, filename, message):
    page = admin_client.post_page(
        "measure_imports.upload",
        {"plan": str(story["plan"].id), "file": (io.BytesIO(data), filename)},
    )
    assert message in page.select_one(".govuk-error-summary").get_text(" ", strip=True)
    assert db.session.scalar(select(func.count(ImportUpload.id))) == 0


def test_a_plan_must_be_chosen(admin_client, story):
    page = admin_client.post_page("measure_imports.upload", {"plan": "", "file": (io.BytesIO(FIGURES_CSV), "f.csv")})
    assert "Choose the plan whose measures the figures are for" in page.select_one(".govuk-error-summary").text


def test_the_import_is_offered_to_administrators_from_the_measures_and_import_pages(admin_client, board_client, story):
    links = [a["href"] for a in admin_client.get_page("measures.index").select("main a")]
    assert "/measures/import" in links and f"/measures/import?plan={story['plan'].id}" in links
    assert "/measures/import" in [a["href"] for a in admin_client.get_page("imports.upload").select("main a")]
    chosen = admin_client.get_page("measure_imports.upload", plan=story["plan"].id)
    assert chosen.select_one("#plan option[selected]")["value"] == str(story["plan"].id)
    assert not [a for a in board_client.get_page("measures.index").select("a") if "/measures/import" in a["href"]]


def test_another_administrators_upload_is_not_theirs_to_see(admin_client, client_as, story):
    upload_id = _uploaded(admin_client, story["plan"].id)
    other = client_as(Role.ADMIN)
    assert other.get(url_for("measure_imports.preview", upload_id=upload_id)).status_code == 404
    assert other.post_form(url_for("measure_imports.preview", upload_id=upload_id), {}).status_code == 404


def test_a_plan_import_upload_is_not_a_figures_upload(admin_client, story):
    from tests.import_files import committee_report_docx

    response = admin_client.post_form(
        url_for("imports.upload"),
        {"file": (io.BytesIO(committee_report_docx()), "report.docx")},
        content_type="multipart/form-data",
    )
    plan_upload = int(response.location.split("/")[-2])
    assert admin_client.get(url_for("measure_imports.preview", upload_id=plan_upload)).status_code == 404


def test_the_command_previews_with_dry_run_and_imports_without(app, story, tmp_path):
    path = tmp_path / "figures.csv"
    path.write_bytes(FIGURES_CSV)
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["tracker", "import-measures", str(path), "--plan", PLAN, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Row 4: refused: '112%' is a percentage over 100" in dry.output
    assert "2 new, 1 corrected, 1 unchanged, 6 refused" in dry.output
    db.session.expire_all()
    assert (story["missing"].id, date(2015, 7, 1)) not in _figures()

    done = runner.invoke(args=["tracker", "import-measures", str(path), "--plan", PLAN])
    assert done.exit_code == 0, done.output
    db.session.expire_all()
    assert _figures()[(story["missing"].id, date(2015, 7, 1))][0] == 14.0
    entry = db.session.scalars(
        select(MeasureHistory).where(MeasureHistory.reason == "Imported from figures.csv")
    ).first()
    assert entry is not None and entry.actor_id is None

    unknown = runner.invoke(args=["tracker", "import-measures", str(path), "--plan", "No such plan"])
    assert unknown.exit_code != 0 and "There is no plan called 'No such plan'" in unknown.output
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"Name,Score\r\n")
    unreadable = runner.invoke(args=["tracker", "import-measures", str(bad), "--plan", PLAN])
    assert unreadable.exit_code != 0 and "no row of column names" in unreadable.output


def test_the_preview_makes_the_same_number_of_statements_whatever_the_files_size(admin_client, story):
    from tests.integration.test_query_counts import counted_statements

    def statements(rows: int) -> int:
        lines = [f"{('Q1', 'Q2', 'Q3')[n % 3]} 2015/16,Missing episodes,{n}" for n in range(rows)]
        data = ("Period,Measure,Value\r\n" + "\r\n".join(lines)).encode()
        upload_id = _uploaded(admin_client, story["plan"].id, data=data)
        admin_client.get(url_for("measure_imports.preview", upload_id=upload_id))  # warm: the session's user
        with counted_statements() as seen:
            assert admin_client.get(url_for("measure_imports.preview", upload_id=upload_id)).status_code == 200
        return len(seen)

    assert statements(3) == statements(60)


def test_a_figures_upload_is_not_a_plan_upload(admin_client, story):
    upload_id = _uploaded(admin_client, story["plan"].id)
    for endpoint in ("imports.choose_table", "imports.map_columns", "imports.preview"):
        assert admin_client.get(url_for(endpoint, upload_id=upload_id)).status_code == 404
