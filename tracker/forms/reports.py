"""The reports page's choices (a GET form: a report is a link that can be shared) and the freeze form."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import Form, RadioField, SelectField, SelectMultipleField, StringField, SubmitField, ValidationError
from wtforms.validators import InputRequired, Length

from tracker import clock
from tracker.forms.dashboard import EARLIEST_PAST_VIEW, read_day
from tracker.forms.fields import GovDateField

VERSIONS = [
    ("full", "Full version: not for publication (names people, and restricted actions if you may see them)"),
    ("public", "Public version: leaves out restricted actions and names no person"),
]


def _past_day(field: StringField, what: str) -> None:
    if not (field.data or "").strip():
        return
    day = read_day(field.data)
    if day is None:
        raise ValidationError(f"Enter the {what} as year-month-day, for example 2015-09-30")
    if day > clock.today():
        raise ValidationError(f"Enter a {what} that is today or in the past")
    if day < EARLIEST_PAST_VIEW:
        raise ValidationError(f"Enter a {what} in 2000 or later")


class ReportForm(Form):
    """Read from the query string; unknown plan, strand, agency or comparison ids are ignored."""

    plan = SelectField("Plan", widget=GovSelect(), validate_choice=False)
    strands = SelectMultipleField(
        "Strands (optional)",
        widget=GovCheckboxesInput(),
        validate_choice=False,
        description="Leave all unticked for every strand",
    )
    agencies = SelectMultipleField(
        "Agencies involved (optional)",
        widget=GovCheckboxesInput(),
        validate_choice=False,
        description="Actions an agency owns through one of its posts, or takes part in. Leave all unticked for every agency",
    )
    as_at = StringField(
        "As at (leave blank for today)",
        widget=GovTextInput(),
        description="A past date rebuilds the plan as it stood at the end of that day, for example 2015-09-30",
    )
    version = RadioField("Version", widget=GovRadioInput(), choices=VERSIONS, default="full", validate_choice=False)
    compare = SelectField("Compare with, for what changed", widget=GovSelect(), validate_choice=False)
    compare_date = StringField(
        "Or compare with a date",
        widget=GovTextInput(),
        description="Overrides the choice above, for example 2015-07-01",
    )

    def validate_as_at(self, field: StringField) -> None:
        _past_day(field, "as at date")

    def validate_compare_date(self, field: StringField) -> None:
        _past_day(field, "date to compare with")

    def day(self, field: StringField) -> date | None:
        return None if field.errors else read_day(field.data)


class FreezeForm(FlaskForm):
    plan = SelectField("Plan", widget=GovSelect(), validate_choice=False)
    meeting_name = StringField(
        "Meeting",
        widget=GovTextInput(),
        description="For example, Scrutiny committee",
        validators=[InputRequired(message="Enter the meeting's name, for example Scrutiny committee"), Length(max=200)],
    )
    meeting_date = GovDateField("Date of the meeting", "the date of the meeting", description="For example, 12 1 2016")
    as_at = GovDateField(
        "As at (optional)",
        "the as at date",
        required=False,
        description="Leave blank for today. For example, 31 12 2015",
    )
    version = RadioField("Version", widget=GovRadioInput(), choices=VERSIONS, default="full")
    submit = SubmitField("Freeze the report", widget=GovSubmitInput())

    def validate_as_at(self, field: GovDateField) -> None:
        if field.data is not None and field.data > clock.today():
            raise ValidationError("Enter an as at date that is today or in the past")
        if field.data is not None and field.data < EARLIEST_PAST_VIEW:
            raise ValidationError("Enter an as at date in 2000 or later")
