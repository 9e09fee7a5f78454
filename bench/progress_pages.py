"""How fast owners' pages are at scale: "my actions" and a busy action's page.

Builds a throwaway SQLite database through the real migrations with 10,000 actions, 20,000
history entries and one action carrying 300 updates and 2,000 history entries, then prints the
server time for each page (median of several requests).
Run: .venv/bin/python -m bench.progress_pages
The yardstick (Redmine 5 on 2 cores): about 200 ms for one issue page or a 100-row list.

    .venv/bin/python -m bench.progress_pages --partnership [--databases sqlite postgresql]

times instead the pages issue 14 compares with Redmine (a list of 25 actions, the first 100
overdue actions, an action with 20 updates, and the dashboard) on the benchmark partnership
bench/throughput.py keeps (scale 1), one request at a time through the app: median server time,
this process's CPU time per request (on SQLite the queries run in it too) and SQL statements,
beside Redmine's server time on this machine and the ratio.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

os.environ.setdefault("ARGON2_TIME_COST", "1")
os.environ.setdefault("ARGON2_MEMORY_COST_KIB", "1024")

ACTIONS = 10_000
OWNED = 500
HISTORY = 20_000
BUSY_UPDATES = 300
BUSY_HISTORY = 2_000
RUNS = 7


def build(app) -> tuple[int, str]:
    """Fill the database; returns the busy action's id and the owner's email."""
    from sqlalchemy import insert

    from tracker.extensions import db
    from tracker.models import (
        Action,
        ActionOwner,
        HistoryEntry,
        Objective,
        OwnerKind,
        Plan,
        Post,
        ProgressUpdate,
        Rag,
        Role,
        Status,
        Strand,
    )
    from tracker.services.accounts import create_user

    plan = Plan(name="Bench plan", created_at=datetime(2015, 3, 1))
    for s in range(4):
        strand = Strand(name=f"Strand {s}", position=s)
        for o in range(25):
            strand.objectives.append(Objective(number=s * 25 + o + 1, statement=f"Objective {o}", position=o))
        plan.strands.append(strand)
    db.session.add(plan)
    post = Post(name="CSE Co-ordinator")
    db.session.add(post)
    db.session.flush()
    owner = create_user("owner@example.org", "Bench Owner", Role.OWNER, "bench-password-123")
    owner.posts = [post]
    objectives = [o.id for s in plan.strands for o in s.objectives]
    rags = [Rag.RED, Rag.AMBER, Rag.GREEN, Rag.NOT_RATED]
    db.session.execute(
        insert(Action),
        [
            {
                "objective_id": objectives[n % len(objectives)],
                "reference": f"{n // 100 + 1}.{n % 100 + 1}",
                "text": f"Action number {n} for the bench",
                "due_date": date(2015, 4, 1) + timedelta(days=n % 700),
                "status": Status.IN_PROGRESS,
                "delivery_rag": rags[n % 4],
                "outcome_rag": Rag.NOT_RATED,
                "position": n,
                "version": 1,
            }
            for n in range(ACTIONS)
        ],
    )
    ids = list(db.session.scalars(db.select(Action.id).order_by(Action.id)))
    db.session.execute(
        insert(ActionOwner),
        [{"action_id": i, "post_id": post.id, "kind": OwnerKind.RESPONSIBLE, "position": 0} for i in ids[:OWNED]],
    )
    busy = ids[0]
    at = datetime(2015, 4, 1)
    db.session.execute(
        insert(ProgressUpdate),
        [
            {
                "action_id": busy,
                "author_id": owner.id,
                "author_name": owner.name,
                "created_at": at + timedelta(hours=n),
                "commentary": f"Update {n}: " + "progress words " * 20,
                "delivery_rag": rags[n % 3],
                "outcome_rag": Rag.NOT_RATED,
                "status": Status.IN_PROGRESS,
                "no_evidence_reason": "",
            }
            for n in range(BUSY_UPDATES)
        ],
    )
    rows = [
        {
            "action_id": busy if n < BUSY_HISTORY else ids[n % ACTIONS],
            "field": "delivery_rag",
            "old_value": "green",
            "new_value": "amber",
            "actor_id": owner.id,
            "actor_name": owner.name,
            "created_at": at + timedelta(minutes=n),
            "reason": "",
        }
        for n in range(HISTORY)
    ]
    db.session.execute(insert(HistoryEntry), rows)
    db.session.commit()
    return busy, owner.email


def timed(client, url: str) -> float:
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(samples)


def main() -> None:
    from flask_migrate import upgrade

    from tracker import create_app

    folder = Path(tempfile.mkdtemp(prefix="bench-progress-"))
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}",
        "SECRET_KEY": "bench",
        "WTF_CSRF_ENABLED": False,
        "UPLOAD_FOLDER": str(folder / "evidence"),
    })  # fmt: skip
    os.environ["TRACKER_TODAY"] = "2016-01-15"
    with app.app_context():
        upgrade()
        busy, email = build(app)
    client = app.test_client()
    client.post("/sign-in", data={"email": email, "password": "bench-password-123"})
    print(f"{ACTIONS:,} actions, {HISTORY:,} history entries; owner holds {OWNED} actions (SQLite)")
    print(f"  /my-actions ({OWNED} rows):                       {timed(client, '/my-actions'):7.1f} ms")
    print(
        f"  action page ({BUSY_UPDATES} updates, {BUSY_HISTORY:,} history):  {timed(client, f'/actions/{busy}'):7.1f} ms"
    )
    print(f"  update form:                                  {timed(client, f'/actions/{busy}/update'):7.1f} ms")
    print(f"  quiet action page:                            {timed(client, f'/actions/{busy + 1}'):7.1f} ms")


def partnership(databases: list[str], requests: int) -> None:
    from sqlalchemy import event

    from bench.generate import BENCH_PASSWORD, BENCH_TODAY
    from bench.throughput import BOARD_MEMBER, REDMINE, SECRET, pages, prepare
    from tracker import create_app
    from tracker.extensions import db

    os.environ["TRACKER_TODAY"] = BENCH_TODAY.isoformat()
    for database in databases:
        url = prepare(database, 1.0, fresh=False)
        targets = pages(url)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET, "WTF_CSRF_ENABLED": False})
        client = app.test_client()
        client.post("/sign-in", data={"email": BOARD_MEMBER, "password": BENCH_PASSWORD})
        with app.app_context():
            engine = db.engine
        statements = [0]

        def count(*_args, statements=statements) -> None:
            statements[0] += 1

        print(f"\n{database}: server time, one request at a time ({requests} after warming up), "
              f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
        print(f"  {'page':<24} {'median':>9} {'CPU':>8} {'statements':>10} {'Redmine':>8} {'ratio':>6}  address")
        event.listen(engine, "before_cursor_execute", count)
        for page, path in targets.items():
            for _ in range(3):
                assert client.get(path).status_code == 200, path
            times, cpu = [], []
            for _ in range(requests):
                statements[0] = 0
                started, cpu_started = time.perf_counter(), time.process_time()
                client.get(path)
                times.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - cpu_started) * 1000)
            median = statistics.median(times)
            redmine = REDMINE[page][0]
            theirs = f"{redmine:6.0f} ms {redmine / median:6.1f}" if redmine else f"{'-':>9} {'-':>6}"
            print(
                f"  {page:<24} {median:6.1f} ms {statistics.median(cpu):5.1f} ms {statements[0]:>10} {theirs}  {path}"
            )
        event.remove(engine, "before_cursor_execute", count)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--partnership", action="store_true", help="the pages compared with Redmine, at scale 1")
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--requests", type=int, default=30)
    arguments = parser.parse_args()
    if arguments.partnership:
        partnership(arguments.databases, arguments.requests)
    else:
        main()
