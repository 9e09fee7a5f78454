"""Server time and SQL statements per page on a large partnership, on SQLite and on PostgreSQL.

    .venv/bin/python -m bench.dashboard                          scale 1, both databases
    .venv/bin/python -m bench.dashboard --scale 0.2 --requests 10 --databases sqlite
    .venv/bin/python -m bench.dashboard --reuse                  keep the data generated last time

For each database: a fresh database, the real migrations, the generated partnership (bench/generate.py),
then each page requested through the app (Flask's test client, so the time is the server's own:
routing, queries, templates; no network) a few times to warm up and then --requests times. It prints
the median and 95th percentile server time and the SQL statements each request made.

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
from dataclasses import dataclass
from pathlib import Path

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
    return POSTGRES_URL


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
    from sqlalchemy import func, select, text

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
            db.session.execute(text("ANALYZE"))
            db.session.commit()
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


def _measure(app, client, page: str, url: str, requests: int, before_each: Callable[[], None] | None = None) -> Timing:
    from tracker.extensions import db

    with app.app_context():
        engine = db.engine
    for _ in range(2):  # warm up: the trend's points kept, the templates compiled
        assert client.get(url).status_code == 200, url
    timing = Timing(page, [], [])
    for _ in range(requests):
        if before_each:
            before_each()
        with _counting(engine) as statements:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (url, response.status_code)
        timing.times_ms.append(elapsed)
        timing.statements.append(statements[0])
    return timing


def run(database: str, scale: float, requests: int, reuse: bool) -> list[Timing]:
    from sqlalchemy import delete, func, select

    from tracker.data_version import move_on
    from tracker.extensions import db
    from tracker.models import Action, Plan, Rag, RagTrendPoint
    from tracker.services.history import apply_changes

    os.environ["TRACKER_TODAY"] = BENCH_TODAY.isoformat()
    app = _prepare(database, scale, reuse)
    with app.app_context():
        plan_id = db.session.scalar(select(Plan.id).order_by(Plan.id))
        action_count = db.session.scalar(select(func.max(Action.id)))
    board = _client(app, BOARD_MEMBER)

    def data_changed() -> None:
        """A change to everything (the nightly auto-amber run, an import): every plan is counted again."""
        with app.app_context():
            move_on()

    rng = random.Random(2017)

    def one_action_changed() -> None:
        """What owners do all day: one action in one plan changes, through the tracker's own service."""
        with app.app_context():
            action = db.session.get(Action, rng.randint(1, action_count))
            rating = Rag.AMBER if action.delivery_rag is not Rag.AMBER else Rag.GREEN
            apply_changes(action, {"delivery_rag": rating}, None, "Benchmark: a rating changed")
            db.session.commit()

    def trend_forgotten() -> None:
        with app.app_context():
            db.session.execute(delete(RagTrendPoint))
            db.session.commit()
            move_on()  # kept points are not data a dashboard is kept under: say the data changed too

    dashboards = [
        ("dashboard", "/dashboard"),
        ("dashboard, one plan", f"/dashboard?plan={plan_id}"),
        ("dashboard as at 30 June 2016", "/dashboard?as_at=2016-06-30"),
    ]

    def working_day() -> Callable[[], None]:
        """Before the board's views: the nightly job once, then an owner's update before one view in three."""
        views = iter(range(10**9))

        def before_view() -> None:
            n = next(views)
            if n == 0:
                data_changed()
            elif rng.random() < 1 / 3:
                one_action_changed()

        return before_view

    timings = [_measure(app, board, "dashboard: a working day", "/dashboard", requests, working_day())]
    timings[-1].note = "after the nightly job; an owner's update before one view in three"
    timings.append(_measure(app, board, "dashboard: one action changed", "/dashboard", requests, one_action_changed))
    timings[-1].note = "an owner's update before each view: only its plan is counted again"
    for page, url in dashboards:
        timings.append(_measure(app, board, f"{page}: counted afresh", url, requests, data_changed))
        timings[-1].note = "every plan changed before each view"
    timings.append(_measure(app, board, "dashboard: data unchanged since last view", "/dashboard", requests))
    timings[-1].note = "the result counted for the last view"
    first = _measure(app, board, "dashboard: first view, trend counted", "/dashboard", 3, trend_forgotten)
    first.note = "3 views, each rebuilding 26 month ends from history"
    timings.append(first)
    timings.append(_measure(app, board, "plan page", f"/plans/{plan_id}", requests))
    timings.append(
        _measure(app, board, "list: red or overdue (first 100)", "/dashboard/actions?red_or_overdue=1", requests)
    )
    if "actions.my_actions" in app.view_functions:
        with app.test_request_context():
            from flask import url_for

            my_actions = url_for("actions.my_actions")
        timings.append(_measure(app, _client(app, OWNER), "my actions", my_actions, requests))
    else:
        timings.append(Timing("my actions", [], [], "skipped: actions.my_actions is not a page in this build"))
    return timings


def report(database: str, timings: list[Timing]) -> None:
    print(f"\n{database}")
    print(f"  {'page':<46} {'median':>8} {'p95':>8} {'statements':>11}")
    for timing in timings:
        if not timing.times_ms:
            print(f"  {timing.page:<46} {timing.note}")
            continue
        statements = sorted(set(timing.statements))
        counted = str(statements[0]) if len(statements) == 1 else f"{statements[0]}-{statements[-1]}"
        print(f"  {timing.page:<46} {timing.median:6.0f} ms {timing.p95:6.0f} ms {counted:>11}"
              + (f"   ({timing.note})" if timing.note else ""))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 20 plans and 10,000 actions (default)")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page (default 30)")
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--reuse", action="store_true", help="keep the data already generated at this scale")
    args = parser.parse_args()
    sizes = Sizes.at(args.scale)
    print(
        f"Partnership at scale {args.scale:g}: {sizes.plans} plans, {sizes.actions:,} actions, "
        f"about {20 * sizes.actions:,} history rows, {sizes.users} users, {sizes.agencies} agencies; "
        f"today pinned to {BENCH_TODAY:%d %B %Y}; {args.requests} timed requests per page."
    )
    for database in args.databases:
        print(f"\nPreparing {database} ...")
        report("SQLite" if database == "sqlite" else "PostgreSQL", run(database, args.scale, args.requests, args.reuse))


if __name__ == "__main__":
    main()
