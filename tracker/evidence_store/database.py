"""Evidence files in the database, in parts, written in the request's own transaction.

The evidence row is flushed before its parts (a foreign key ties them), so the commit that saves
the update saves its file, and a rollback or a crash before it leaves neither. Every app server
reaches the file, and backing up the database backs up the evidence.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import IO

from sqlalchemy import Engine, delete, func, insert, select

from tracker.evidence_store import CHUNK, DATABASE, Listed, StoredContent
from tracker.extensions import db
from tracker.models.progress import EvidenceFilePart


class DatabaseStore:
    name = DATABASE
    transactional = True

    def put(self, key: str, stream: IO[bytes], content_type: str) -> None:
        stream.seek(0)
        part = 0
        while chunk := stream.read(CHUNK):
            db.session.execute(insert(EvidenceFilePart).values(stored_name=key, part=part, data=chunk))
            part += 1

    def open(self, key: str) -> StoredContent | None:
        parts, size = db.session.execute(
            select(func.count(), func.coalesce(func.sum(func.length(EvidenceFilePart.data)), 0)).where(
                EvidenceFilePart.stored_name == key
            )
        ).one()
        if not parts:
            return None
        return StoredContent(size=int(size), chunks=_parts(db.engine, key, parts))

    def delete(self, key: str) -> None:
        db.session.execute(delete(EvidenceFilePart).where(EvidenceFilePart.stored_name == key))

    def listing(self) -> Iterable[Listed]:
        return ()  # a part cannot outlive its evidence row (foreign key, same transaction)

    def remove(self, names: list[str]) -> None:
        return None


def _parts(engine: Engine, key: str, parts: int) -> Iterator[bytes]:
    """Each part in its own short read, so a slow download holds no transaction open."""
    for part in range(parts):
        with engine.connect() as connection:
            data = connection.scalar(
                select(EvidenceFilePart.data).where(EvidenceFilePart.stored_name == key, EvidenceFilePart.part == part)
            )
        if data is None:  # removed while being sent: stop rather than send a file with a hole
            return
        yield bytes(data)
