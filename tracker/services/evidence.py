"""Evidence files and links: what is accepted, how files are stored, and how they are handed back.

Files are judged by their content, never by the type the browser sent, and refused when their
name claims another type (a text file named .pdf); they are stored under a random name in the
evidence store (tracker/evidence_store), so nothing a user typed ever reaches a path or a key.
"""

from __future__ import annotations

import codecs
import os
import unicodedata
from dataclasses import dataclass
from typing import IO
from urllib.parse import quote, urlsplit

import filetype
from flask import current_app
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from tracker import evidence_store
from tracker.transactions import on_rollback

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_FILENAME_LENGTH = 300
MAX_URL_LENGTH = 2000
CHUNK = 64 * 1024
TEXT_PLAIN = "text/plain"


@dataclass(frozen=True)
class FileKind:
    label: str  # how the type is named on pages ("PDF", "Word document")
    extension: str  # the extension a download is given when the name's own does not fit
    extensions: frozenset[str]  # extensions that fit this content


def _kind(label: str, extension: str, *others: str) -> FileKind:
    return FileKind(label, extension, frozenset({extension, *others}))


# What may be uploaded, keyed by the type read from the file's content.
ACCEPTED: dict[str, FileKind] = {
    "application/pdf": _kind("PDF", "pdf"),
    "application/msword": _kind("Word document", "doc", "dot"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _kind("Word document", "docx"),
    "application/vnd.oasis.opendocument.text": _kind("OpenDocument text", "odt"),
    "application/vnd.ms-excel": _kind("Excel spreadsheet", "xls"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": _kind("Excel spreadsheet", "xlsx"),
    "application/vnd.oasis.opendocument.spreadsheet": _kind("OpenDocument spreadsheet", "ods"),
    "application/vnd.ms-powerpoint": _kind("PowerPoint presentation", "ppt", "pps"),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": _kind(
        "PowerPoint presentation", "pptx"
    ),
    "application/vnd.oasis.opendocument.presentation": _kind("OpenDocument presentation", "odp"),
    "image/jpeg": _kind("JPEG image", "jpg", "jpeg"),
    "image/png": _kind("PNG image", "png"),
    "image/gif": _kind("GIF image", "gif"),
    "image/webp": _kind("WebP image", "webp"),
    "image/bmp": _kind("Bitmap image", "bmp"),
    "image/tiff": _kind("TIFF image", "tif", "tiff"),
    "image/heic": _kind("HEIC image", "heic"),
    TEXT_PLAIN: _kind("Text file", "txt", "csv", "md", "log", "text"),
}

ACCEPTED_DESCRIPTION = "a PDF, Word, Excel or PowerPoint file, an image or a plain text file"

# Which accepted type a name's extension claims ("pdf" -> the PDF kind).
CLAIMED_BY_EXTENSION: dict[str, str] = {
    extension: content_type for content_type, kind in ACCEPTED.items() for extension in kind.extensions
}
# The old binary Office formats share one container, and reading which of the three a file is
# from its content is a guess; a name claiming another of them is not taken as a mismatch.
OLE_OFFICE = frozenset({"application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint"})


class EvidenceError(ValueError):
    """An upload or link that cannot be accepted; the message says what to do."""


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed every check, ready to store."""

    stream: IO[bytes]
    size: int
    content_type: str
    filename: str  # the user's name for it, cleaned for display only

    @property
    def kind(self) -> FileKind:
        return ACCEPTED[self.content_type]


def clean_filename(name: str | None) -> str:
    """The name to show for a file: its last path part, without control characters, not too long."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C")
    name = name.strip().lstrip(".").strip()
    if len(name) > MAX_FILENAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        keep = MAX_FILENAME_LENGTH - len(extension) - 1
        name = (
            f"{stem[:keep]}.{extension}" if dot and 0 < len(extension) < 10 and keep > 0 else name[:MAX_FILENAME_LENGTH]
        )
    return name


def _size(stream: IO[bytes]) -> int:
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def _is_plain_text(stream: IO[bytes]) -> bool:
    """UTF-8 all through, with no NUL bytes: what the tracker accepts as a text file."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := stream.read(CHUNK):
            if b"\x00" in chunk:
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        stream.seek(0)
    return True


def content_type_of(stream: IO[bytes]) -> str | None:
    """The file's type read from its content, or None when it is not one the tracker accepts."""
    head = stream.read(8192)
    stream.seek(0)
    guessed = filetype.guess(head)
    if guessed is not None:
        return guessed.mime if guessed.mime in ACCEPTED else None
    return TEXT_PLAIN if _is_plain_text(stream) else None


def _compatible(claimed_type: str, content_type: str) -> bool:
    """Types a name may swap between without surprise: one image type for another, .doc for .docx."""
    both = {claimed_type, content_type}
    return (
        ACCEPTED[claimed_type].label == ACCEPTED[content_type].label
        or all(t.startswith("image/") for t in both)
        or both <= OLE_OFFICE
    )


