"""Requests per second at 20 connections, beside Redmine's, with each gunicorn worker's memory.

    .venv/bin/python -m bench.throughput                       scale 1, SQLite then PostgreSQL
    .venv/bin/python -m bench.throughput --databases sqlite --seconds 10
    .venv/bin/python -m bench.throughput --rounds 4            run the pages four times (does memory level off?)
    .venv/bin/python -m bench.throughput --fresh               generate the partnership again

For each database it keeps a generated partnership (bench/generate.py; SQLite:
bench/out/throughput-<scale>.db, PostgreSQL: tracker_bench_throughput on 127.0.0.1 as postgres, or
BENCH_THROUGHPUT_POSTGRES_URL) and reuses it on the next run. It starts gunicorn as `make run` does
(2 workers x 4 threads, the access log written), signs in as a board member and runs wrk
(`wrk -t2 -c20 -d20s --latency`, Debian's `wrk` package) against each page in turn: a list of 25
actions, the first 100 overdue actions, an action with 20 progress updates, and the dashboard.
It prints requests per second, the median and 99th percentile latency, Redmine's figures measured
on this machine (issue 14) and the ratio, the CPU time the workers spent per request (a better
guide than wall-clock time on a shared machine) and the requests per second that CPU time allows
on this machine's cores ("2 CPUs"), and each worker's resident memory before and after each round.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess  # nosec B404 - starts gunicorn and wrk, the programs being measured
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path

from bench.databases import settle
from bench.generate import BENCH_PASSWORD, BENCH_TODAY, Sizes

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out"
POSTGRES_URL = os.environ.get(
    "BENCH_THROUGHPUT_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/tracker_bench_throughput"
)
BOARD_MEMBER = "user1@bench.example.org"
CONNECTIONS = 20
# Redmine 5.0.4 on this machine (puma 2 x 5) with the same rows, from issue 14:
# page -> (server time median ms, requests per second at 20 connections).
REDMINE = {
    "list of 25 actions": (60.0, 29.0),
    "100 overdue actions": (104.0, 17.5),
    "action with 20 updates": (82.0, 23.0),
    "dashboard": (None, None),
}
SECRET = "benchmark-only-not-secret"  # noqa: S105 - a throwaway server on 127.0.0.1


@dataclass
class Result:
    page: str
    url: str
    requests_per_second: float
    median_ms: float
    p99_ms: float
    errors: int
    cpu_ms_per_request: float


def database_url(database: str, scale: float) -> str:
    if database == "sqlite":
        OUT.mkdir(exist_ok=True)
        return f"sqlite:///{OUT / f'throughput-{scale:g}.db'}"
    return POSTGRES_URL


def prepare(database: str, scale: float, fresh: bool) -> str:
    """The database's address, holding the partnership at this scale (generated unless already there)."""
    from flask_migrate import upgrade
    from sqlalchemy import create_engine, func, select, text
    from sqlalchemy.engine import make_url

    from bench.generate import generate
    from tracker import create_app
    from tracker.extensions import db
    from tracker.models import Action

    url = database_url(database, scale)
    config = {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET}
    existing = None
    if not fresh:
        app = create_app(config)
        with app.app_context():
            try:
                existing = db.session.scalar(select(func.count(Action.id)))
            except Exception:  # no database or no tables yet
                existing = None
            db.engine.dispose()
    if existing == Sizes.at(scale).actions:
        app = create_app(config)
        with app.app_context():
            upgrade()  # a kept database may predate a migration
            _keep_month_ends()
            db.engine.dispose()
        return url
    if database == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(make_url(url).database + suffix).unlink(missing_ok=True)
    else:
        target = make_url(url)
        admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{target.database}"'))
        admin.dispose()
    app = create_app(config)
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        counts = generate(scale)
        db.session.commit()
        _keep_month_ends()
        settle(db.engine)
        db.engine.dispose()
    print(f"  generated {counts.actions:,} actions, {counts.history:,} history rows in "
          f"{time.perf_counter() - started:.0f} s")  # fmt: skip
    return url


