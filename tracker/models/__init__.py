"""The tracker's typed models; importing this package registers them all."""

from tracker.models.dashboard import DataVersion, PlanDataVersion, RagTrendPoint
from tracker.models.deadlines import DeadlineChange, Notification, ReminderEmail, ReportingDate, RequestState
from tracker.models.enums import CLOSED_STATUSES, RAG_ORDER, OwnerKind, Rag, Role, Status
from tracker.models.history import SYSTEM_ACTOR, HistoryEntry
from tracker.models.imports import ImportUpload
from tracker.models.people import Agency, AgencyAlias, Post, PostAlias, User, post_holders
from tracker.models.plan import Action, ActionMilestone, ActionOwner, Objective, Plan, Strand, action_partners
from tracker.models.progress import Evidence, ProgressUpdate

__all__ = [
    "CLOSED_STATUSES",
    "RAG_ORDER",
    "SYSTEM_ACTOR",
    "Action",
    "ActionMilestone",
    "ActionOwner",
    "Agency",
    "AgencyAlias",
    "DataVersion",
    "DeadlineChange",
    "Evidence",
    "HistoryEntry",
    "ImportUpload",
    "Notification",
    "Objective",
    "OwnerKind",
    "Plan",
    "PlanDataVersion",
    "Post",
    "PostAlias",
    "ProgressUpdate",
    "Rag",
    "RagTrendPoint",
    "ReminderEmail",
    "ReportingDate",
    "RequestState",
    "Role",
    "Status",
    "Strand",
    "User",
    "action_partners",
    "post_holders",
]
