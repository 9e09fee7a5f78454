"""Recording an owner's progress update: the rules it must meet, and saving it with its evidence.

An update is a record of its own (who, when, what they said, the RAGs and status they set, the
evidence added); the action's fields change through the history service, linked to the update.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from tracker import clock
from tracker.evidence_store import new_key
from tracker.extensions import db
from tracker.models import Action, Evidence, ProgressUpdate, Rag, Status, User
from tracker.rag import effective_delivery_rag
from tracker.services.evidence import CheckedFile, file_store_name, keep_file
from tracker.services.history import apply_changes, record_event
from tracker.services.versioning import check_version, flush_unless_stale

# Ratings an owner may choose. Blue is not one: it means complete, and follows from the status.
DELIVERY_CHOICES = (Rag.RED, Rag.AMBER, Rag.GREEN)
OUTCOME_CHOICES = (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.NOT_RATED)
STATUS_CHOICES = (Status.NOT_STARTED, Status.IN_PROGRESS, Status.ONGOING, Status.COMPLETE, Status.CANCELLED)


@dataclass(frozen=True)
class LinkEvidence:
    url: str  # already checked by evidence.check_link
    title: str


@dataclass(frozen=True)
class FileEvidence:
    file: CheckedFile  # already checked by evidence.check_upload
    title: str


@dataclass(frozen=True)
class ProgressSubmission:
    delivery_rag: Rag | None  # may be left out when the action is marked complete (it becomes Blue)
    outcome_rag: Rag
    status: Status
    commentary: str = ""
    no_evidence_reason: str = ""
    link: LinkEvidence | None = None
    file: FileEvidence | None = None
    # The form already refused part of what was typed: check the rules, so every problem is
    # shown at once, but save nothing.
    has_input_errors: bool = False

    @property
    def reported_delivery_rag(self) -> Rag | None:
        return Rag.BLUE if self.status is Status.COMPLETE else self.delivery_rag

    @property
    def adds_evidence(self) -> bool:
        return self.link is not None or self.file is not None


class ProgressRejected(ValueError):
    """The update breaks a rule; problems maps each form field to what the owner should do."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = problems


def evidence_count(action_id: int) -> int:
    return db.session.scalar(select(func.count(Evidence.id)).where(Evidence.action_id == action_id)) or 0


def _commentary_needed(action: Action, submission: ProgressSubmission, today: date) -> str | None:
    """Why this update must say something, as the message to show; None when commentary is optional."""
    status = submission.status
    if status is Status.COMPLETE and action.status is not Status.COMPLETE:
        return "Enter a progress commentary saying what was done to complete the action"
    if status is Status.CANCELLED and action.status is not Status.CANCELLED:
        return "Enter a progress commentary saying why the action is cancelled"
    reported = submission.reported_delivery_rag
    if reported is None:
        return None
    effective = effective_delivery_rag(reported, status, action.due_date, today)
    if effective.rag in (Rag.RED, Rag.AMBER):
        if effective.raised:
            return f"Enter a progress commentary: the action is overdue, so its delivery RAG is {effective.rag.label}"
        return f"Enter a progress commentary explaining why delivery is {effective.rag.label}"
    if reported is not action.delivery_rag:
        return "Enter a progress commentary explaining why you changed the delivery RAG"
    if submission.outcome_rag is not action.outcome_rag:
        return "Enter a progress commentary explaining why you changed the outcome RAG"
    return None


def progress_problems(action: Action, submission: ProgressSubmission, today: date) -> dict[str, str]:
    """Every rule the update breaks, keyed by the form field the owner should change."""
    problems: dict[str, str] = {}
    if submission.reported_delivery_rag is None:
        problems["delivery_rag"] = "Select the delivery RAG: Red, Amber or Green"
    if not submission.commentary.strip() and (message := _commentary_needed(action, submission, today)):
        problems["commentary"] = message
    marking_complete = submission.status is Status.COMPLETE and action.status is not Status.COMPLETE
    if (
        marking_complete
        and not submission.adds_evidence
        and not submission.no_evidence_reason.strip()
        and evidence_count(action.id) == 0
    ):
        problems["evidence_url"] = (
            "Add a link or a file showing what was done, or explain below why there is no evidence"
        )
    return problems


def record_progress_update(
    action: Action, submission: ProgressSubmission, actor: User, opened_version: int | None
) -> ProgressUpdate:
    """Save the update, its evidence and the changes it makes to the action (flushed, not committed).

    Raises StaleAction when the action changed after the form was opened (nothing is saved)
    and ProgressRejected when a rule is broken or the submission has input errors.
    """
    check_version(action, opened_version)
    problems = progress_problems(action, submission, clock.today())
    reported = submission.reported_delivery_rag
    if problems or reported is None or submission.has_input_errors:  # (no rating is itself one of the problems)
        raise ProgressRejected(problems)

    now = clock.now()
    update = ProgressUpdate(
        action_id=action.id,
        author_id=actor.id,
        author_name=actor.name,
        created_at=now,
        commentary=submission.commentary.strip(),
        delivery_rag=reported,
        outcome_rag=submission.outcome_rag,
        status=submission.status,
        no_evidence_reason=submission.no_evidence_reason.strip(),
    )
    db.session.add(update)
    db.session.flush()  # the history entries below link to it

    record_event(action, "progress_update", None, None, actor, update=update, at=now)
    apply_changes(
        action,
        {"delivery_rag": reported, "outcome_rag": submission.outcome_rag, "status": submission.status},
        actor,
        update=update,
    )
    # Always a change to the row, so the version moves on and older forms are refused.
    action.last_progress_at = now

    if submission.link is not None:
        _add_evidence(action, update, actor, kind="link", title=submission.link.title, url=submission.link.url)
    stored_name, storage = new_key(), file_store_name()
    if submission.file is not None:
        checked = submission.file.file
        _add_evidence(
            action,
            update,
            actor,
            kind="file",
            title=submission.file.title,
            stored_name=stored_name,
            storage=storage,
            original_filename=checked.filename,
            content_type=checked.content_type,
            size_bytes=checked.size,
        )

    # The version check first: a stale form writes no file. Then the file, after its row (the
    # database store's parts refer to it), in the same transaction or undone if it rolls back.
    flush_unless_stale(action, opened_version)
    if submission.file is not None:
        keep_file(stored_name, storage, submission.file.file)
    return update


def _add_evidence(action: Action, update: ProgressUpdate, actor: User, **fields) -> Evidence:
    evidence = Evidence(
        action_id=action.id,
        progress_update_id=update.id,
        added_by_id=actor.id,
        added_at=update.created_at,
        **fields,
    )
    db.session.add(evidence)
    record_event(action, "evidence_added", None, fields["title"], actor, update=update, at=update.created_at)
    return evidence


def verify_evidence(evidence: Evidence, actor: User) -> bool:
    """Mark evidence as checked by the co-ordinator; False (and no change) if it already was."""
    if evidence.verified_at is not None:
        return False
    action = db.session.get(Action, evidence.action_id)
    if action is None:  # evidence goes with its action, so only a concurrent delete gets here
        raise LookupError(f"Action {evidence.action_id} no longer exists")
    evidence.verified_by_id = actor.id
    evidence.verified_at = clock.now()
    record_event(action, "evidence_verified", None, evidence.title, actor, at=evidence.verified_at)
    db.session.flush()
    return True
