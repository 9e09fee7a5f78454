"""Forms for the import steps. Columns and problem rows vary by file, so some forms are built per file."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import BooleanField, RadioField, SelectField, StringField, SubmitField
from wtforms.validators import Length

from tracker.importers.mapping import FIELDS, IGNORE


class UploadForm(FlaskForm):
    file = FileField(
        "Upload a file",
        widget=GovFileInput(),
        description="A CSV file, an Excel workbook (.xlsx) or a Word document (.docx), up to 20 MB.",
    )
    submit = SubmitField("Upload and continue", widget=GovSubmitInput())


class TableForm(FlaskForm):
    table = RadioField("Which table holds the plan?", widget=GovRadioInput(), coerce=int, choices=[])
    header_row = SelectField("Which row holds the column names?", widget=GovSelect(), coerce=int, choices=[])
    submit = SubmitField("Continue", widget=GovSubmitInput())


def mapping_form(columns: list[str]) -> type[FlaskForm]:
    """One choice per column: the field it goes into, or not imported."""
    choices = [(IGNORE, "Do not import"), *FIELDS.items()]

    class MappingForm(FlaskForm):
        submit = SubmitField("Continue", widget=GovSubmitInput())

    for index, name in enumerate(columns):
        label = f"Column {index + 1}: {name}" if name else f"Column {index + 1} (no name)"
        setattr(MappingForm, f"column_{index}", SelectField(label, widget=GovSelect(), choices=choices))
    return MappingForm


def _plan_id(value: object) -> int | None:
    return int(value) if str(value).isdigit() else None


def preview_form(fixable_lines: list[int]) -> type[FlaskForm]:
    """Where to import, whether to import rows with problems, and a timescale fix per problem row."""

    class PreviewForm(FlaskForm):
        target = RadioField(
            "Where should the actions go?",
            widget=GovRadioInput(),
            choices=[("new", "Into a new plan"), ("existing", "Into an existing plan")],
            validate_choice=False,  # checked by the view, only when importing ("Check again" needs none)
        )
        plan_name = StringField(
            "Name of the new plan", widget=GovTextInput(), validators=[Length(max=200, message="Enter a shorter name")]
        )
        existing_plan = SelectField(
            "Plan to import into", widget=GovSelect(), coerce=_plan_id, choices=[], validate_choice=False
        )
        import_flagged = BooleanField("Import rows with problems, flagged for review", widget=GovCheckboxInput())
        check = SubmitField("Check again", widget=GovSubmitInput())
        submit = SubmitField("Import", widget=GovSubmitInput())

    for line in fixable_lines:
        setattr(
            PreviewForm,
            f"timescale_{line}",
            StringField(f"Timescale for row {line}", widget=GovTextInput(), validators=[Length(max=200)]),
        )
    return PreviewForm
