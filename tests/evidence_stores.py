"""Fixtures for the evidence stores: a real S3 API server (moto's, in a process of its own) and a
fixture that runs a test once on each store (local folder, database, S3) with probes to look inside.

Import the fixtures into a test module (`from tests.evidence_stores import evidence_store, s3_server`).
Under CI=true the S3 server must start: a failure fails the run instead of skipping.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
from flask import Flask
from sqlalchemy import delete, select

from tests.conftest import IN_CI
from tracker.evidence_store import DATABASE, FOLDER, S3
from tracker.extensions import db
from tracker.models import EvidenceFilePart

BUCKET = "tracker-evidence"
PREFIX = "evidence/"
REGION = "eu-west-2"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "tracker-test", "AWS_SECRET_ACCESS_KEY": "tracker-test-secret"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen) -> bool:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            time.sleep(0.1)
    return False


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """moto's S3 server on a free port; the standard credential variables set for every client,
    this process's and the servers and workers the tests start."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    saved = {name: os.environ.get(name) for name in [*CREDENTIALS, "AWS_DEFAULT_REGION"]}
    try:
        if not _wait_for_port(port, process):
            message = "moto's S3 server did not start (pip install 'moto[server]')"
            if IN_CI:
                pytest.fail(message + " (CI=true requires it)")
            pytest.skip(message)
        os.environ.update(CREDENTIALS, AWS_DEFAULT_REGION=REGION)
        endpoint = f"http://127.0.0.1:{port}"
        client = boto3.client("s3", endpoint_url=endpoint, region_name=REGION, **_keys())
        client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        yield endpoint
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _keys() -> dict[str, str]:
    return {
        "aws_access_key_id": CREDENTIALS["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    }


def s3_settings(endpoint: str) -> dict[str, str]:
    """The environment a server or worker needs to keep evidence in the test bucket."""
    return {
        "EVIDENCE_STORAGE": S3,
        "EVIDENCE_S3_BUCKET": BUCKET,
        "EVIDENCE_S3_PREFIX": PREFIX,
        "EVIDENCE_S3_ENDPOINT_URL": endpoint,
        **CREDENTIALS,
        "AWS_DEFAULT_REGION": REGION,
    }


@dataclass
class StoreProbe:
    """What one store holds, seen from outside the tracker's code."""

    kind: str
    app: Flask
    endpoint: str | None = None

    @property
    def folder(self) -> Path:
        return Path(self.app.config["UPLOAD_FOLDER"])

    def _client(self):
        return boto3.client("s3", endpoint_url=self.endpoint, region_name=REGION, **_keys())

    def names(self) -> set[str]:
        """Every file the store holds (stored names; in the folder, half-written files too)."""
        if self.kind == FOLDER:
            return {p.name for p in self.folder.iterdir()} if self.folder.exists() else set()
        if self.kind == DATABASE:
            db.session.rollback()
            return set(db.session.scalars(select(EvidenceFilePart.stored_name).distinct()))
        listed = self._client().list_objects_v2(Bucket=BUCKET, Prefix=PREFIX).get("Contents", [])
        return {item["Key"].removeprefix(PREFIX) for item in listed}

    def read(self, name: str) -> bytes:
        if self.kind == FOLDER:
            return (self.folder / name).read_bytes()
        if self.kind == DATABASE:
            parts = db.session.scalars(
                select(EvidenceFilePart.data)
                .where(EvidenceFilePart.stored_name == name)
                .order_by(EvidenceFilePart.part)
            )
            return b"".join(parts)
        return self._client().get_object(Bucket=BUCKET, Key=PREFIX + name)["Body"].read()

    def write_orphan(self, name: str, data: bytes) -> None:
        """A file as a request that died before committing leaves it (the database store cannot have one)."""
        if self.kind == FOLDER:
            self.folder.mkdir(parents=True, exist_ok=True)
            (self.folder / name).write_bytes(data)
        elif self.kind == S3:
            self._client().put_object(Bucket=BUCKET, Key=PREFIX + name, Body=data)
        else:
            raise AssertionError("the database store holds no file without its row")

    def lose(self, name: str) -> None:
        """Remove a file behind the tracker's back (a restored backup that missed it)."""
        if self.kind == FOLDER:
            (self.folder / name).unlink()
        elif self.kind == S3:
            self._client().delete_object(Bucket=BUCKET, Key=PREFIX + name)
        else:
            db.session.execute(delete(EvidenceFilePart).where(EvidenceFilePart.stored_name == name))
            db.session.commit()

    def empty(self) -> None:
        """Start clean: the folder too whatever the store (earlier tests leave files whose rows are gone)."""
        for path in self.folder.glob("*") if self.folder.exists() else []:
            path.unlink()
        if self.kind == S3:
            client = self._client()
            for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
                client.delete_object(Bucket=BUCKET, Key=item["Key"])


@pytest.fixture(params=[FOLDER, DATABASE, S3])
def evidence_store(request, app) -> Iterator[StoreProbe]:
    """Run the test with new evidence going to each store in turn."""
    kind = request.param
    endpoint = request.getfixturevalue("s3_server") if kind == S3 else None
    keys = ["EVIDENCE_STORAGE", "EVIDENCE_S3_BUCKET", "EVIDENCE_S3_PREFIX", "EVIDENCE_S3_ENDPOINT_URL"]
    saved = {key: app.config.get(key) for key in keys}
    if kind == S3:
        settings = s3_settings(endpoint)
        app.config.update({key: settings[key] for key in keys})
    else:
        app.config.update(EVIDENCE_STORAGE=kind, EVIDENCE_S3_BUCKET="")
    probe = StoreProbe(kind, app, endpoint)
    probe.empty()
    try:
        yield probe
    finally:
        probe.empty()
        app.config.update(saved)
