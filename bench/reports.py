"""Time to produce each progress-report format, and the process's memory afterwards.

    .venv/bin/python -m bench.reports                       Coventry, 1,000 and 10,000 actions on SQLite
    .venv/bin/python -m bench.reports --databases sqlite postgresql --reuse
    .venv/bin/python -m bench.reports --pdf-10000           also the PDF of all 10,000 actions (minutes)
    .venv/bin/python -m bench.reports --reuse --formats pdf --pdf-in-process --profile-pdf bench/out/pdf.prof

Every file is downloaded from the reports page through the app (Flask's test client: the view, the
queries, the rendering; no network), as a board member, so the time is the server's own. Plans:

- the Coventry plan (53 actions, tracker/demo), as at 30 September 2015;
- 1,000 actions: "All plans" of the benchmark partnership at scale 0.1 (bench/generate.py: 2 plans);
- 10,000 actions: "All plans" at scale 1 (20 plans).

Each download is made once to warm up (templates compiled, fonts loaded) and then --repeat times;
the median wall-clock time is printed, and this process's CPU time (which a busy machine does not
inflate; a PDF printed in a child process, as the server does, is not in it: --pdf-in-process
counts it). Memory is the resident set size of this process, which does what a gunicorn worker
does, after producing them all (and its peak). Nothing here asserts.

--profile-pdf FILE prints the 1,000-action PDF once more in this process under cProfile, writes the
profile to FILE (for pstats or snakeviz) and prints the functions that took the most time: where the
printing goes, which is what bench/README.md reports.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import statistics
import time
from pathlib import Path

from bench.dashboard import OUT, _client, _fresh, _prepare

GOALS = {
    ("Coventry (53 actions)", "pdf"): 2.0,
    ("1,000 actions", "pdf"): 8.0,
    ("10,000 actions", "csv"): 1.0,
    ("10,000 actions", "xlsx"): 5.0,
}
BOARD_MEMBER = "user1@bench.example.org"


def _rss_mb() -> tuple[float, float]:
    current = 0.0
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            current = int(line.split()[1]) / 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return current, peak


def _time(client, url: str, repeat: int) -> tuple[float, float, int]:
    """Median wall-clock and CPU seconds of this process (CPU is what a busy machine does not inflate)."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    times, cpu, size = [], [], 0
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        body = response.data  # a streamed CSV is produced while it is read
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        assert response.status_code == 200, (url, response.status_code)
        size = len(body)
    return statistics.median(times), statistics.median(cpu), size


def _coventry_app(database: str):
    from flask_migrate import upgrade

    from bench.dashboard import _app
    from tracker.demo import create_demo_accounts, load_demo_plan
    from tracker.extensions import db

    if database == "sqlite":
        OUT.mkdir(exist_ok=True)
        url = f"sqlite:///{OUT / 'bench-coventry.db'}"
    else:
        url = os.environ.get(
            "BENCH_POSTGRES_URL_COVENTRY", "postgresql+psycopg://postgres@127.0.0.1:5432/tracker_bench_coventry"
        )
    _fresh(database, url)
    app = _app(url)
    with app.app_context():
        upgrade()
        plan_id = load_demo_plan().plan.id
        create_demo_accounts()
        db.session.commit()
    return app, plan_id


def _print(label: str, file_format: str, timing: tuple[float, float, int]) -> None:
    seconds, cpu, size = timing
    goal = GOALS.get((label, file_format))
    verdict = f"goal < {goal:g} s: {'met' if seconds < goal else 'NOT met'}" if goal else ""
    print(f"  {label:<22} {file_format:<5} {seconds:7.2f} s  (CPU {cpu:6.2f} s)  {size / 1024:8.0f} KB  {verdict}",
          flush=True)  # fmt: skip


def _profile_pdf(client, path: str) -> None:
    """The 1,000-action PDF printed once under cProfile (in this process, whatever --pdf-in-process says)."""
    import cProfile
    import pstats

    from tracker.reports import pdf

    profile = cProfile.Profile()
    original = pdf.print_html

    def profiled(html: str, stylesheet: str) -> bytes:
        profile.enable()
        try:
            return original(html, stylesheet)
        finally:
            profile.disable()

    pdf.print_html = profiled
    try:
        client.application.config["PDF_IN_PROCESS"] = True
        assert client.get("/reports?format=pdf").status_code == 200
    finally:
        pdf.print_html = original
    profile.dump_stats(path)
    print(f"  profile of the 1,000-action PDF written to {path}; the most time, cumulative:", flush=True)
    pstats.Stats(profile).sort_stats("cumulative").print_stats(25)


def run(
    database: str,
    repeat: int,
    reuse: bool,
    pdf_10000: bool,
    pdf_in_process: bool,
    formats: tuple[str, ...] = ("pdf", "xlsx", "csv"),
    profile_pdf: str | None = None,
) -> None:
    print(f"{database}:", flush=True)
    os.environ["TRACKER_TODAY"] = "2015-09-30"
    app, plan_id = _coventry_app(database)
    app.config["PDF_IN_PROCESS"] = pdf_in_process
    client = app.test_client()
    response = client.post("/sign-in", data={"email": "board@example.org", "password": "demo-board-password"})
    assert response.status_code == 302, "could not sign in as the demo board member"
    for file_format in formats:
        _print(
            "Coventry (53 actions)", file_format, _time(client, f"/reports?plan={plan_id}&format={file_format}", repeat)
        )

    from bench.generate import BENCH_TODAY

    os.environ["TRACKER_TODAY"] = BENCH_TODAY.isoformat()
    for scale, label in ((0.1, "1,000 actions"), (1.0, "10,000 actions")):
        app = _prepare(database, scale, reuse)
        app.config["PDF_IN_PROCESS"] = pdf_in_process
        client = _client(app, BOARD_MEMBER)
        wanted = [f for f in formats if f != "pdf" or scale < 1 or pdf_10000]
        for file_format in wanted:
            pdf = file_format == "pdf"
            _print(label, file_format, _time(client, f"/reports?format={file_format}", 1 if pdf else repeat))
        if profile_pdf and scale < 1:
            _profile_pdf(client, profile_pdf)
        gc.collect()
    current, peak = _rss_mb()
    print(f"  memory after producing them: {current:.0f} MB resident (peak {peak:.0f} MB)", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--databases", nargs="+", default=["sqlite"], choices=["sqlite", "postgresql"])
    parser.add_argument("--repeat", type=int, default=3, help="timed downloads of each file (median printed)")
    parser.add_argument("--reuse", action="store_true", help="keep the partnership generated last time")
    parser.add_argument("--pdf-10000", action="store_true", help="also the PDF of all 10,000 actions")
    parser.add_argument(
        "--pdf-in-process",
        action="store_true",
        help="print PDFs in this process rather than a child (so CPU time counts the printing; memory grows)",
    )
    parser.add_argument("--formats", nargs="+", default=["pdf", "xlsx", "csv"], choices=["pdf", "xlsx", "csv"])
    parser.add_argument("--profile-pdf", metavar="FILE", help="profile the 1,000-action PDF's printing into FILE")
    args = parser.parse_args()
    for database in args.databases:
        run(
            database,
            args.repeat,
            args.reuse,
            args.pdf_10000,
            args.pdf_in_process,
            tuple(args.formats),
            args.profile_pdf,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
