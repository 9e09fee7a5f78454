"""The progress update form an action owner fills in: RAGs, status, commentary and evidence.

The form checks what was typed (a rating from the list, a web link, an acceptable file); the
rules that depend on the action (when commentary or evidence is needed) live in the service.
"""

from __future__ import annotations

from datetime import datetime

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovFileInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length, Optional, ValidationError

from tracker.forms.fields import VersionStamped, show_problems
from tracker.models import Action, Rag, Status
from tracker.services.evidence import CheckedFile, EvidenceError, check_link, check_upload
from tracker.services.progress import (
    DELIVERY_CHOICES,
    OUTCOME_CHOICES,
    STATUS_CHOICES,
    FileEvidence,
    LinkEvidence,
    ProgressSubmission,
)

COMMENTARY_MAX = 5000

DELIVERY_HINTS = {
    Rag.RED: "Off track: will not be delivered without intervention",
    Rag.AMBER: "At risk or slipping",
    Rag.GREEN: "On track",
}
OUTCOME_HINTS = {
    Rag.RED: "Not making the intended difference",
    Rag.AMBER: "Some difference, less than intended",
    Rag.GREEN: "Making the intended difference",
    Rag.NOT_RATED: "Too early to tell",
}
STATUS_HINTS = {
    Status.COMPLETE: "The delivery RAG becomes Blue. Say what was done and add evidence",
    Status.ONGOING: "Work that continues with no end date, such as a regular meeting",
    Status.CANCELLED: "No longer going ahead. Say why",
}


def _values(members) -> list[str]:
    return [member.value for member in members]


