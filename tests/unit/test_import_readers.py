"""Reading tables out of CSV, Excel and Word files, and previewing rows: nothing touches the database."""

import pytest

from tests.import_files import REPORT_HEADER, audit_plan_xlsx, committee_report_docx, docx_bytes, xlsx_bytes
from tracker.importers.mapping import detect_header_row, mapping_problems, suggest_mapping
from tracker.importers.preview import build_preview, rows_to_import
from tracker.importers.tables import UnreadableFile, read_tables


def _preview(filename, data, table=0):
    chosen = read_tables(filename, data)[table]
    header = detect_header_row(chosen)
    return build_preview(chosen, header, suggest_mapping(chosen.rows[header]))


def test_word_tables_split_across_pages_are_joined_with_themes_and_continued_rows():
    preview = _preview("report.docx", committee_report_docx())
    rows = {item.row.reference: item for item in preview.rows}
    assert list(rows) == ["1.1", "1.2", "2.1", "2.2", "2.3"]
    assert rows["1.1"].row.strand == "Prevent"
    assert rows["2.1"].row.strand == "Protect"
    assert (
        rows["1.1"].row.actions
        == "Deliver awareness sessions in every secondary school\nand record attendance by school"
    )
    assert [m.label for m in rows["1.2"].timescale.milestones] == ["initial feedback", ""]
    assert rows["2.1"].timescale.ongoing
    assert rows["2.2"].problems == ["The timescale 'Summer 2015' cannot be read as a date"]
    assert rows["2.2"].timescale_problem
    assert str(rows["2.3"].due_date) == "2015-12-31"


def test_word_tables_of_the_same_shape_are_joined_even_without_a_repeated_header():
    first = [REPORT_HEADER, ["1", "Do one thing", "Lead A", "May 2015", ""]]
    second = [["2", "Do another thing", "Lead B", "June 2015", ""]]
    tables = read_tables("plan.docx", docx_bytes([first, second]))
    assert len(tables) == 1
    assert [row[1] for row in tables[0].rows] == ["Recommendation", "Do one thing", "Do another thing"]


def test_word_tables_of_different_shapes_stay_apart():
    tables = read_tables("plan.docx", docx_bytes([[["a", "b"], ["1", "2"]], [["x", "y", "z"]]]))
    assert [t.name for t in tables] == ["Table 1", "Table 2"]


def test_a_title_row_above_the_header_and_alternative_column_names():
    chosen = read_tables("audit.xlsx", audit_plan_xlsx())[0]
    header = detect_header_row(chosen)
    assert header == 1
    assert suggest_mapping(chosen.rows[header]) == [
        "reference",
        "strand",
        "actions",
        "responsible",
        "timescale",
        "status",
    ]
    preview = build_preview(chosen, header, suggest_mapping(chosen.rows[header]))
    assert [(r.row.reference, str(r.due_date)) for r in preview.rows] == [
        ("1", "2015-05-31"), ("2", "2015-06-30"), ("3", "2016-03-31"),
    ]  # fmt: skip
    assert not preview.with_problems


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (["Sub objective", "Actions", "RAG", "Evidence", "Outcomes", "Accountable", "Responsible", "Timescale",
          "Partners involved", "Outcome RAG"],
         ["sub_objective", "actions", "rag", "evidence", "outcomes", "accountable", "responsible", "timescale",
          "partners", "outcome_rag"]),
        (["No.", "Recommendation", "Lead agency", "Owner", "Deadline", "Progress"],
         ["reference", "actions", "accountable", "responsible", "timescale", "status"]),
        (["Priority area", "Action", "Lead", "Completion date", "Notes"],
         ["strand", "actions", "responsible", "timescale", ""]),
        (["Ref", "Action", "Due", "Timescale for completion"], ["reference", "actions", "timescale", ""]),
    ],
    ids=["strategy-plan", "committee-report", "audit-plan", "one-field-once"],
)  # fmt: skip
def test_suggested_mappings_from_header_names(header, expected):
    assert suggest_mapping(header) == expected


def test_a_mapping_needs_an_action_column_and_one_column_per_field():
    assert mapping_problems(["reference", ""]) == ["Choose the column that holds the actions."]
    assert mapping_problems(["actions", "actions"]) == ["Choose one column for Action: 2 columns are set to it."]


