"""Removing files no evidence row names: left when a request wrote its file and then died before
committing (a killed worker, a machine that lost power), or when undoing a rollback failed.

Only files older than ORPHAN_AGE go, so a request that is still between writing and committing
keeps its file. The database store has nothing to sweep: its parts cannot outlive their row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from tracker.evidence_store import FOLDER, ORPHAN_AGE, S3, EvidenceStore, Listed, choose, store_for
from tracker.extensions import db
from tracker.models import Evidence

_BATCH = 500  # keys looked up in one query


@dataclass
class SweepResult:
    kept: int = 0
    removed: int = 0


def stores_to_sweep() -> list[EvidenceStore]:
    """The local folder always (files from before a change of setting live there), and S3 when configured."""
    stores = [store_for(FOLDER)]
    if current_app.config.get("EVIDENCE_S3_BUCKET") or choose(current_app.config) == S3:
        stores.append(store_for(S3))
    return stores


def sweep(now: datetime | None = None, min_age: timedelta = ORPHAN_AGE) -> SweepResult:
    """Remove every unreferenced file older than min_age from every store outside the database."""
    cutoff = (now or datetime.now(UTC)) - min_age
    result = SweepResult()
    for store in stores_to_sweep():
        batch: list[Listed] = []
        for listed in store.listing():
            if listed.written_at >= cutoff:
                result.kept += 1
                continue
            batch.append(listed)
            if len(batch) == _BATCH:
                result = _sweep_batch(store, batch, result)
                batch = []
        if batch:
            result = _sweep_batch(store, batch, result)
    return result


def _sweep_batch(store: EvidenceStore, batch: list[Listed], result: SweepResult) -> SweepResult:
    keys = [listed.key for listed in batch if listed.key is not None]
    referenced = set(db.session.scalars(select(Evidence.stored_name).where(Evidence.stored_name.in_(keys))))
    orphans = [listed.name for listed in batch if listed.key not in referenced]
    if orphans:
        store.remove(orphans)
    result.removed += len(orphans)
    result.kept += len(batch) - len(orphans)
    return result
