"""Reports frozen for a meeting: their figures and their files, kept exactly as they were produced.

Rows are only ever inserted: the ORM refuses to update or delete one, and no page offers to. The
files live in the database (not on one server's disk), so every app server sees them and a backup
of the database keeps them.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db

# The formats a report is frozen in, in the order pages list them: the report itself, and the measures' own CSV
# (one row per measure per period), so the figures a meeting saw can be checked against the ones stored later.
REPORT_FORMATS = ("pdf", "xlsx", "csv", "measures-csv")


def file_column(file_format: str) -> str:
    """The column holding a format's bytes ("measures-csv" -> "measures_csv"); its SHA-256 is in <column>_sha256."""
    return file_format.replace("-", "_")


class FrozenReport(db.Model):
    __tablename__ = "frozen_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The plan reported on (None: all plans); its name as it was, should the plan be renamed or removed.
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plan.id", ondelete="SET NULL"), index=True)
    plan_name: Mapped[str] = mapped_column(String(200))
    meeting_name: Mapped[str] = mapped_column(String(200))
    meeting_date: Mapped[date]
    as_at: Mapped[date]
    is_public: Mapped[bool]
    # A full report holding restricted actions is for administrators and board members only.
    has_restricted: Mapped[bool]
    compared_with: Mapped[str] = mapped_column(Text, default="")
    frozen_at: Mapped[datetime]
    frozen_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    frozen_by_name: Mapped[str] = mapped_column(String(200))
    figures: Mapped[dict] = mapped_column(JSON)
    file_stem: Mapped[str] = mapped_column(String(300))
    # The files, loaded only when one is downloaded.
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    xlsx: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    csv: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    xlsx_sha256: Mapped[str] = mapped_column(String(64))
    csv_sha256: Mapped[str] = mapped_column(String(64))
    # Reports frozen before the measures CSV was kept have none (None), and never will: a frozen report is final.
    measures_csv: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    measures_csv_sha256: Mapped[str | None] = mapped_column(String(64))

    def sha256(self, file_format: str) -> str | None:
        return getattr(self, f"{file_column(file_format)}_sha256")

    def content(self, file_format: str) -> bytes | None:
        return getattr(self, file_column(file_format))

    @property
    def formats(self) -> list[str]:
        """The formats this report was frozen in (older reports lack the measures CSV)."""
        return [fmt for fmt in REPORT_FORMATS if self.sha256(fmt)]

    def file_name(self, file_format: str) -> str:
        if file_format == "measures-csv":
            return f"{self.file_stem}-measures.csv"
        return f"{self.file_stem}.{file_format}"


class FrozenReportIsFinal(RuntimeError):
    pass


@event.listens_for(FrozenReport, "before_update")
@event.listens_for(FrozenReport, "before_delete")
def _refuse_change(_mapper, _connection, target: FrozenReport) -> None:
    raise FrozenReportIsFinal(f"Frozen report {target.id} cannot be changed or deleted")