def test_cp1252_csv_with_semicolons():
    data = "Strand;Actions;Responsible;Timescale\r\nPrévent;Train staff – all;Café owner;May 2015\r\n".encode("cp1252")
    table = read_tables("plan.csv", data)[0]
    assert table.rows[1] == ["Prévent", "Train staff – all", "Café owner", "May 2015"]
    assert any("Windows-1252" in note for note in table.notes)
    assert any("semicolons" in note for note in table.notes)


def test_tab_separated_utf8_csv_with_bom():
    data = "\ufeffStrand\tActions\nPrevent\tTrain staff\n".encode()
    assert read_tables("plan.csv", data)[0].rows == [["Strand", "Actions"], ["Prevent", "Train staff"]]


def test_merged_cells_fill_their_range_and_hidden_rows_are_left_out_and_reported():
    data = xlsx_bytes(
        {"Plan": [
            ["Strand", "Actions", "Timescale"],
            ["Prevent", "First action", "May 2015"],
            [None, "Second action", "June 2015"],
            [None, "Hidden action", "July 2015"],
            [None, "Third action", "August 2015"],
        ]},
        hidden_rows={"Plan": [4]},
        merged={"Plan": ["A2:A5"]},
    )  # fmt: skip
    table = read_tables("plan.xlsx", data)[0]
    assert table.rows[1:] == [
        ["Prevent", "First action", "May 2015"],
        ["Prevent", "Second action", "June 2015"],
        ["Prevent", "Third action", "August 2015"],
    ]
    assert table.row_numbers == [1, 2, 3, 5]
    assert table.notes == ["Hidden rows were left out: 4. Unhide them in Excel to import them."]


def test_formulas_are_read_as_saved_values_and_unsaved_ones_are_reported():
    # openpyxl saves a formula without a calculated value, as a program that never opened Excel would.
    data = xlsx_bytes(
        {"Plan": [["Strand", "Actions", "Timescale"], ["Prevent", '=CONCAT("Train ","staff")', "May 2015"]]}
    )
    table = read_tables("plan.xlsx", data)[0]
    assert table.rows[1] == ["Prevent", "", "May 2015"]
    assert table.notes and table.notes[0].startswith("Cell B2 holds a formula with no saved value")


def test_ten_thousand_rows():
    lines = ["Strand,Actions,Timescale"] + [f"Prevent,Action number {n},May 2015" for n in range(10_000)]
    preview = _preview("big.csv", "\n".join(lines).encode())
    assert len(preview.importable) == 10_000
    assert not preview.with_problems


def test_row_problems_unknown_rag_empty_action_duplicate_reference_bad_date():
    data = (
        b"Ref,Actions,RAG,Timescale,Status\n"
        b"1.1,First,Amberish,May 2015,\n"
        b"1.1,Second,Green,Whenever,\n"
        b"1.3,,Red,May 2015,\n"
        b"1.4,Fourth,,May 2015,Sort of\n"
    )
    preview = _preview("plan.csv", data)
    problems = {item.row.actions or "(empty)": item.problems for item in preview.rows}
    assert problems == {
        "First": ["'Amberish' is not a RAG rating: use Red, Amber, Green, Blue or leave it blank"],
        "Second": ["The timescale 'Whenever' cannot be read as a date", "The reference 1.1 is also used on row 2"],
        "(empty)": ["The action is empty: this row will not be imported"],
        "Fourth": ["The status 'Sort of' is not one of not started, in progress, complete, cancelled, ongoing"],
    }
    flagged = rows_to_import(preview)
    assert [row.actions for row in flagged] == ["First", "Second", "Fourth"]
    assert (flagged[0].rag, flagged[2].status) == ("", "")
    assert flagged[0].problems


def test_a_fixed_timescale_replaces_the_cell():
    data = b"Actions,Timescale\nFirst,Whenever\n"
    chosen = read_tables("plan.csv", data)[0]
    preview = build_preview(chosen, 0, ["actions", "timescale"], {"2": {"timescale": "Sept 2015"}})
    assert str(preview.rows[0].due_date) == "2015-09-30"
    assert not preview.with_problems


