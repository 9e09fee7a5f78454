"""Forms for measures: defining one, setting its targets, entering and correcting its figures.

Figures are text fields read by tracker/services/measures.py (parse_figure), so the web form and
any other way figures come in give the same messages.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from tracker.forms.action_edit import ChoicesField
from tracker.forms.fields import GovDateField
from tracker.measure_periods import Frequency
from tracker.models import Direction, Unit


class MenuField(SelectField):
    """A GOV.UK select whose value is checked by the service (so a tampered value gets its plain message)."""

    def __init__(self, label: str, **kwargs) -> None:
        super().__init__(label, widget=GovSelect(), validate_choice=False, **kwargs)


class MeasureForm(FlaskForm):
    name = StringField(
        "Name",
        widget=GovTextInput(),
        description="For example, Return home interviews within 72 hours",
        validators=[
            InputRequired(message="Enter the name of the measure"),
            Length(max=200, message="The name must be 200 characters or fewer"),
        ],
    )
    definition = TextAreaField(
        "Definition",
        widget=GovTextArea(),
        description="What is counted, and how, so every agency counts it the same way",
        validators=[Optional(), Length(max=5000, message="The definition must be 5,000 characters or fewer")],
    )
    unit = RadioField(
        "Unit",
        choices=[(unit.value, unit.label) for unit in Unit],
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose the unit the measure is counted in")],
    )
    direction = RadioField(
        "Which way is better",
        choices=[(direction.value, direction.label) for direction in Direction],
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose whether a higher or a lower figure is better")],
    )
    frequency = RadioField(
        "How often",
        choices=[(frequency.value, frequency.label) for frequency in Frequency],
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose how often figures are supplied")],
    )
    first_period = GovDateField(
        "Figures start from",
        "the date figures start from",
        description="Figures are expected for every period from the one this date falls in. For example, 1 4 2015",
    )
    last_period = GovDateField(
        "Figures end",
        "the date figures end",
        required=False,
        description="Leave empty if the measure carries on. For example, 31 3 2017",
    )
    strand = MenuField("Strand")
    post = MenuField("Post that supplies the figures", description="People holding this post enter the figures")
    agency = MenuField("Agency the figures come from")
    objectives = ChoicesField("Objectives it evidences", "Select objectives from the list")
    action_references = StringField(
        "Actions it evidences",
        widget=GovTextInput(),
        description="Action references separated by commas, for example 1.1, 3.2",
        validators=[Optional(), Length(max=1000)],
    )
    is_restricted = BooleanField(
        "Restricted: hide from scrutiny councillors and the public version of reports",
        widget=GovCheckboxInput(),
    )
    submit = SubmitField("Save measure", widget=GovSubmitInput())

    def references(self) -> tuple[str, ...]:
        return tuple(part.strip() for part in (self.action_references.data or "").split(",") if part.strip())


class TargetForm(FlaskForm):
    first_period = MenuField("Period", description="The period the target is for")
    last_period = MenuField(
        "Up to and including",
        description="To set the same target for several periods. Leave as it is for one period",
    )
    target = StringField("Target", widget=GovTextInput())
    tolerance = StringField(
        "Tolerance",
        widget=GovTextInput(),
        description="Missing the target by no more than this is Amber; by more, Red. Enter 0 for none",
    )
    reason = TextAreaField(
        "Reason (optional)",
        widget=GovTextArea(),
        description="Recorded in the measure's history, with your name",
        validators=[Optional(), Length(max=5000)],
    )
    submit = SubmitField("Save target", widget=GovSubmitInput())


class FigureForm(FlaskForm):
    period = MenuField("Period")
    value = StringField("Figure", widget=GovTextInput())
    note = TextAreaField(
        "Note",
        widget=GovTextArea(),
        description="Anything the board should know when reading the figure",
        validators=[Optional(), Length(max=5000, message="The note must be 5,000 characters or fewer")],
    )
    source = StringField(
        "Source",
        widget=GovTextInput(),
        description="Where the figure comes from, for example the MASH case management system",
        validators=[Optional(), Length(max=1000, message="The source must be 1,000 characters or fewer")],
    )
    submit = SubmitField("Save figure", widget=GovSubmitInput())


class CorrectionForm(FlaskForm):
    value = StringField("Figure", widget=GovTextInput())
    note = TextAreaField("Note", widget=GovTextArea(), validators=[Optional(), Length(max=5000)])
    source = StringField("Source", widget=GovTextInput(), validators=[Optional(), Length(max=1000)])
    reason = TextAreaField(
        "Why is the figure being corrected?",
        widget=GovTextArea(),
        description="Kept in the measure's history with the old and new figures and your name",
        validators=[InputRequired(message="Enter why the figure is being corrected"), Length(max=5000)],
    )
    submit = SubmitField("Save correction", widget=GovSubmitInput())


class FiguresUploadForm(FlaskForm):
    """Step 1 of importing figures: the plan whose measures they are, and the file."""

    plan = MenuField("Plan")
    file = FileField(
        "Upload a file of figures",
        widget=GovFileInput(),
        description="A CSV file or an Excel workbook (.xlsx), up to 20 MB, with a column for the period, "
        "the measure and the figure, and optionally a note and its source.",
    )
    submit = SubmitField("Upload and check", widget=GovSubmitInput())


class FiguresConfirmForm(FlaskForm):
    submit = SubmitField("Import the figures", widget=GovSubmitInput())
