"""Server time and SQL statements per page on a large partnership, on SQLite and on PostgreSQL.

    .venv/bin/python -m bench.dashboard                          scale 1, both databases
    .venv/bin/python -m bench.dashboard --scales 0.2 --requests 10 --databases sqlite
    .venv/bin/python -m bench.dashboard --scales 1 10 --reuse    both scales side by side, data kept from last time

For each database: a fresh database, the real migrations, the generated partnership (bench/generate.py),
then each page requested through the app (Flask's test client, so the time is the server's own:
routing, queries, templates; no network), each time a different view of its kind (another plan,
agency, past day: every one a first view, as nothing is kept between views), --requests times.
The nightly job's month-end states are written first (timed). It prints the median and 95th
percentile server time, this process's CPU time, the ratio to the raw SQL aggregate the headline
needs (actions by plan and effective RAG) and the SQL statements each request made, with one
column per scale.

PostgreSQL is the database tracker_bench_dashboard on 127.0.0.1 (user postgres, trust authentication);
BENCH_POSTGRES_URL overrides it. Nothing here asserts: timings belong in benchmarks, not tests.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.databases import settle
from bench.generate import BENCH_PASSWORD, BENCH_TODAY, Sizes, generate

OUT = Path(__file__).resolve().parent / "out"
POSTGRES_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/tracker_bench_dashboard"
)
BOARD_MEMBER = "user1@bench.example.org"
OWNER = "user4@bench.example.org"  # holds a post, so has "my actions"


@dataclass
class Timing:
    page: str
    times_ms: list[float]
    statements: list[int]
    note: str = ""
    cpu_ms: list[float] = field(default_factory=list)
    html_bytes: int = 0
    links: int = 0

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.times_ms)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _database_url(database: str, scale: float) -> str:
    if database == "sqlite":
        OUT.mkdir(exist_ok=True)
        return f"sqlite:///{OUT / f'bench-{scale:g}.db'}"
    if scale == 1:
        return POSTGRES_URL
    # One database per scale, so scale 10 (slow to generate) is generated once and reused.
    return POSTGRES_URL + "_s" + format(scale, "g").replace(".", "_")


def _fresh(database: str, url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    if database == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(make_url(url).database + suffix).unlink(missing_ok=True)
        return
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def _app(url: str):
    from tracker import create_app

    return create_app({
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "benchmark-only-not-secret",
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": "tracker.bench",
    })  # fmt: skip


def _prepare(database: str, scale: float, reuse: bool):
    """The app on a database holding the partnership at this scale (generated unless reused)."""
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from tracker.extensions import db
    from tracker.models import Action

    url = _database_url(database, scale)
    expected = Sizes.at(scale).actions
    app = _app(url)
    with app.app_context():
        try:
            existing = db.session.scalar(select(func.count(Action.id))) if reuse else None
        except Exception:  # no tables yet
            existing = None
            db.session.rollback()
    if existing != expected:
        _fresh(database, url)
        app = _app(url)
        with app.app_context():
            upgrade()
            started = time.perf_counter()
            counts = generate(scale)
            db.session.commit()
            settle(db.engine)
            print(f"  generated {counts.actions:,} actions and {counts.history:,} history rows "
                  f"in {time.perf_counter() - started:.0f} s")  # fmt: skip
    with app.app_context():
        upgrade()  # a reused database may predate a migration
    # As wsgi.py does in each worker: what is loaded at start is left out of garbage collection.
    gc.collect()
    gc.freeze()
    return app


@contextmanager
def _counting(engine):
    from sqlalchemy import event

    statements = [0]

    def count(*_args):
        statements[0] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _client(app, email: str):
    client = app.test_client()
    response = client.post("/sign-in", data={"email": email, "password": BENCH_PASSWORD})
    assert response.status_code == 302, f"could not sign in as {email}"
    return client


def _measure(
    app, client, page: str, urls: list[str], requests: int, before_each: Callable[[], None] | None = None
) -> Timing:
    """Request the urls in turn (a different one each time: each view's first), timing each request."""
    from tracker.extensions import db

    with app.app_context():
        engine = db.engine
    assert client.get(urls[0]).status_code == 200, urls[0]  # warm up: the templates compiled
    timing = Timing(page, [], [])
    for n in range(requests):
        url = urls[(n + 1) % len(urls)]
        if before_each:
            before_each()
        with _counting(engine) as statements:
            cpu = time.process_time()
            started = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - started) * 1000
            cpu = (time.process_time() - cpu) * 1000
        assert response.status_code == 200, (url, response.status_code)
        timing.times_ms.append(elapsed)
        timing.cpu_ms.append(cpu)
        timing.statements.append(statements[0])
        timing.html_bytes = len(response.data)
        timing.links = response.data.count(b"<a ")
    return timing