def test_rows_with_no_owners_and_no_dates_at_all():
    preview = _preview("plan.csv", b"Actions\nJust do it\nAnd this\n")
    assert [(r.row.actions, r.due_date, r.problems) for r in preview.rows] == [
        ("Just do it", None, []), ("And this", None, []),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("plan.xlsx", b"PK\x03\x04 this is not really a workbook", "cannot be opened as an Excel workbook"),
        ("plan.docx", b"PK\x03\x04 nor a document", "cannot be opened as a Word document"),
        ("plan.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "password-protected or in an old Excel or Word format"),
        ("plan.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "password-protected"),
        ("plan.xlsx", b"Strand,Actions\nPrevent,Train\n", "is not an Excel file, although its name ends in .xlsx"),
        ("plan.csv", b"PK\x03\x04\x14\x00\x00\x00", "is not a CSV file"),
        ("plan.csv", b"", "is empty"),
        ("plan.csv", b"  \r\n ", "is empty"),
        ("plan.docx", None, "has no table"),
        ("plan.pdf", b"%PDF-1.4", "is not a CSV, Excel (.xlsx) or Word (.docx) file"),
        ("plan.xlsx", "docx", "is a Word document, although its name ends in .xlsx"),
        ("plan.docx", "xlsx", "is an Excel workbook, although its name ends in .docx"),
    ],
    ids=["corrupt-xlsx", "corrupt-docx", "protected-xlsx", "protected-docx", "csv-named-xlsx", "zip-named-csv",
         "empty", "blank", "docx-without-table", "pdf", "docx-named-xlsx", "xlsx-named-docx"],
)  # fmt: skip
def test_bad_files_get_a_clear_message(filename, data, message):
    if data is None:
        data = docx_bytes([])
    elif data == "docx":
        data = committee_report_docx()
    elif data == "xlsx":
        data = audit_plan_xlsx()
    with pytest.raises(UnreadableFile, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        read_tables(filename, data)


def test_word_cells_merged_across_keep_columns_aligned_and_merged_down_fill_each_row():
    import io

    from docx import Document

    document = Document()
    table = document.add_table(rows=4, cols=3)
    for r, row in enumerate([["Strand", "Actions", "Timescale"], ["", "First", "May 2015"], ["", "Second", "June 2015"],
                             ["", "Third", "July 2015"]]):  # fmt: skip
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    table.cell(1, 0).merge(table.cell(3, 0)).text = "Prevent"
    table.cell(2, 1).merge(table.cell(2, 2)).text = "Second, no date"
    buffer = io.BytesIO()
    document.save(buffer)
    rows = read_tables("plan.docx", buffer.getvalue())[0].rows
    assert rows[1:] == [
        ["Prevent", "First", "May 2015"],
        ["Prevent", "Second, no date", ""],
        ["Prevent", "Third", "July 2015"],
    ]


def test_excel_dates_and_saved_formula_values_are_read_as_shown():
    from datetime import date, datetime

    data = xlsx_bytes(
        {"Plan": [["Actions", "Due date", "Timescale"], ["Train staff", datetime(2015, 5, 31), date(2015, 6, 30)]]}
    )
    # Excel saves a formula's value and keeps text in a shared-strings part; openpyxl writes
    # neither, so the sheet's XML is edited to what Excel writes.
    import io
    import zipfile

    shared = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
        b"<si><r><t>Act</t></r><r><rPr><b/></rPr><t>ions</t></r></si></sst>"
    )
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                formula = b'<c r="A2" t="inlineStr"><is><t>Train staff</t></is></c>'
                header = b'<c r="A1" t="inlineStr"><is><t>Actions</t></is></c>'
                assert formula in content and header in content
                content = content.replace(
                    formula, b'<c r="A2" t="str"><f>PROPER("train staff")</f><v>Train Staff</v></c>'
                )
                content = content.replace(header, b'<c r="A1" t="s"><v>0</v></c>')
            target.writestr(item, content)
        target.writestr("xl/sharedStrings.xml", shared)
    table = read_tables("plan.xlsx", output.getvalue())[0]
    assert table.rows == [["Actions", "Due date", "Timescale"], ["Train Staff", "31 May 2015", "30 June 2015"]]
    assert table.notes == []
    preview = build_preview(table, 0, ["actions", "due_date", "timescale"])
    assert str(preview.rows[0].due_date) == "2015-05-31"


def test_values_too_long_for_their_field_are_flagged():
    long_timescale = ("Within " + "the next few months " * 12).strip()
    data = f"Ref,Actions,Timescale\n1.1.1.1.1.1.1.1.1.1.1,Do it,{long_timescale}\n".encode()
    problems = _preview("plan.csv", data).rows[0].problems
    assert (
        f"The timescale is {len(long_timescale)} characters long, more than 200: check the column choices" in problems
    )
    assert "The reference is 21 characters long, more than 20: check the column choices" in problems
