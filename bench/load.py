"""Load: 50 people at once against gunicorn as `make run` starts it, on PostgreSQL and on SQLite.

    make bench-load                                        (installs Locust, then runs this)
    .venv/bin/python -m bench.load                         both databases, 50 users, 60 s each
    .venv/bin/python -m bench.load --databases sqlite --users 20 --duration 30 --wait 0.5-2
    .venv/bin/python -m bench.load --regenerate            generate the partnership again

For each database: the benchmark partnership (bench/generate.py at --scale, default 1: 20 plans,
10,000 actions, 200,000 history rows) is generated once into a seed database and kept
(PostgreSQL: tracker_bench_load_seed; SQLite: bench/out/load-seed-<scale>.db); each run copies
the seed (so every run starts from the same data, whatever the last run's updates wrote), starts
gunicorn with 2 workers of 4 threads as `make run` does, and runs Locust headless
(bench/locustfile.py, in .venv-bench): --users action owners, each signed in as a different
owner, mixing the dashboard, a plan's page, "My actions", their actions' pages and progress
updates (real POSTs with the CSRF token), pausing --wait seconds between pages, for --duration
seconds after all have signed in (the sign-ins are left out of the figures). It prints requests
per second, the median, 95th and 99th percentile response times and the errors, per database,
and the server's own errors from its log. Nothing here asserts: the goal (no errors, 95th
percentile under 300 ms) is read from the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess  # nosec B404 - starts our own gunicorn and Locust
import sys
import time
import urllib.request
from pathlib import Path

from bench.databases import settle
from bench.generate import BENCH_PASSWORD, BENCH_TODAY, Sizes, generate

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
LOCUST = ROOT / ".venv-bench" / "bin" / "locust"
POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/tracker_bench_load")


def _urls(database: str, scale: float) -> tuple[str, str]:
    """The seed database (generated once, kept) and the one a run uses (copied from the seed)."""
    from sqlalchemy.engine import make_url

    if database == "sqlite":
        return f"sqlite:///{OUT / f'load-seed-{scale:g}.db'}", f"sqlite:///{OUT / f'load-run-{scale:g}.db'}"
    run = make_url(POSTGRES)
    seed = run.set(database=f"{run.database}_seed")
    return seed.render_as_string(hide_password=False), run.render_as_string(hide_password=False)


def _ensure_seed(database: str, url: str, scale: float, regenerate: bool) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import func, select, text

    from bench.dashboard import _app, _fresh
    from tracker.extensions import db
    from tracker.models import Action

    existing = None
    if not regenerate:
        app = _app(url)
        with app.app_context():
            try:
                existing = db.session.scalar(select(func.count(Action.id)))
            except Exception:  # no database or no tables yet
                db.session.rollback()
            db.engine.dispose()
    if existing != Sizes.at(scale).actions:
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
            db.engine.dispose()
    app = _app(url)
    with app.app_context():
        upgrade()  # a kept seed may predate a migration
        db.engine.dispose()
    # A tracker in use keeps each action's state at past month ends and meeting days (the nightly
    # job writes them); without them, the first 50 views at once would each rebuild the trend from
    # history. Run every time: it writes only the days a kept seed is missing.
    started = time.perf_counter()
    env = {**os.environ, "DATABASE_URL": url, "TRACKER_TODAY": BENCH_TODAY.isoformat()}
    flask = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", "dashboard", "month-ends"]
    subprocess.run(flask, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603  # nosec B603
    print(f"  kept the month-end and meeting-day states in {time.perf_counter() - started:.0f} s")
    with app.app_context():
        if database == "sqlite":
            db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
            db.session.commit()
        db.engine.dispose()


def _copy(database: str, seed: str, run: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    if database == "sqlite":
        target = make_url(run).database
        for suffix in ("", "-wal", "-shm"):
            Path(target + suffix).unlink(missing_ok=True)
        shutil.copyfile(make_url(seed).database, target)
        return
    admin = create_engine(make_url(run).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        # A template must have no other session: the migration check above may leave a pooled one behind.
        connection.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :seed"),
            {"seed": make_url(seed).database},
        )
        connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(run).database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{make_url(run).database}" TEMPLATE "{make_url(seed).database}"'))
    admin.dispose()


def _world(url: str, users: int) -> dict:
    """Owners who hold a post with actions, each with their actions' ids, and the plans."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT u.email, o.action_id FROM user_account u"
                " JOIN post_holder h ON h.user_id = u.id"
                " JOIN action_owner o ON o.post_id = h.post_id"
                " WHERE u.role = 'owner' ORDER BY u.id, o.action_id"
            )
        ).all()
        plans = [row[0] for row in connection.execute(text("SELECT id FROM plan ORDER BY id"))]
    engine.dispose()
    owners: dict[str, list[int]] = {}
    for email, action_id in rows:
        owners.setdefault(email, []).append(action_id)
    chosen = [{"email": email, "actions": ids} for email, ids in list(owners.items())[:users]]
    return {"owners": chosen, "plans": plans, "password": BENCH_PASSWORD}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_gunicorn(url: str, port: int, log: Path) -> subprocess.Popen:
    """gunicorn exactly as `make run` starts it (2 workers x 4 threads, access log on)."""
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "TRACKER_TODAY": BENCH_TODAY.isoformat(),
        "SECRET_KEY": "benchmark-only-not-secret",
        "UPLOAD_FOLDER": str(OUT / "load-evidence"),
    }
    command = [str(GUNICORN), "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "4",
               "--access-logfile", "-", "wsgi:app"]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)  # noqa: S603  # nosec B603
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):  # nosec B310 - our own server
                return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit(f"gunicorn did not start; see {log}")


