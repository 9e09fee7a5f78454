"""Evidence files in a local folder (UPLOAD_FOLDER): the single-machine store.

A file is written under a temporary name and renamed when complete, so a reader never sees half
a file; a crash mid-write leaves a ".part" file, which the sweep removes with other orphans.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from tracker.evidence_store import CHUNK, FOLDER, Listed, StoredContent, is_key

PARTIAL = ".part"


class FolderStore:
    name = FOLDER
    transactional = False

    def __init__(self, folder: str | os.PathLike) -> None:
        self.folder = Path(folder)

    def path(self, key: str) -> Path:
        """Where a file lives; the key is always one the tracker made (hex), checked again here."""
        if not is_key(key):
            raise ValueError("not a stored evidence name")
        return self.folder / key

    def put(self, key: str, stream: IO[bytes], content_type: str) -> None:
        path = self.path(key)
        self.folder.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(PARTIAL)
        stream.seek(0)
        try:
            with partial.open("xb") as handle:
                while chunk := stream.read(CHUNK):
                    handle.write(chunk)
            partial.chmod(0o600)
            partial.replace(path)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise

    def open(self, key: str) -> StoredContent | None:
        try:
            handle = self.path(key).open("rb")
        except FileNotFoundError:
            return None
        return StoredContent(size=os.fstat(handle.fileno()).st_size, chunks=_read(handle))

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def listing(self) -> Iterable[Listed]:
        if not self.folder.is_dir():
            return
        with os.scandir(self.folder) as entries:
            for entry in entries:
                key = entry.name.removesuffix(PARTIAL)
                if entry.is_file(follow_symlinks=False) and is_key(key):
                    written = datetime.fromtimestamp(entry.stat().st_mtime, UTC)
                    # A half-written file is never anyone's evidence, whatever its name.
                    yield Listed(entry.name, None if entry.name.endswith(PARTIAL) else key, written)

    def remove(self, names: list[str]) -> None:
        for name in names:
            if not is_key(name.removesuffix(PARTIAL)):
                raise ValueError("not a stored evidence name")
            (self.folder / name).unlink(missing_ok=True)


def _read(handle) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(CHUNK):
            yield chunk