def _keep_month_ends() -> None:
    """As the nightly job does in a tracker in use: each action's state and each strand's counts at
    every past month end (without them every dashboard rebuilds its trend from history)."""
    from bench.generate import BENCH_TODAY
    from tracker.jobs import take_month_ends

    take_month_ends(BENCH_TODAY)


def pages(url: str) -> dict[str, str]:
    """The pages measured, found in the data: a filter that lists 25 actions, an action with 20 updates."""
    from sqlalchemy import func, select

    from tracker import create_app
    from tracker.extensions import db
    from tracker.models import ActionOwner, OwnerKind, ProgressUpdate

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET})
    with app.app_context():
        # The accountable post nearest 25 actions, lowest id first (the same every run).
        counted = (
            select(ActionOwner.post_id, func.count().label("n"))
            .where(ActionOwner.kind == OwnerKind.ACCOUNTABLE)
            .group_by(ActionOwner.post_id)
            .subquery()
        )
        post_id = db.session.scalar(
            select(counted.c.post_id).order_by(func.abs(counted.c.n - 27), counted.c.post_id).limit(1)
        )
        action_id = db.session.scalar(
            select(ProgressUpdate.action_id)
            .group_by(ProgressUpdate.action_id)
            .having(func.count() == 20)
            .order_by(ProgressUpdate.action_id)
            .limit(1)
        )
        db.engine.dispose()
    return {
        "list of 25 actions": f"/dashboard/actions?accountable_post={post_id}",
        "100 overdue actions": "/dashboard/actions?overdue=1",
        "action with 20 updates": f"/actions/{action_id}",
        "dashboard": "/dashboard",
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(url: str, port: int) -> subprocess.Popen:
    """gunicorn as `make run` starts it, on the benchmark's database with today pinned."""
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET,
        "TRACKER_TODAY": BENCH_TODAY.isoformat(),
        "SESSION_LIFETIME_MINUTES": "600",
    }
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "--bind", f"127.0.0.1:{port}",
        "--workers", "2",
        "--threads", "4",
        "--access-logfile", str(OUT / "throughput-access.log"),
        "wsgi:app",
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # noqa: S603
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/sign-in", timeout=5):  # nosec B310 - our own server
                break
        except OSError:
            time.sleep(0.3)
    else:
        server.kill()
        raise SystemExit("gunicorn did not start: " + server.stderr.read().decode()[-2000:])
    return server