def _run_locust(port: int, users_file: Path, result: Path, users: int, duration: int, wait: str) -> None:
    command = [
        str(LOCUST), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless", "--host", f"http://127.0.0.1:{port}",
        "--users", str(users), "--spawn-rate", str(max(1, users // 5)),
        # A safety net: the locustfile ends the run LOAD_DURATION seconds after the last person signed in.
        "--run-time", f"{duration + 300}s", "--only-summary", "--exit-code-on-error", "0", "--loglevel", "WARNING",
    ]  # fmt: skip
    env = {
        **os.environ,
        "LOAD_USERS_FILE": str(users_file),
        "LOAD_RESULT_FILE": str(result),
        "LOAD_USERS": str(users),
        "LOAD_DURATION": str(duration),
        "LOAD_WAIT": wait,
    }
    result.unlink(missing_ok=True)
    subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603  # nosec B603


def _percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else 0.0


def _figures(times: list[float], seconds: float, errors: int) -> dict:
    ordered = sorted(times)
    return {
        "requests": len(ordered),
        "per_second": len(ordered) / seconds if seconds else 0.0,
        "median": _percentile(ordered, 0.5),
        "p95": _percentile(ordered, 0.95),
        "p99": _percentile(ordered, 0.99),
        "errors": errors,
    }


# A 5xx in the access log, an error logged by the tracker, gunicorn's own errors (a worker timed out), a traceback.
_SERVER_ERROR = re.compile(r'" 5\d\d |\] ERROR |\[ERROR\]|\[CRITICAL\]|^Traceback')


def _server_errors(log: Path) -> list[str]:
    text = log.read_text(encoding="utf-8", errors="replace")
    return [line for line in text.splitlines() if _SERVER_ERROR.search(line)]


def _stop(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def run(database: str, args) -> dict:
    OUT.mkdir(exist_ok=True)
    seed, url = _urls(database, args.scale)
    print(f"== {database}: preparing the partnership (scale {args.scale:g})", flush=True)
    _ensure_seed(database, seed, args.scale, args.regenerate)
    _copy(database, seed, url)
    users_file = OUT / f"load-users-{database}.json"
    users_file.write_text(json.dumps(_world(url, args.users)), encoding="utf-8")
    port = _free_port()
    log = OUT / f"load-gunicorn-{database}.log"
    server = _start_gunicorn(url, port, log)
    result = OUT / f"load-result-{database}.json"
    try:
        print(f"   {args.users} users for {args.duration} s (pauses of {args.wait} s between pages); "
              f"load average before: {os.getloadavg()[0]:.1f}", flush=True)  # fmt: skip
        _run_locust(port, users_file, result, args.users, args.duration, args.wait)
    finally:
        load_after = os.getloadavg()[0]
        _stop(server)
    print(f"   load average at the end: {load_after:.1f} (the machine's other work shows in the figures)")
    measured = json.loads(result.read_text(encoding="utf-8"))
    seconds = measured["seconds"]
    print(f"   {'page':30} {'requests':>8} {'errors':>6} {'median':>7} {'95th':>6} {'99th':>6}  (ms)")
    for name, times in sorted(measured["times"].items()):
        page = _figures(times, seconds, len(measured["errors"].get(name, [])))
        print(f"   {name:30} {page['requests']:>8} {page['errors']:>6} {page['median']:>7.0f} "
              f"{page['p95']:>6.0f} {page['p99']:>6.0f}")  # fmt: skip
    every = [t for times in measured["times"].values() for t in times]
    summary = {
        "database": database,
        **_figures(every, seconds, sum(len(e) for e in measured["errors"].values())),
        "server_errors": _server_errors(log),
    }
    for name, messages in measured["errors"].items():
        print(f"   errors on {name}: {sorted(set(messages))[:3]}")
    for line in summary["server_errors"][:5]:
        print(f"   server: {line[:300]}")
    print(f"   {database}: {summary['per_second']:.1f} requests/s over {seconds:.0f} s, median {summary['median']:.0f} ms, "
          f"95th {summary['p95']:.0f} ms, 99th {summary['p99']:.0f} ms, {summary['errors']} errors "
          f"({summary['requests']:,} requests), {len(summary['server_errors'])} server errors logged")  # fmt: skip
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--databases", nargs="+", default=["postgresql", "sqlite"], choices=["postgresql", "sqlite"])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=int, default=60, help="seconds measured, after every user signed in")
    parser.add_argument("--wait", default="1-3", help="seconds a person pauses between pages: 'low-high' or one number")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--regenerate", action="store_true", help="generate the partnership again")
    args = parser.parse_args(argv)
    if not LOCUST.exists():
        print(f"Locust is not installed in {LOCUST.parent.parent}: run `make bench-load`", file=sys.stderr)
        return 2
    results = [run(database, args) for database in args.databases]
    print(f"\n{args.users} users, {args.duration} s, pauses of {args.wait} s; times in ms")
    print("database     requests/s  median   95th   99th  errors")
    for r in results:
        print(f"{r['database']:12} {r['per_second']:>10.1f} {r['median']:>7.0f} {r['p95']:>6.0f} {r['p99']:>6.0f} "
              f"{r['errors'] + len(r['server_errors']):>7}")  # fmt: skip
    return 1 if any(r["errors"] or r["server_errors"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
