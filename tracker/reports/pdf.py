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


def print_html(html: str, stylesheet: str) -> bytes:
    """HTML to PDF bytes: the part that runs in a child process (no app, no database)."""
    from weasyprint import CSS, HTML

    document = HTML(string=html, base_url=str(Path(stylesheet).parent))
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
