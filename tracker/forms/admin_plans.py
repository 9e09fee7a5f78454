"""Administration forms for plans, their strands and sub-objectives, and their actions."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import BooleanField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from tracker.forms.action_edit import ChoicesField
from tracker.forms.admin_fields import ChoiceField
from tracker.forms.deadlines import WholeNumberField
from tracker.forms.fields import GovDateField
from tracker.services.plans_admin import NewAction


def _name_field(label: str, what: str, **kwargs) -> StringField:
    return StringField(
        label,
        widget=GovTextInput(),
        validators=[
            InputRequired(message=f"Enter the {what}"),
            Length(max=200, message=f"The {what} must be 200 characters or fewer"),
        ],
        **kwargs,
    )


def _text_field(label: str, what: str, required: bool = False, **kwargs) -> TextAreaField:
    validators = [Length(max=5000, message=f"The {what} must be 5,000 characters or fewer")]
    if required:
        validators.insert(0, InputRequired(message=f"Enter the {what}"))
    return TextAreaField(label, widget=GovTextArea(), validators=validators, **kwargs)


class PlanForm(FlaskForm):
    name = _name_field("Name of the plan", "plan's name")
    description = _text_field("Description (optional)", "description")
    submit = SubmitField("Save", widget=GovSubmitInput())


class ArchiveForm(FlaskForm):
    reason = _text_field("Reason (optional)", "reason", description="Kept in the administration log.")
    submit = SubmitField("Archive plan", widget=GovSubmitInput())


class StrandForm(FlaskForm):
    name = _name_field("Name of the strand", "strand's name", description="For example, Prevent")
    submit = SubmitField("Save", widget=GovSubmitInput())


class _NumberField(WholeNumberField):
    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Enter the number as a whole number, like 3, or leave it out") from None


class ObjectiveForm(FlaskForm):
    number = _NumberField("Number (optional)", "the number")
    statement = _text_field("Sub-objective", "sub-objective")
    submit = SubmitField("Save", widget=GovSubmitInput())

    def validate_number(self, field) -> None:
        if field.data is not None and field.data >= 10_000:
            raise ValidationError("Enter a number below 10000, or leave the number out")

    def validate_statement(self, field) -> None:
        if not (field.data or "").strip() and self.number.data is None and not self.number.errors:
            raise ValidationError("Enter the sub-objective, its number, or both")


class NewActionForm(FlaskForm):
    reference = StringField(
        "Reference (optional)",
        widget=GovTextInput(),
        description="For example, 1.4",
        validators=[Length(max=20, message="The reference must be 20 characters or fewer")],
    )
    text = _text_field("Action", "action", required=True)
    expected_evidence = _text_field("Evidence expected (optional)", "evidence expected")
    expected_outcomes = _text_field("Outcomes expected (optional)", "outcomes expected")
    responsible = ChoicesField(
        "Responsible", "Select responsible posts from the list", description="The posts that do the work"
    )
    accountable = ChoicesField(
        "Accountable", "Select accountable posts from the list", description="The posts answerable for the action"
    )
    partners = ChoicesField("Partners involved", "Select partner agencies from the list")
    due_date = GovDateField("Due date (optional)", "the due date", required=False, description="For example, 31 3 2016")
    is_restricted = BooleanField(
        "Restricted: leave this action out of the public version of reports and hide it from scrutiny councillors",
        widget=GovCheckboxInput(),
    )
    submit = SubmitField("Add action", widget=GovSubmitInput())

    def load_choices(self, posts: list[tuple[int, str]], agencies: list[tuple[int, str]]) -> None:
        self.responsible.choices = posts
        self.accountable.choices = list(posts)
        self.partners.choices = agencies

    def new_action(self) -> NewAction:
        return NewAction(
            text=self.text.data or "",
            reference=self.reference.data or "",
            expected_evidence=self.expected_evidence.data or "",
            expected_outcomes=self.expected_outcomes.data or "",
            responsible_post_ids=tuple(self.responsible.data or ()),
            accountable_post_ids=tuple(self.accountable.data or ()),
            partner_agency_ids=tuple(self.partners.data or ()),
            due_date=self.due_date.data,
            is_restricted=bool(self.is_restricted.data),
        )


class MoveActionForm(FlaskForm):
    objective = ChoiceField("Move to sub-objective", "Choose a sub-objective from the list")
    reason = _text_field("Reason (optional)", "reason", description="Kept in the action's history.")
    submit = SubmitField("Move action", widget=GovSubmitInput())


class CancelActionForm(FlaskForm):
    reason = _text_field(
        "Why is the action being cancelled?",
        "reason for cancelling the action",
        required=True,
        description="Kept in the action's history. The action stays on the plan, shown as cancelled.",
    )
    submit = SubmitField("Cancel action", widget=GovSubmitInput(), render_kw={"data-module": "govuk-button"})
