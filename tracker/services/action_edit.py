"""An administrator changing the action itself: its text, owners, partners, due date and restriction.

Every change is written to the history with the reason given; the due date moves only through
the deadlines service, so the baseline is kept and the change is recorded there too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from tracker import clock
from tracker.extensions import db
from tracker.history_values import OWNERS, PARTNERS, Owners, partners_of
from tracker.models import Action, ActionOwner, Agency, OwnerKind, Post, User
from tracker.services.deadlines import set_due_date
from tracker.services.history import apply_changes, record_event
from tracker.services.versioning import check_version, flush_unless_stale


@dataclass(frozen=True)
class ActionEdit:
    text: str
    responsible_post_ids: tuple[int, ...]
    accountable_post_ids: tuple[int, ...]
    partner_agency_ids: tuple[int, ...]
    due_date: date | None
    is_restricted: bool
    reason: str = ""
    all_partners: bool | None = None  # every partner agency is involved; None leaves it as it is


class ActionEditRejected(ValueError):
    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = problems


def edit_problems(action: Action, edit: ActionEdit) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not edit.text.strip():
        problems["text"] = "Enter the action"
    if action.due_date is not None and edit.due_date is None:
        problems["due_date"] = "Enter the due date, for example 31 3 2016. A due date can be moved but not removed"
    elif edit.due_date != action.due_date and not edit.reason.strip():
        problems["reason"] = "Enter the reason for changing the due date"
    return problems


def _set_owners(action: Action, edit: ActionEdit) -> None:
    wanted = [(post_id, OwnerKind.RESPONSIBLE) for post_id in edit.responsible_post_ids]
    wanted += [(post_id, OwnerKind.ACCOUNTABLE) for post_id in edit.accountable_post_ids]
    posts = {post.id: post for post in db.session.scalars(select(Post).where(Post.id.in_([p for p, _ in wanted])))}
    existing = {(owner.post_id, owner.kind): owner for owner in action.owners}
    owners = []
    # Rows kept are reused, not deleted and re-added, so their identity (the composite key) is stable.
    for position, (post_id, kind) in enumerate(key for key in dict.fromkeys(wanted) if key[0] in posts):
        owner = existing.get((post_id, kind)) or ActionOwner(post=posts[post_id], kind=kind)
        owner.position = position
        owners.append(owner)
    action.owners = owners


def edit_action(action: Action, edit: ActionEdit, actor: User, opened_version: int | None) -> list[str]:
    """Apply the administrator's changes (flushed, not committed); returns the history fields that changed.

    Raises StaleAction when the action changed after the form was opened, ActionEditRejected
    when a rule is broken. Nothing is written when nothing changed.
    """
    check_version(action, opened_version)
    problems = edit_problems(action, edit)
    if problems:
        raise ActionEditRejected(problems)
    reason = edit.reason.strip()
    changed = [
        entry.field
        for entry in apply_changes(
            action, {"text": edit.text.strip(), "is_restricted": edit.is_restricted}, actor, reason
        )
    ]

    old_owners = Owners.of(action)
    _set_owners(action, edit)
    new_owners = Owners.of(action)
    if new_owners != old_owners:
        record_event(action, OWNERS, old_owners, new_owners, actor, reason)
        changed.append(OWNERS)

    old_partners = partners_of(action)
    action.partners = list(
        db.session.scalars(select(Agency).where(Agency.id.in_(edit.partner_agency_ids)).order_by(Agency.name))
    )
    new_partners = partners_of(action)
    if new_partners != old_partners:
        record_event(action, PARTNERS, old_partners, new_partners, actor, reason)
        changed.append(PARTNERS)
    if edit.all_partners is not None:
        changed += [entry.field for entry in apply_changes(action, {"all_partners": edit.all_partners}, actor, reason)]

    if edit.due_date is not None and edit.due_date != action.due_date:
        set_due_date(action, edit.due_date, actor, reason)
        changed.append("due_date")

    if not changed:
        return []
    # Owners and partners live in other tables: touch the row so its version moves on too.
    action.updated_at = clock.now()
    flush_unless_stale(action, opened_version)
    return changed