def _noun(kind: FileKind) -> str:
    """The kind's name inside a sentence: product names keep their capitals, "text file" does not."""
    return "text file" if kind.label == "Text file" else kind.label


def _with_article(noun: str) -> str:
    return f"{'an' if noun[0].lower() in 'aeiou' else 'a'} {noun}"


def _looks_like_html(stream: IO[bytes]) -> bool:
    head = stream.read(1024).lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    stream.seek(0)
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head


def name_mismatch(filename: str, content_type: str, stream: IO[bytes]) -> str | None:
    """What to tell the person when the file is not what its name says (None when it is, or says nothing).

    A text or web page named report.pdf would be kept as a text file the person never meant to
    give: they chose the wrong file, or saved the page instead of the PDF.
    """
    extension = filename.rpartition(".")[2].lower() if "." in filename else ""
    claimed_type = CLAIMED_BY_EXTENSION.get(extension)
    if claimed_type is None or _compatible(claimed_type, content_type):
        return None
    claimed, actual = ACCEPTED[claimed_type], ACCEPTED[content_type]
    if content_type == TEXT_PLAIN and _looks_like_html(stream):
        return (
            f"The selected file is a web page (HTML), not {_with_article(_noun(claimed))}. "
            f"Choose the {_noun(claimed)}, or save the page as a PDF and choose that"
        )
    return (
        f"The selected file is {_with_article(_noun(actual))}, not {_with_article(_noun(claimed))}. "
        f"Choose the {_noun(claimed)}, or rename the file to end in .{actual.extension} if it is the right one"
    )


def check_upload(upload: FileStorage) -> CheckedFile:
    """Accept an uploaded file or raise EvidenceError saying why not."""
    stream = upload.stream
    size = _size(stream)
    if size == 0:
        raise EvidenceError("The selected file is empty. Choose a file that has something in it")
    if size > MAX_FILE_BYTES:
        raise EvidenceError("The selected file must be smaller than 20 MB")
    content_type = content_type_of(stream)
    if content_type is None:
        raise EvidenceError(f"The selected file must be {ACCEPTED_DESCRIPTION}")
    filename = clean_filename(upload.filename)
    mismatch = name_mismatch(filename, content_type, stream)
    if mismatch:
        raise EvidenceError(mismatch)
    return CheckedFile(stream=stream, size=size, content_type=content_type, filename=filename)


def check_link(url: str) -> str:
    """Accept a web address (http or https only) or raise EvidenceError."""
    url = url.strip()
    example = "Enter a link starting with https:// or http://, for example https://www.example.org/report"
    if len(url) > MAX_URL_LENGTH:
        raise EvidenceError("The link must be 2,000 characters or fewer")
    if any(ch.isspace() or unicodedata.category(ch)[0] == "C" for ch in url):
        raise EvidenceError("The link must not contain spaces. " + example)
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
    except ValueError:
        raise EvidenceError(example) from None
    if parts.scheme.lower() not in {"http", "https"} or not hostname:
        raise EvidenceError(example)
    if any(ch in '<>"`{}|\\^' for ch in url):
        raise EvidenceError(
            "The link contains characters that cannot be in a web address. Copy it from your browser's address bar"
        )
    if parts.username is not None or parts.password is not None:
        raise EvidenceError("Remove the user name or password from the link")
    return url


def file_store_name() -> str:
    """The store a new file goes to (recorded on its evidence row)."""
    return evidence_store.choose(current_app.config)


def keep_file(stored_name: str, storage: str, checked: CheckedFile) -> None:
    """Write the file under its stored name, as part of the request's transaction.

    The evidence row naming it must be flushed first (the database store's parts refer to it).
    A store outside the database is told to delete the file if the transaction rolls back; the
    undo is registered before writing, so a write that fails half-way is cleaned up too.
    """
    store = evidence_store.store_for(storage)
    if not store.transactional:
        on_rollback(lambda: store.delete(stored_name))
    store.put(stored_name, checked.stream, checked.content_type)


def open_file(stored_name: str, storage: str | None) -> evidence_store.StoredContent | None:
    """The stored file, ready to send, or None when it is missing (logged by the caller)."""
    try:
        store = evidence_store.store_for(storage or evidence_store.FOLDER)
    except evidence_store.StorageNotConfigured:
        current_app.logger.error("Evidence %s is kept in %s, which is not configured", stored_name, storage)
        return None
    return store.open(stored_name)


def download_name(original: str | None, content_type: str | None) -> str:
    """The name a download is given: the user's name, with an extension that fits its content."""
    kind = ACCEPTED.get(content_type or "")
    name = clean_filename(original) or "evidence"
    if kind is None:
        return name
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    return name if extension in kind.extensions else f"{name}.{kind.extension}"


def content_disposition(filename: str) -> str:
    """An attachment header with an ASCII fallback and the exact name in RFC 6266/5987 form."""
    ascii_name = secure_filename(unicodedata.normalize("NFKD", filename)) or "evidence"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def describe_size(size: int | None) -> str:
    if size is None:
        return ""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"
