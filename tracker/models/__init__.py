"""The tracker's typed models; importing this package registers them all."""

from tracker.models.enums import CLOSED_STATUSES, RAG_ORDER, OwnerKind, Rag, Role, Status
from tracker.models.people import Agency, Post, User, post_holders
from tracker.models.plan import Action, ActionOwner, Objective, Plan, Strand, action_partners

__all__ = [
    "CLOSED_STATUSES",
    "RAG_ORDER",
    "Action",
    "ActionOwner",
    "Agency",
    "Objective",
    "OwnerKind",
    "Plan",
    "Post",
    "Rag",
    "Role",
    "Status",
    "Strand",
    "User",
    "action_partners",
    "post_holders",
]
