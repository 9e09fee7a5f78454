"""What evidence the tracker accepts: files judged by content, links by scheme, names kept out of paths."""

import io
import zipfile

import pytest
from werkzeug.datastructures import FileStorage

from tests.evidence_files import (
    BINARY,
    DOCX,
    ELF,
    FIXED_ZIP_TIME,
    PDF,
    PNG,
    PPTX,
    TEXT,
    WINDOWS_EXE,
    XLSX,
    office_file,
)
from tracker.services.evidence import (
    MAX_FILE_BYTES,
    EvidenceError,
    check_link,
    check_upload,
    clean_filename,
    content_disposition,
    download_name,
)
from tracker.uploads import CappedFile


def _upload(data: bytes, name: str = "evidence.pdf", content_type: str = "application/pdf") -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=name, content_type=content_type)


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (PDF, "report.pdf", "application/pdf"),
        (PNG, "photo.png", "image/png"),
        (DOCX, "minutes.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (XLSX, "data.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (PPTX, "slides.pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
        (TEXT, "notes.txt", "text/plain"),
    ],
    ids=["pdf", "png", "docx", "xlsx", "pptx", "text"],
)
def test_accepted_files_are_recognised_by_their_content(data, name, expected):
    checked = check_upload(_upload(data, name, "application/octet-stream"))
    assert checked.content_type == expected
    assert checked.size == len(data)


@pytest.mark.parametrize(
    "data",
    [ELF, WINDOWS_EXE, BINARY, "Caf\xe9".encode("latin-1"), b"text with a \x00 NUL byte"],
    ids=["elf", "windows-exe", "binary", "latin-1-text", "nul-byte-text"],
)
def test_executables_binaries_and_non_utf8_text_are_refused_whatever_their_name(data):
    with pytest.raises(EvidenceError, match="must be a PDF, Word, Excel or PowerPoint file, an image or a plain text"):
        check_upload(_upload(data, "report.pdf", "application/pdf"))


def test_an_empty_file_is_refused():
    with pytest.raises(EvidenceError, match="The selected file is empty"):
        check_upload(_upload(b"", "empty.pdf"))


def test_a_file_over_20_mb_is_refused_and_one_of_exactly_20_mb_is_accepted():
    with pytest.raises(EvidenceError, match="smaller than 20 MB"):
        check_upload(_upload(PDF + b"0" * (MAX_FILE_BYTES - len(PDF) + 1)))
    assert check_upload(_upload(PDF + b"0" * (MAX_FILE_BYTES - len(PDF)))).size == MAX_FILE_BYTES


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\Windows\\évidence.pdf", "évidence.pdf"),
        ("C:\\Users\\sam\\Minutes – June.docx", "Minutes – June.docx"),
        ("report\u202egpj.exe", "reportgpj.exe"),  # no right-to-left override to disguise a name
        ("...hidden", "hidden"),
        ("", ""),
    ],
    ids=["unix-path", "windows-path-accented", "windows-drive-dash", "right-to-left-override", "leading-dots", "empty"],
)
def test_file_names_are_cleaned_for_display(given, shown):
    assert clean_filename(given) == shown


def test_a_very_long_name_keeps_its_extension():
    name = clean_filename("a" * 400 + ".pdf")
    assert len(name) == 300
    assert name.endswith(".pdf")


@pytest.mark.parametrize(
    ("original", "content_type", "expected"),
    [
        ("report.pdf", "application/pdf", "report.pdf"),
        ("report.PDF", "application/pdf", "report.PDF"),
        ("virus.exe", "application/pdf", "virus.exe.pdf"),
        ("page.html", "text/plain", "page.html.txt"),
        ("data.csv", "text/plain", "data.csv"),
        ("photo.jpeg", "image/jpeg", "photo.jpeg"),
        (None, "application/pdf", "evidence.pdf"),
    ],
)
def test_downloads_get_an_extension_that_fits_their_content(original, content_type, expected):
    assert download_name(original, content_type) == expected