class ProgressUpdateForm(VersionStamped, FlaskForm):
    delivery_rag = RadioField(
        "Delivery RAG",
        description="Is the action being delivered as planned?",
        choices=[(rag.value, rag.label) for rag in DELIVERY_CHOICES],
        widget=GovRadioInput(),
        validate_choice=False,
        validators=[
            Optional(),
            AnyOf(_values(DELIVERY_CHOICES), message="Select Red, Amber or Green as the delivery RAG"),
        ],
    )
    outcome_rag = RadioField(
        "Outcome RAG",
        description="Is the action making the intended difference for children?",
        choices=[(rag.value, "Not rated yet" if rag is Rag.NOT_RATED else rag.label) for rag in OUTCOME_CHOICES],
        widget=GovRadioInput(),
        validate_choice=False,
        validators=[
            InputRequired(message="Select the outcome RAG"),
            AnyOf(_values(OUTCOME_CHOICES), message="Select Red, Amber, Green or Not rated yet as the outcome RAG"),
        ],
    )
    status = RadioField(
        "Status",
        choices=[(status.value, status.label) for status in STATUS_CHOICES],
        widget=GovRadioInput(),
        validate_choice=False,
        validators=[
            InputRequired(message="Select the status of the action"),
            AnyOf(_values(STATUS_CHOICES), message="Select a status from the list"),
        ],
    )
    commentary = TextAreaField(
        "Progress commentary",
        description=(
            "What has been done since the last update, what happens next, and any risks. "
            "Needed when delivery is Red or Amber, when you change a rating, and when you mark the action complete."
        ),
        widget=GovCharacterCount(),
        validators=[
            Length(max=COMMENTARY_MAX, message=f"Progress commentary must be {COMMENTARY_MAX:,} characters or fewer")
        ],
    )
    evidence_url = StringField(
        "Link to evidence (optional)",
        description="A web address starting with https://, for example a report on your agency's intranet",
        widget=GovTextInput(),
    )
    evidence_url_title = StringField(
        "Title of the link",
        widget=GovTextInput(),
        validators=[Length(max=300, message="The title of the link must be 300 characters or fewer")],
    )
    evidence_file = FileField(
        "Upload a file (optional)",
        description="A PDF, Word, Excel or PowerPoint file, an image or a plain text file, smaller than 20 MB",
        widget=GovFileInput(),
    )
    evidence_file_title = StringField(
        "Title of the file (optional)",
        description="If you leave this empty, the file's name is used",
        widget=GovTextInput(),
        validators=[Length(max=300, message="The title of the file must be 300 characters or fewer")],
    )
    no_evidence_reason = TextAreaField(
        "If you are marking the action complete and have no evidence, explain why",
        widget=GovTextArea(),
        validators=[
            Length(max=COMMENTARY_MAX, message=f"The explanation must be {COMMENTARY_MAX:,} characters or fewer")
        ],
    )
    submit = SubmitField("Save update", widget=GovSubmitInput())

    checked_file: CheckedFile | None = None

    @classmethod
    def for_action(cls, action: Action, opened_at: datetime) -> ProgressUpdateForm:
        """A fresh form showing the action's current ratings and status."""
        form = cls(
            data={
                "delivery_rag": action.delivery_rag.value if action.delivery_rag in DELIVERY_CHOICES else None,
                "outcome_rag": action.outcome_rag.value if action.outcome_rag in OUTCOME_CHOICES else None,
                "status": action.status.value,
            }
        )
        form.stamp(action, opened_at)
        return form

    def validate_evidence_url(self, field: StringField) -> None:
        url = (field.data or "").strip()
        if not url:
            if (self.evidence_url_title.data or "").strip():
                raise ValidationError("Enter the link address, or remove the title of the link")
            return
        try:
            field.data = check_link(url)
        except EvidenceError as error:
            raise ValidationError(str(error)) from None

    def validate_evidence_url_title(self, field: StringField) -> None:
        if (self.evidence_url.data or "").strip() and not (field.data or "").strip():
            raise ValidationError("Enter a title for the link")

    def validate_evidence_file(self, field: FileField) -> None:
        if field.data is None:
            return
        try:
            self.checked_file = check_upload(field.data)
        except EvidenceError as error:
            raise ValidationError(str(error)) from None

    @property
    def file_was_chosen(self) -> bool:
        return self.evidence_file.data is not None

    def submission(self) -> ProgressSubmission:
        """What the owner asked for, once the ratings and status are readable (shape_is_valid_for_rules)."""
        link = None
        if url := (self.evidence_url.data or "").strip():
            link = LinkEvidence(url=url, title=(self.evidence_url_title.data or "").strip())
        file = None
        if self.checked_file is not None:
            title = (self.evidence_file_title.data or "").strip() or self.checked_file.filename or "Uploaded file"
            file = FileEvidence(file=self.checked_file, title=title[:300])
        return ProgressSubmission(
            delivery_rag=Rag(self.delivery_rag.data) if self.delivery_rag.data else None,
            outcome_rag=Rag(self.outcome_rag.data),
            status=Status(self.status.data),
            commentary=self.commentary.data or "",
            no_evidence_reason=self.no_evidence_reason.data or "",
            link=link,
            file=file,
            has_input_errors=bool(self.errors),
        )

    def shape_is_valid_for_rules(self) -> bool:
        """Whether the ratings and status are readable, so the service's rules can be checked too."""
        return not (self.delivery_rag.errors or self.outcome_rag.errors or self.status.errors)

    def item_hints(self, name: str) -> list[dict]:
        """Per-choice hints for a radio field, in the shape the GOV.UK radios macro takes."""
        hints = {"delivery_rag": DELIVERY_HINTS, "outcome_rag": OUTCOME_HINTS, "status": STATUS_HINTS}[name]
        by_value = {member.value: text for member, text in hints.items()}
        return [
            {"hint": {"text": by_value[value]}} if value in by_value else {} for value, _ in getattr(self, name).choices
        ]

    def add_problems(self, problems: dict[str, str]) -> None:
        """Show the service's rule problems on their fields, alongside the form's own errors."""
        if self.evidence_url.errors or self.evidence_file.errors:
            problems = {k: v for k, v in problems.items() if k != "evidence_url"}  # one evidence error is enough
        show_problems(self, problems)
