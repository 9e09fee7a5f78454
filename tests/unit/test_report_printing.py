"""The PDF printer's two shortcuts around WeasyPrint (tracker/reports/pdf.py) still hold: they lean on
its internals, so an upgrade that changes them should fail here rather than quietly print slower
or differently."""

from __future__ import annotations

import io
from pathlib import Path

import pydyf
from pypdf import PdfReader

from tracker.reports import pdf

STYLESHEET = str(Path(pdf.__file__).resolve().parents[1] / "static" / "css" / "report.css")
PAGES = "".join(f'<h2 style="break-before: page">Strand {n}</h2><table><thead><tr><th>Ref</th></tr></thead>'
                f"<tbody><tr><td>{n}.1</td></tr></tbody></table>" for n in range(1, 4))  # fmt: skip
DOCUMENT = f'<html lang="en-GB"><head><title>A report</title></head><body>{PAGES}</body></html>'


def test_the_kept_page_references_answer_as_the_writer_would():
    pdf._prepare_printing()
    document = pydyf.PDF()
    for expected in range(1, 4):
        document.add_page(pydyf.Dictionary({"Type": "/Page"}))
        assert len(document.page_references) == expected  # a page added after a look-up is seen
    assert document.page_references == tuple(f"{n} 0 R".encode() for n in document.pages["Kids"][::3])


def test_the_report_defaults_replace_weasyprints_and_keep_tables_bookmarks_and_page_numbers():
    from weasyprint import HTML

    printer = pdf._document_class(pdf._base_stylesheet(STYLESHEET))
    assert printer._ua_stylesheets is not HTML._ua_stylesheets  # the method WeasyPrint calls still exists
    assert hasattr(HTML, "_ua_stylesheets")
    reader = PdfReader(io.BytesIO(pdf.print_html(DOCUMENT, STYLESHEET)))
    texts = [" ".join(page.extract_text().split()) for page in reader.pages]
    assert len(texts) == 3
    for number, text in enumerate(texts, start=1):
        assert f"Strand {number}" in text and "Ref" in text and f"Page {number} of 3" in text
    assert [item.title for item in reader.outline] == ["Strand 1", "Strand 2", "Strand 3"]
    assert "/StructTreeRoot" in reader.trailer["/Root"]