def test_content_disposition_has_an_ascii_fallback_and_the_exact_name():
    header = content_disposition("Évaluation 2015 – final; v2.pdf")
    assert header.startswith("attachment; ")
    assert 'filename="Evaluation_2015_final_v2.pdf"' in header
    assert "filename*=UTF-8''%C3%89valuation%202015%20%E2%80%93%20final%3B%20v2.pdf" in header
    assert (
        "\n" not in content_disposition("a\nb.pdf") and '"' not in content_disposition('a"b.pdf').split("filename*")[1]
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://www.coventry.gov.uk/lscb/report.pdf",
        "http://intranet.example.org/page?id=3#part",
        "HTTPS://EXAMPLE.ORG",
    ],
)
def test_web_links_are_accepted(url):
    assert check_link(f"  {url} ") == url


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("javascript:alert(1)", "starting with https:// or http://"),
        ("JavaScript:alert(document.cookie)", "starting with https:// or http://"),
        ("data:text/html,<script>alert(1)</script>", "starting with https:// or http://"),
        ("ftp://files.example.org/report.pdf", "starting with https:// or http://"),
        ("www.example.org/report", "starting with https:// or http://"),
        ("https://", "starting with https:// or http://"),
        ("https:///path-only", "starting with https:// or http://"),
        ("https://exa mple.org", "must not contain spaces"),
        ("https://example.org/<b>x</b>", "characters that cannot be in a web address"),
        ('https://example.org/"onmouseover="x', "characters that cannot be in a web address"),
        ("https://user:secret@example.org/", "Remove the user name or password"),
        ("https://[::1", "starting with https:// or http://"),
        ("https://example.org/" + "a" * 2000, "2,000 characters or fewer"),
    ],
)
def test_links_that_are_not_web_addresses_are_refused(url, message):
    with pytest.raises(EvidenceError, match=message.replace("+", r"\+").replace("?", r"\?")):
        check_link(url)


def test_the_office_samples_are_the_same_bytes_on_every_run():
    """Their bytes end up in tests; a zip stamped with the current time would differ between processes."""
    with zipfile.ZipFile(io.BytesIO(DOCX)) as archive:
        assert {info.date_time for info in archive.infolist()} == {FIXED_ZIP_TIME}
    assert office_file("word") == DOCX


def test_only_the_start_of_an_oversized_upload_is_kept_while_the_form_is_read():
    kept = CappedFile(10)
    assert [kept.write(b"x" * 8), kept.write(b"y" * 8), kept.write(b"z" * 8)] == [8, 8, 8]  # all read
    kept.seek(0)
    assert kept.read() == b"x" * 8 + b"yy"


HTML = b"<!DOCTYPE html>\n<html><head><title>Report</title></head><body>Saved from the browser</body></html>\n"


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (
            TEXT,
            "report.pdf",
            "The selected file is a text file, not a PDF. Choose the PDF, or rename the file to end in .txt"
            " if it is the right one",
        ),
        (
            HTML,
            "report.pdf",
            "The selected file is a web page (HTML), not a PDF. Choose the PDF, or save the page as a PDF and"
            " choose that",
        ),
        (
            PDF,
            "notes.txt",
            "The selected file is a PDF, not a text file. Choose the text file, or rename the file to end in .pdf"
            " if it is the right one",
        ),
        (
            DOCX,
            "figures.xlsx",
            "The selected file is a Word document, not an Excel spreadsheet. Choose the Excel spreadsheet, or"
            " rename the file to end in .docx if it is the right one",
        ),
    ],
    ids=["text-named-pdf", "html-named-pdf", "pdf-named-txt", "docx-named-xlsx"],
)
def test_a_file_that_is_not_what_its_name_says_is_refused_saying_what_it_is(data, name, message):
    with pytest.raises(EvidenceError) as refused:
        check_upload(_upload(data, name, "application/pdf"))
    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (PNG, "photo.jpg", "image/png"),  # one image type for another surprises nobody
        (DOCX, "minutes.doc", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (TEXT, "notes", "text/plain"),  # no extension: nothing claimed
        (TEXT, "data.json", "text/plain"),  # an extension the tracker does not know claims nothing
        (HTML, "page.html", "text/plain"),
    ],
    ids=["png-named-jpg", "docx-named-doc", "no-extension", "unknown-extension", "html-named-html"],
)
def test_names_that_claim_nothing_else_are_accepted(data, name, expected):
    assert check_upload(_upload(data, name)).content_type == expected
