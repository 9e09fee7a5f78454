"""The tracker's typed models; importing this package registers them all."""

from tracker.models.administration import AccountToken, AdminLogEntry, TokenPurpose
from tracker.models.dashboard import ActionMonthEnd, MonthEndCount
from tracker.models.deadlines import DeadlineChange, Notification, ReminderEmail, ReportingDate, RequestState
from tracker.models.enums import CLOSED_STATUSES, RAG_ORDER, OwnerKind, Rag, Role, Status
from tracker.models.history import SYSTEM_ACTOR, HistoryEntry
from tracker.models.imports import ImportUpload
from tracker.models.measures import (
    Direction,
    Measure,
    MeasureHistory,
    MeasureTarget,
    MeasureValue,
    Unit,
    measure_actions,
    measure_objectives,
)
from tracker.models.people import Agency, AgencyAlias, Post, PostAlias, User, post_holders
from tracker.models.plan import Action, ActionMilestone, ActionOwner, Objective, Plan, Strand, action_partners
from tracker.models.progress import Evidence, EvidenceFilePart, ProgressUpdate
from tracker.models.reports import REPORT_FORMATS, FrozenReport
from tracker.models.sign_in import SignInEvent, SignInEventKind, SignInThrottle, ThrottleScope

__all__ = [
    "CLOSED_STATUSES",
    "RAG_ORDER",
    "REPORT_FORMATS",
    "SYSTEM_ACTOR",
    "AccountToken",
    "Action",
    "ActionMilestone",
    "ActionMonthEnd",
    "ActionOwner",
    "AdminLogEntry",
    "Agency",
    "AgencyAlias",
    "DeadlineChange",
    "Direction",
    "Evidence",
    "EvidenceFilePart",
    "FrozenReport",
    "HistoryEntry",
    "ImportUpload",
    "Measure",
    "MeasureHistory",
    "MeasureTarget",
    "MeasureValue",
    "MonthEndCount",
    "Notification",
    "Objective",
    "OwnerKind",
    "Plan",
    "Post",
    "PostAlias",
    "ProgressUpdate",
    "Rag",
    "ReminderEmail",
    "ReportingDate",
    "RequestState",
    "Role",
    "SignInEvent",
    "SignInEventKind",
    "SignInThrottle",
    "Status",
    "Strand",
    "ThrottleScope",
    "TokenPurpose",
    "Unit",
    "User",
    "action_partners",
    "measure_actions",
    "measure_objectives",
    "post_holders",
]
