"""Reading request bodies with files in them, so a file that is too large is refused by the form.

With only MAX_CONTENT_LENGTH, a file a little over the 20 MB limit gets a bare 413 page and the
owner's typed commentary is lost: the body is refused before any field is read. Instead the
progress update form reads a body up to UPDATE_FORM_MAX_LENGTH to the end, keeping every field
but only the first MAX_FILE_BYTES + 1 bytes of each file. The evidence check then sees a file over
the limit and the form is shown again, with what was typed and "The selected file must be smaller
than 20 MB". Nothing beyond the kept bytes is stored, in memory or on disk.
"""

from __future__ import annotations

import tempfile
from typing import IO

from flask import Flask, Request

from tracker.services.evidence import MAX_FILE_BYTES

# Endpoints whose forms take evidence files.
UPLOAD_ENDPOINTS = frozenset({"actions.update"})
# Enough for any file someone might choose by mistake (a video, a whole folder zipped); a body
# larger than this still gets the 413 page, so nobody can keep a worker reading for ever.
UPDATE_FORM_MAX_LENGTH = 1024 * 1024 * 1024
IN_MEMORY_BYTES = 512 * 1024  # smaller files are kept in memory, larger ones in a temporary file


class CappedFile(tempfile.SpooledTemporaryFile):
    """A temporary file that keeps the first `keep` bytes written to it and drops the rest."""

    def __init__(self, keep: int) -> None:
        super().__init__(max_size=IN_MEMORY_BYTES, mode="w+b")
        self.room = keep

    def write(self, data: bytes) -> int:  # type: ignore[override]
        kept = data[: max(self.room, 0)]
        if kept:
            self.room -= len(kept)
            super().write(kept)
        return len(data)


class TrackerRequest(Request):
    @property
    def max_content_length(self) -> int | None:  # type: ignore[override]
        if self.url_rule is not None and self.url_rule.endpoint in UPLOAD_ENDPOINTS:
            return UPDATE_FORM_MAX_LENGTH
        return super().max_content_length

    def _get_file_stream(
        self, total_content_length: int | None, content_type: str | None, filename=None, content_length=None
    ) -> IO[bytes]:
        # One byte over the limit is enough for the evidence check to refuse the file.
        return CappedFile(MAX_FILE_BYTES + 1)  # type: ignore[return-value]


def init_app(app: Flask) -> None:
    app.request_class = TrackerRequest
