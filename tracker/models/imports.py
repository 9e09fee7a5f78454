"""A file uploaded for import, kept between the import steps so any app server can carry on."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db


class ImportUpload(db.Model):
    """The uploaded bytes and the choices made so far (table, header row, mapping, fixes).

    Removed when the import is done; uploads left unfinished are removed after a few days.
    """

    __tablename__ = "import_upload"

    id: Mapped[int] = mapped_column(primary_key=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(index=True)
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The tables as read at upload (see tracker/importers/tables.py), so later steps need not read the file again.
    tables: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