def _raw_aggregate(app, requests: int) -> Timing:
    """The one statement the headline needs: actions by plan and effective RAG, today."""
    from sqlalchemy import func, select

    from tracker.extensions import db
    from tracker.models import Action, Objective, Strand
    from tracker.rag import action_effective_rag_sql

    rag = action_effective_rag_sql(BENCH_TODAY)
    statement = (
        select(Strand.plan_id, rag, func.count())
        .join(Objective, Action.objective_id == Objective.id)
        .join(Strand, Objective.strand_id == Strand.id)
        .group_by(Strand.plan_id, rag)
    )
    timing = Timing("raw SQL: actions by plan and effective RAG", [], [])
    with app.app_context():
        db.session.execute(statement).all()
        for _ in range(requests):
            cpu = time.process_time()
            started = time.perf_counter()
            db.session.execute(statement).all()
            timing.times_ms.append((time.perf_counter() - started) * 1000)
            timing.cpu_ms.append((time.process_time() - cpu) * 1000)
            timing.statements.append(1)
    return timing


def run(database: str, scale: float, requests: int, reuse: bool) -> list[Timing]:
    from sqlalchemy import func, select

    from tracker.extensions import db
    from tracker.jobs import take_month_ends
    from tracker.models import Action, Agency, Plan, Post, Rag, Strand
    from tracker.services.history import apply_changes

    os.environ["TRACKER_TODAY"] = BENCH_TODAY.isoformat()
    app = _prepare(database, scale, reuse)
    with app.app_context():
        started = time.perf_counter()
        kept = take_month_ends(BENCH_TODAY)  # the nightly job: every month end at first, then nothing
        print(f"  month-end states kept: {kept:,} in {time.perf_counter() - started:.1f} s")
        plan_ids = db.session.scalars(select(Plan.id).order_by(Plan.id)).all()
        strand_ids = db.session.scalars(select(Strand.id).order_by(Strand.id)).all()
        agency_ids = db.session.scalars(select(Agency.id).order_by(Agency.id)).all()
        post_ids = db.session.scalars(select(Post.id).order_by(Post.id)).all()
        action_count = db.session.scalar(select(func.max(Action.id)))
    board = _client(app, BOARD_MEMBER)
    rng = random.Random(2017)

    def one_action_changed() -> None:
        """What owners do all day: one action in one plan changes, through the tracker's own service."""
        with app.app_context():
            action = db.session.get(Action, rng.randint(1, action_count))
            rating = Rag.AMBER if action.delivery_rag is not Rag.AMBER else Rag.GREEN
            apply_changes(action, {"delivery_rag": rating}, None, "Benchmark: a rating changed")
            db.session.commit()

    # Past days: a different one each request, mid-month (a month end and the history after it).
    days = [f"2016-{month:02d}-{day:02d}" for month in range(1, 13) for day in (9, 17, 24)]
    month_end_days = ["2016-06-30", "2016-07-31", "2016-08-31", "2016-09-30", "2016-10-31", "2016-11-30"]
    views = [
        ("dashboard", ["/dashboard"], None),
        ("dashboard after an owner's update", ["/dashboard"], one_action_changed),
        ("dashboard, one plan", [f"/dashboard?plan={p}" for p in plan_ids], None),
        ("dashboard, one strand", [f"/dashboard?strand={s}" for s in strand_ids], None),
        ("dashboard, one agency", [f"/dashboard?agency={a}" for a in agency_ids], None),
        ("dashboard, one post", [f"/dashboard?post={p}" for p in post_ids], None),
        ("dashboard as at a past day", [f"/dashboard?as_at={d}" for d in days], None),
        ("dashboard as at a month end", [f"/dashboard?as_at={d}" for d in month_end_days], None),
        (
            "dashboard, plan and agency, past day",
            [
                f"/dashboard?plan={p}&agency={a}&as_at={d}"
                for p, a, d in zip(plan_ids * 9, agency_ids * 4, days, strict=False)
            ],
            None,
        ),
        ("dashboard, one plan, trend by meeting", [f"/dashboard?plan={p}&trend=meetings" for p in plan_ids], None),
    ]
    timings = [_raw_aggregate(app, requests)]
    for page, urls, before in views:
        timings.append(_measure(app, board, page, urls, requests, before))
    timings.append(_measure(app, board, "plan page", [f"/plans/{plan_ids[0]}"], requests))
    timings.append(
        _measure(app, board, "list: red or overdue (first 100)", ["/dashboard/actions?red_or_overdue=1"], requests)
    )
    if "actions.my_actions" in app.view_functions:
        with app.test_request_context():
            from flask import url_for

            my_actions = url_for("actions.my_actions")
        timings.append(_measure(app, _client(app, OWNER), "my actions", [my_actions], requests))
    return timings


