"""Where evidence files are kept: the database, S3-compatible object storage or a local folder.

Which one is configuration (EVIDENCE_STORAGE, or chosen from the other settings: see choose()).
Every file row records the store it went to, so files kept before a change of setting still
download. The database store writes in the request's own transaction, so an update and its file
are saved together or not at all. The other two write before the commit and undo on rollback
(tracker/transactions.py); what a crash between the two leaves behind, sweep() removes.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO, Protocol

from flask import Flask, current_app

DATABASE = "database"
S3 = "s3"
FOLDER = "folder"
KINDS = (DATABASE, S3, FOLDER)
CHUNK = 1024 * 1024  # what a download holds in memory at once, and the database store's part size

# A file written this long ago that no evidence row names was left by a request that never
# committed: no request takes anywhere near this long between writing its file and committing.
ORPHAN_AGE = timedelta(hours=1)


class StorageNotConfigured(RuntimeError):
    """The settings name a store the tracker cannot use; the message says which setting to fix."""


class StoreUnavailable(RuntimeError):
    """The store could not be reached or refused the request: a fault of the moment, shown as a 503
    ("Nothing was saved"), with the request rolled back."""


@dataclass
class StoredContent:
    """A stored file, opened: its size and its bytes, read a part at a time as the download is sent."""

    size: int
    chunks: Iterator[bytes]


@dataclass(frozen=True)
class Listed:
    """One thing a store holds, as the sweep sees it."""

    name: str  # what remove() takes
    key: str | None  # the stored name an evidence row would give it (None: a half-written file)
    written_at: datetime  # aware, UTC


class EvidenceStore(Protocol):
    name: str
    # True when the file is written in the request's database transaction (nothing to undo or sweep).
    transactional: bool

    def put(self, key: str, stream: IO[bytes], content_type: str) -> None: ...

    def open(self, key: str) -> StoredContent | None: ...

    def delete(self, key: str) -> None: ...

    def listing(self) -> Iterable[Listed]:
        """Everything the store holds, for the sweep (the database store holds no orphans: nothing)."""
        ...

    def remove(self, names: list[str]) -> None:
        """Remove what the sweep found (names from listing())."""
        ...


def new_key() -> str:
    """A random name for a new file: nothing a user typed ever reaches a path or an object key."""
    return secrets.token_hex(20)


def is_key(key: str) -> bool:
    """Whether a name is one new_key() could have made (checked again before any path or key is built)."""
    return len(key) == 40 and all(ch in "0123456789abcdef" for ch in key)


def choose(config) -> str:
    """The store new files go to: EVIDENCE_STORAGE if set; else S3 when a bucket is configured;
    else the database when it is PostgreSQL (several app servers reach it, and a file is saved with
    its update or not at all); else the local folder (SQLite means one machine)."""
    kind = (config.get("EVIDENCE_STORAGE") or "").strip().lower()
    if kind:
        if kind not in KINDS:
            raise StorageNotConfigured(f"EVIDENCE_STORAGE must be one of {', '.join(KINDS)}, not {kind!r}")
        return kind
    if config.get("EVIDENCE_S3_BUCKET"):
        return S3
    if str(config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("postgresql"):
        return DATABASE
    return FOLDER


def store_for(kind: str, app: Flask | None = None) -> EvidenceStore:
    """The store of that kind for the app's settings (made once per settings, then reused)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    config = app.config
    if kind == S3:
        settings: tuple = (S3, config.get("EVIDENCE_S3_BUCKET"), config.get("EVIDENCE_S3_PREFIX", ""),
                           config.get("EVIDENCE_S3_ENDPOINT_URL"))  # fmt: skip
    elif kind == FOLDER:
        settings = (FOLDER, config["UPLOAD_FOLDER"])
    elif kind == DATABASE:
        settings = (DATABASE,)
    else:
        raise StorageNotConfigured(f"No evidence store called {kind!r}")
    stores = app.extensions.setdefault("evidence_stores", {})
    if settings not in stores:
        stores[settings] = _make(settings)
    return stores[settings]


def _make(settings: tuple) -> EvidenceStore:
    kind = settings[0]
    if kind == S3:
        from tracker.evidence_store.s3 import S3Store

        _, bucket, prefix, endpoint_url = settings
        if not bucket:
            raise StorageNotConfigured("EVIDENCE_STORAGE is s3 but EVIDENCE_S3_BUCKET is not set")
        return S3Store(bucket, prefix or "", endpoint_url or None)
    if kind == FOLDER:
        from tracker.evidence_store.folder import FolderStore

        return FolderStore(settings[1])
    from tracker.evidence_store.database import DatabaseStore

    return DatabaseStore()


def init_app(app: Flask) -> None:
    """Refuse to start with settings that name a store the tracker cannot use (rather than fail at the first upload)."""
    if choose(app.config) == S3 and not app.config.get("EVIDENCE_S3_BUCKET"):
        raise StorageNotConfigured("EVIDENCE_STORAGE is s3 but EVIDENCE_S3_BUCKET is not set")
