"""Small sample files for evidence tests: real signatures, made in memory."""

from __future__ import annotations

import io
import zipfile

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63f8cfc0f01f0005000201a5b5c2a90000000049454e44ae426082"
)
TEXT = b"Minutes of the CSE sub-group, 3 June 2015.\nAll agencies attended.\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120
WINDOWS_EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 100
BINARY = b"\x00\x01\x02\x03 not a document \xff\xfe"


def office_file(folder: str) -> bytes:
    """A minimal Office Open XML package: word/, xl/ or ppt/."""
    buffer = io.BytesIO()
    parts = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types/>',
        "_rels/.rels": '<?xml version="1.0"?><Relationships/>',
        f"{folder}/document.xml": '<?xml version="1.0"?><document/>',
    }
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in parts.items():
            # A fixed time stamp: these bytes appear in test ids, which every xdist worker must agree on.
            archive.writestr(zipfile.ZipInfo(name, date_time=(2015, 6, 3, 0, 0, 0)), content)
    return buffer.getvalue()


DOCX = office_file("word")
XLSX = office_file("xl")
PPTX = office_file("ppt")