def report(database: str, scales: list[float], results: dict[float, list[Timing]]) -> None:
    """One row per view, one column per scale: median, 95th percentile, this process's CPU, ratio to the raw SQL."""
    print(f"\n{database}: median / 95th percentile ms (median CPU ms of this process) x raw SQL; statements")
    header = "".join(f"{'scale ' + format(scale, 'g'):>36}" for scale in scales)
    print(f"  {'view':<44}{header}")
    pages = [timing.page for timing in results[scales[0]]]
    for page in pages:
        cells = []
        for scale in scales:
            timing = next((t for t in results[scale] if t.page == page), None)
            if timing is None or not timing.times_ms:
                cells.append(f"{'-':>36}")
                continue
            raw = results[scale][0].median
            statements = sorted(set(timing.statements))
            counted = str(statements[0]) if len(statements) == 1 else f"{statements[0]}-{statements[-1]}"
            cell = (
                f"{timing.median:.0f} / {timing.p95:.0f} ({statistics.median(timing.cpu_ms):.0f})"
                f" x{timing.median / raw:.1f}; {counted}"
            )
            cells.append(f"{cell:>36}")
        print(f"  {page:<44}{''.join(cells)}")
    dashboard = next(t for t in results[scales[0]] if t.page == "dashboard")
    print(f"  the dashboard's HTML: {dashboard.html_bytes / 1024:.0f} KB, {dashboard.links:,} links")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0], help="1 = 20 plans and 10,000 actions")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per view (default 30)")
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--reuse", action="store_true", help="keep the data already generated at each scale")
    args = parser.parse_args()
    for scale in args.scales:
        sizes = Sizes.at(scale)
        print(
            f"Partnership at scale {scale:g}: {sizes.plans} plans, {sizes.actions:,} actions, "
            f"about {20 * sizes.actions:,} history rows, {sizes.users} users, {sizes.agencies} agencies."
        )
    print(f"Today pinned to {BENCH_TODAY:%d %B %Y}; {args.requests} timed requests per view; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores.")  # fmt: skip
    for database in args.databases:
        results = {}
        for scale in args.scales:
            print(f"\nPreparing {database} at scale {scale:g} ...")
            results[scale] = run(database, scale, args.requests, args.reuse)
        report("SQLite" if database == "sqlite" else "PostgreSQL", args.scales, results)
    print(f"\nLoad average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