def workers(server: subprocess.Popen) -> list[int]:
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    return sorted(int(pid) for pid in children)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pids: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def sign_in(base: str) -> str:
    """A board member's session cookie, signed in through the sign-in form as a browser would."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = opener.open(f"{base}/sign-in").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)
    if token is None:
        raise SystemExit("no CSRF token on the sign-in page")
    data = urllib.parse.urlencode({"csrf_token": token.group(1), "email": BOARD_MEMBER, "password": BENCH_PASSWORD})
    opener.open(f"{base}/sign-in", data=data.encode())
    cookies = "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)
    return cookies


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(address: str, cookie: str, seconds: int) -> tuple[float, float, float, int, int]:
    """requests per second, median ms, 99th percentile ms, responses that were not 2xx/3xx, requests."""
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "-H", f"Cookie: {cookie}", address]
    output = subprocess.run(  # noqa: S603 - wrk from the system's packages
        command,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    median = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    timeouts = re.search(r"Socket errors:.*timeout (\d+)", output)
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    return (
        rate,
        median,
        p99,
        (int(errors.group(1)) if errors else 0) + (int(timeouts.group(1)) if timeouts else 0),
        requests,
    )


def measure(database: str, scale: float, seconds: int, rounds: int, fresh: bool) -> None:
    print(f"\nPreparing {database} ...", flush=True)
    url = prepare(database, scale, fresh)
    targets = pages(url)
    port = free_port()
    server = start_gunicorn(url, port)
    base = f"http://127.0.0.1:{port}"
    try:
        cookie = sign_in(base)
        pids = workers(server)
        print(f"  workers {pids}: {', '.join(f'{rss_mb(pid):.0f} MB' for pid in pids)} resident at start")
        for page, path in targets.items():  # warm up: templates compiled, caches as a working server has them
            check = urllib.request.Request(base + path, headers={"Cookie": cookie})  # noqa: S310 - our own server
            with urllib.request.urlopen(check) as response:  # noqa: S310
                if response.url.rstrip("/").endswith("/sign-in"):
                    raise SystemExit(f"{page}: not signed in")
            run_wrk(base + path, cookie, 2)
        for number in range(1, rounds + 1):
            results = []
            for page, path in targets.items():
                _wait_until_idle(pids)
                cpu_before = cpu_seconds(pids)
                rate, median, p99, errors, requests = run_wrk(base + path, cookie, seconds)
                cpu = (cpu_seconds(pids) - cpu_before) * 1000 / max(requests, 1)
                results.append(Result(page, path, rate, median, p99, errors, cpu))
            report(database, number, results)
            print(f"  memory after round {number}: {', '.join(f'{rss_mb(pid):.0f} MB' for pid in pids)}"
                  f"  (load average {os.getloadavg()[0]:.1f})", flush=True)  # fmt: skip
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def _wait_until_idle(pids: list[int], timeout: float = 120) -> None:
    """Wait for the workers to finish what the last run left queued.

    wrk stops sending when its time is up, but gunicorn still answers the requests already in its
    queue (20 connections of dashboards are seconds of work): timed from then, the next page shared
    the cores with them.
    """
    deadline = time.monotonic() + timeout
    before = cpu_seconds(pids)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = cpu_seconds(pids)
        if now - before < 0.02:
            return
        before = now


def report(database: str, number: int, results: list[Result]) -> None:
    print(f"\n  {database}, round {number}: {CONNECTIONS} connections")
    print(f"  {'page':<24} {'req/s':>7} {'Redmine':>8} {'ratio':>6} {'median':>9} {'p99':>8} "
          f"{'CPU/req':>8} {'2 CPUs':>7} {'errors':>6}  address")  # fmt: skip
    for r in results:
        redmine = REDMINE.get(r.page, (None, None))[1]
        theirs = f"{redmine:8.1f}" if redmine else f"{'-':>8}"
        ratio = f"{r.requests_per_second / redmine:6.1f}" if redmine else f"{'-':>6}"
        print(f"  {r.page:<24} {r.requests_per_second:7.1f} {theirs} {ratio} {r.median_ms:6.1f} ms "
              f"{r.p99_ms:5.0f} ms {r.cpu_ms_per_request:5.1f} ms {capacity(r):7.0f} {r.errors:6d}  {r.url}")  # fmt: skip


def capacity(result: Result) -> float:
    """Requests per second the workers' CPU time allows on this machine's cores, were nothing else running.

    On a shared machine this is the better guide to a quiet one; on PostgreSQL the database's own
    CPU time is not in it.
    """
    return (os.cpu_count() or 1) * 1000 / max(result.cpu_ms_per_request, 0.001)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 20 plans and 10,000 actions (default)")
    parser.add_argument("--seconds", type=int, default=20, help="seconds of load per page (default 20)")
    parser.add_argument("--rounds", type=int, default=1, help="times to run every page (memory after each)")
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--fresh", action="store_true", help="generate the partnership again")
    parser.add_argument("--prepare-only", action="store_true", help="generate the data and stop")
    args = parser.parse_args()
    if shutil.which("wrk") is None and not args.prepare_only:
        sys.exit("wrk is missing: apt-get install -y wrk")
    print(f"Throughput at scale {args.scale:g}, {CONNECTIONS} connections, {args.seconds} s a page, "
          f"today pinned to {BENCH_TODAY:%d %B %Y}; {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f} (other work on the machine slows every figure)")  # fmt: skip
    for database in args.databases:
        if args.prepare_only:
            print(database, prepare(database, args.scale, args.fresh))
            continue
        measure(database, args.scale, args.seconds, args.rounds, args.fresh)


if __name__ == "__main__":
    main()
