"""How long a 20 MB evidence file takes to upload (the whole progress update) and to download, in
each store: the local folder, the database (SQLite and PostgreSQL) and S3 (moto's server, on this
machine), and the most Python memory one download holds at once (the files are streamed in parts).

Run: .venv/bin/python -m bench.evidence_stores
Scratch databases: bench/out/evidence.db and `tracker_bench_evidence` on 127.0.0.1 as postgres
(BENCH_POSTGRES_URL overrides the server); PostgreSQL and S3 are skipped with a message when missing.
"""

from __future__ import annotations

import io
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import date
from pathlib import Path

os.environ.setdefault("ARGON2_TIME_COST", "1")
os.environ.setdefault("ARGON2_MEMORY_COST_KIB", "1024")


from bench.databases import fresh_postgres_url, fresh_sqlite_url

OUT = Path(__file__).resolve().parent / "out"
POSTGRES_DATABASE = "tracker_bench_evidence"
SIZE = 20 * 1024 * 1024 - 1024  # just under the limit
RUNS = 3
PASSWORD = "bench-password-not-guessable-8271"  # noqa: S105 (a scratch account in a scratch database)
FILE = b"%PDF-1.4\n" + bytes(range(256)) * ((SIZE - 9) // 256)


def _s3_server() -> tuple[subprocess.Popen, str] | None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603 (our own command)
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        print("moto's S3 server did not start; S3 skipped.")
        return None
    # moto accepts any credentials; boto3 wants some.
    os.environ.update(
        {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "eu-west-2"}
    )
    import boto3

    endpoint = f"http://127.0.0.1:{port}"
    boto3.client("s3", endpoint_url=endpoint).create_bucket(
        Bucket="bench-evidence", CreateBucketConfiguration={"LocationConstraint": "eu-west-2"}
    )
    return process, endpoint


def _bench(label: str, database_url: str, settings: dict) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import select

    from tracker import create_app
    from tracker.extensions import db
    from tracker.models import Action, ActionOwner, Evidence, Objective, OwnerKind, Plan, Post, Role, Strand
    from tracker.services.accounts import create_user

    folder = Path(tempfile.mkdtemp(prefix="bench-evidence-"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                      "UPLOAD_FOLDER": str(folder / "evidence"), **settings})  # fmt: skip
    with app.app_context():
        upgrade()
        post = Post(name="CSE Co-ordinator")
        plan = Plan(name="Bench plan")
        strand = Strand(name="Protect", position=0)
        objective = Objective(number=1, statement="Objective", position=0)
        strand.objectives.append(objective)
        plan.strands.append(strand)
        db.session.add_all([post, plan])
        db.session.flush()
        action = Action(objective_id=objective.id, text="Train staff", due_date=date(2030, 1, 1), position=0)
        action.owners.append(ActionOwner(post=post, kind=OwnerKind.RESPONSIBLE, position=0))
        db.session.add(action)
        owner = create_user(email="owner@example.org", name="Owner", role=Role.OWNER, password=PASSWORD)
        owner.posts.append(post)
        db.session.commit()
        action_id = action.id
    client = app.test_client()
    client.post("/sign-in", data={"email": "owner@example.org", "password": PASSWORD})
    uploads, downloads = [], []
    for run in range(RUNS):
        form = client.get(f"/actions/{action_id}/update").get_data(as_text=True)
        stamps = {
            name: re.search(rf'name="{name}"[^>]*value="([^"]*)"', form).group(1) for name in ("version", "opened_at")
        }
        data = {**stamps, "delivery_rag": "green", "outcome_rag": "not_rated", "status": "in_progress",
                "commentary": f"Run {run}", "evidence_file": (io.BytesIO(FILE), "evidence.pdf")}  # fmt: skip
        started = time.perf_counter()
        response = client.post(f"/actions/{action_id}/update", data=data, content_type="multipart/form-data")
        uploads.append(time.perf_counter() - started)
        assert response.status_code == 302, (label, response.status_code)
    with app.app_context():
        evidence_ids = list(db.session.scalars(select(Evidence.id)))
    for evidence_id in evidence_ids:
        started = time.perf_counter()
        response = client.get(f"/evidence/{evidence_id}/download")
        size = sum(len(chunk) for chunk in response.response)
        downloads.append(time.perf_counter() - started)
        assert size == len(FILE), (label, size)
    tracemalloc.start()
    response = client.get(f"/evidence/{evidence_ids[0]}/download")
    for _chunk in response.response:
        pass
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"  {label:<22} upload {statistics.median(uploads) * 1000:7.0f} ms   "
          f"download {statistics.median(downloads) * 1000:6.0f} ms   download peak {peak / 2**20:5.1f} MB")  # fmt: skip
    with app.app_context():
        db.engine.dispose()


def main() -> int:
    print(f"A {len(FILE) / 2**20:.0f} MB file, median of {RUNS} (upload: the whole progress update with its file)")
    _bench("folder (SQLite)", fresh_sqlite_url("evidence"), {"EVIDENCE_STORAGE": "folder"})
    _bench("database (SQLite)", fresh_sqlite_url("evidence"), {"EVIDENCE_STORAGE": "database"})
    if url := fresh_postgres_url(POSTGRES_DATABASE):
        _bench("database (PostgreSQL)", url, {"EVIDENCE_STORAGE": "database"})
    if started := _s3_server():
        process, endpoint = started
        try:
            _bench("S3 (moto, SQLite)", fresh_sqlite_url("evidence"), {"EVIDENCE_STORAGE": "s3", "EVIDENCE_S3_BUCKET": "bench-evidence",
                                                        "EVIDENCE_S3_ENDPOINT_URL": endpoint})  # fmt: skip
        finally:
            process.terminate()
    return 0


if __name__ == "__main__":
    sys.exit(main())
