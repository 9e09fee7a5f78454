"""Forms for due dates (requests, decisions, direct changes), reporting dates and a plan's reminder settings."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import IntegerField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, StopValidation

from tracker.forms.fields import GovDateField


class WholeNumberField(IntegerField):
    """A number of days, with a message that says what to type."""

    def __init__(self, label: str, what: str, **kwargs) -> None:
        super().__init__(label, widget=GovTextInput(), **kwargs)
        self.what = what

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        text = valuelist[0].strip()
        if not (text.isascii() and text.isdigit()):  # "²" passes isdigit() but is no number of days
            self.data = None
            raise ValueError(f"Enter {self.what} as a whole number of days, like 14")
        self.data = int(text)


class DueDateRequestForm(FlaskForm):
    new_due_date = GovDateField(
        "New due date", "the new due date", description="For example, 31 3 2026. The co-ordinator will decide."
    )
    reason = TextAreaField(
        "Why does the due date need to move?",
        widget=GovTextArea(),
        description="The co-ordinator and the board will see this.",
        validators=[InputRequired(message="Enter why the due date needs to move"), Length(max=5000)],
    )
    submit = SubmitField("Send request", widget=GovSubmitInput())


class DueDateChangeForm(FlaskForm):
    new_due_date = GovDateField("New due date", "the new due date", description="For example, 31 3 2026")
    reason = TextAreaField(
        "Reason for the change",
        widget=GovTextArea(),
        description="Recorded in the action's history, with your name.",
        validators=[InputRequired(message="Enter the reason for changing the due date"), Length(max=5000)],
    )
    submit = SubmitField("Change due date", widget=GovSubmitInput())


class DecisionForm(FlaskForm):
    decision = RadioField(
        "Your decision",
        choices=[("approve", "Approve the new date"), ("refuse", "Refuse the request")],
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose whether to approve or refuse the request")],
    )
    comment = TextAreaField(
        "Comment",
        widget=GovTextArea(),
        description="The owner will see this. You must give one if you refuse.",
        validators=[Optional(), Length(max=5000)],
    )
    submit = SubmitField("Save decision", widget=GovSubmitInput())


class ReportingDateForm(FlaskForm):
    meeting_name = StringField(
        "Meeting",
        widget=GovTextInput(),
        description="For example, LSCB board or Scrutiny Co-ordination Committee",
        validators=[InputRequired(message="Enter the name of the meeting"), Length(max=200)],
    )
    meeting_date = GovDateField("Meeting date", "the meeting date", description="For example, 20 9 2015")
    updates_due_date = GovDateField(
        "Updates due by",
        "the date updates are due",
        description="Owners' progress updates are due by this date, before the meeting",
    )
    submit = SubmitField("Add reporting date", widget=GovSubmitInput())

    def validate_updates_due_date(self, field: GovDateField) -> None:
        if field.data and self.meeting_date.data and field.data > self.meeting_date.data:
            raise StopValidation("The date updates are due must be on or before the meeting date")


class DeadlineSettingsForm(FlaskForm):
    escalate_to_red_after_days = WholeNumberField(
        "Turn overdue actions Red after this many days overdue",
        "the number of days",
        description="Leave empty to keep overdue actions Amber until their owner or the co-ordinator rates them",
        validators=[Optional(), NumberRange(min=1, max=365, message="Enter a number of days from 1 to 365")],
    )
    remind_due_within_days = WholeNumberField(
        "Remind owners of actions due within this many days",
        "the number of days",
        validators=[
            InputRequired(message="Enter how many days before the due date owners are reminded"),
            NumberRange(min=1, max=90, message="Enter a number of days from 1 to 90"),
        ],
    )
    remind_update_within_days = WholeNumberField(
        "Remind owners to update this many days before updates are due",
        "the number of days",
        validators=[
            InputRequired(message="Enter how many days before updates are due owners are reminded"),
            NumberRange(min=1, max=60, message="Enter a number of days from 1 to 60"),
        ],
    )
    submit = SubmitField("Save settings", widget=GovSubmitInput())
