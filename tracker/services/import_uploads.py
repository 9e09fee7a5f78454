"""Uploaded plan files kept in the database between the import steps, so any app server can carry on."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import delete

from tracker import clock
from tracker.extensions import db
from tracker.importers.tables import Table
from tracker.models import ImportUpload, User

# An import left unfinished is removed after this long.
KEEP_FOR = timedelta(days=7)


def store_upload(user: User, filename: str, data: bytes, tables: list[Table]) -> ImportUpload:
    """Keep the file and the tables read from it for the next steps; uploads older than a week are removed."""
    now = clock.now()
    db.session.execute(delete(ImportUpload).where(ImportUpload.created_at < now - KEEP_FOR))
    upload = ImportUpload(
        uploaded_by_id=user.id,
        filename=filename[:255],
        data=data,
        created_at=now,
        options={},
        tables=[table.to_json() for table in tables],
    )
    db.session.add(upload)
    db.session.flush()
    return upload


def choose(upload: ImportUpload, **options: Any) -> None:
    """Record choices made on a step; a new dict, so the JSON column is seen to change."""
    upload.options = {**upload.options, **options}
    db.session.flush()


def finish(upload: ImportUpload) -> None:
    db.session.delete(upload)
    db.session.flush()
