"""The report as a PDF: the HTML template printed by WeasyPrint with the print stylesheet.

WeasyPrint lays out HTML and CSS for paper itself (CSS paged media: @page margins, running footers,
table headers repeated on each page), so the report is one template that reads like the pages,
with no browser to run. It embeds the subset of each font it uses, and with pdf_variant "pdf/ua-1"
tags the document's structure for screen readers, with its title and language.
"""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import cache
from itertools import groupby
from pathlib import Path

from flask import current_app, render_template

from tracker.models import RAG_ORDER
from tracker.reports.dataset import OVERDUE_RULE, RAG_KEY, ReportAction, ReportData
from tracker.reports.svg_chart import rag_bars, stacked_bars

PDF_VARIANT = "pdf/ua-1"
# The measures page shows each measure's last few periods; the measures CSV and sheet have them all.
RECENT_PERIODS = 6


def _stylesheet() -> Path:
    return Path(current_app.static_folder or "") / "css" / "report.css"


def _base_stylesheet(stylesheet: str) -> str:
    """The sheet that stands in for WeasyPrint's default one (see report-base.css for why)."""
    return str(Path(stylesheet).with_name("report-base.css"))


def _objective_title(action: ReportAction) -> str:
    row = action.row
    number = f"{row.objective_number}. " if row.objective_number is not None else ""
    return f"{number}{row.objective_statement}".strip() or "Actions"


def plan_sections(data: ReportData) -> list[tuple[str, list[tuple[str, list[ReportAction]]]]]:
    """The actions grouped by strand, then sub-objective, in plan order (they arrive in it)."""
    several = len(data.plan_names) > 1
    sections = []
    for (plan_name, strand_name, _strand_id), strand_actions in groupby(
        data.actions, key=lambda a: (a.row.plan_name, a.row.strand_name, a.row.strand_id)
    ):
        objectives = [
            (_objective_title(items[0]), items)
            for items in (list(g) for _objective_id, g in groupby(strand_actions, key=lambda a: a.row.objective_id))
        ]
        sections.append((f"{plan_name}: {strand_name}" if several else strand_name, objectives))
    return sections


def report_html(data: ReportData) -> str:
    several = len(data.plan_names) > 1
    strand_chart = stacked_bars(
        "Actions by strand and effective delivery RAG",
        [(f"{s.plan_name}: {s.name}" if several else s.name, s.counts) for s in data.strands],
    )
    return render_template(
        "reports/report.html",
        data=data,
        rags=RAG_ORDER,
        rag_key=RAG_KEY,
        overdue_rule=OVERDUE_RULE,
        strand_chart=strand_chart,
        outcome_chart=rag_bars("Actions by outcome RAG", data.by_outcome),
        exceptions=data.exceptions,
        plan_sections=plan_sections(data),
        recent_periods=RECENT_PERIODS,
    )


# --- printing --------------------------------------------------------------------------------------

_printing_ready = False


def _prepare_printing() -> None:
    """Once per process: the page list the PDF writer looks up, kept instead of built each time.

    Tagging for PDF/UA links every tagged piece of text to its page, and the PDF writer builds the list
    of all page references afresh for each look-up: tens of thousands of look-ups times hundreds of
    pages, nearly a tenth of the time a 1,000-action report took. The list only ever grows (pages
    are appended), so one kept per length of the page list gives the same answer.
    """
    global _printing_ready
    if _printing_ready:
        return
    import pydyf

    def page_references(pdf: pydyf.PDF) -> tuple[bytes, ...]:
        kids = pdf.pages["Kids"]
        kept = pdf.__dict__.get("_tracker_page_references")
        if kept is None or kept[0] != len(kids):
            kept = (len(kids), tuple(f"{number} 0 R".encode("ascii") for number in kids[::3]))
            pdf.__dict__["_tracker_page_references"] = kept
        return kept[1]

    if isinstance(getattr(pydyf.PDF, "page_references", None), property):
        pydyf.PDF.page_references = property(page_references)  # type: ignore[method-assign,assignment]
    _printing_ready = True


@cache
def _document_class(base_stylesheet: str) -> type:
    """WeasyPrint's HTML with report-base.css in place of its default stylesheet.

    `_ua_stylesheets` is WeasyPrint's own (pinned in requirements.txt); tests/unit/test_report_printing.py
    fails if an upgrade renames it, which would otherwise only make printing slower."""
    from weasyprint import CSS, HTML
    from weasyprint.css.counters import CounterStyle

    # Counter styles (the page numbers' decimal) still come from WeasyPrint's own defaults.
    defaults = CSS(filename=base_stylesheet, counter_style=CounterStyle())

    class ReportHTML(HTML):
        def _ua_stylesheets(self, forms: bool = False) -> list:
            return [defaults]

    return ReportHTML


def print_html(html: str, stylesheet: str) -> bytes:
    """HTML to PDF bytes: the part that runs in a child process (no app, no database)."""
    from weasyprint import CSS

    _prepare_printing()
    document = _document_class(_base_stylesheet(stylesheet))(string=html, base_url=str(Path(stylesheet).parent))
    return document.write_pdf(stylesheets=[CSS(filename=stylesheet)], pdf_variant=PDF_VARIANT)


# WeasyPrint holds the layout of every page until the file is written: hundreds of megabytes for a
# plan of a thousand actions, which a long-lived server process would keep (Python seldom returns
# memory to the system). So a large PDF is printed in a child process that exits afterwards. The
# children come from a forkserver (a clean single-threaded process with WeasyPrint already
# imported), never forked from the threaded server itself. A small report (a plan like Coventry's
# adds about 80 MB once, reused afterwards) is printed in the server process: a fresh child would
# load the fonts again each time, which costs more than the printing.
IN_PROCESS_ACTIONS = 200
_printer: ProcessPoolExecutor | None = None
_printer_lock = threading.Lock()
PRINTERS = 2


def _pool() -> ProcessPoolExecutor:
    global _printer
    with _printer_lock:
        if _printer is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["weasyprint"])
            _printer = ProcessPoolExecutor(max_workers=PRINTERS, mp_context=context, max_tasks_per_child=1)
        return _printer


def report_pdf_bytes(data: ReportData, *, in_process: bool = False) -> bytes:
    html, stylesheet = report_html(data), str(_stylesheet())
    if in_process or len(data.actions) <= IN_PROCESS_ACTIONS or current_app.config.get("PDF_IN_PROCESS"):
        return print_html(html, stylesheet)
    try:
        return _pool().submit(print_html, html, stylesheet).result()
    except BrokenProcessPool:
        global _printer
        with _printer_lock:
            _printer = None
        current_app.logger.warning("The PDF printer process failed; printing in the server process instead")
        return print_html(html, stylesheet)
