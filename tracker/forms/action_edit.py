"""The administrator's form for changing an action: text, owners, partners, due date, restriction."""

from __future__ import annotations

from datetime import date, datetime

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovDateInput,
    GovSubmitInput,
    GovTextArea,
)
from sqlalchemy import select
from wtforms import BooleanField, Field, HiddenField, SelectMultipleField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from tracker.extensions import db
from tracker.forms.progress import parse_opened_at, parse_version
from tracker.models import Action, Agency, Post
from tracker.services.action_edit import ActionEdit

DATE_EXAMPLE = "for example 31 3 2016"


class DateParts(GovDateInput):
    """The GOV.UK day, month and year inputs, showing exactly what was typed even when it is incomplete."""

    def map_gov_params(self, field, **kwargs):
        raw = list(field.raw_data or [])
        if len(raw) != 3:
            field.raw_data = None  # shown from the date itself (or empty), never half-unpacked
        else:
            field.raw_data = raw
        return super().map_gov_params(field, **kwargs)


class DateField(Field):
    """A date typed as day, month and year; all three empty means no date."""

    widget = DateParts()

    def __init__(self, label: str, name_of_date: str = "the date", **kwargs) -> None:
        super().__init__(label, **kwargs)
        self.name_of_date = name_of_date

    def _value(self) -> str:
        return self.data.strftime("%d %m %Y") if isinstance(self.data, date) else ""

    def process_formdata(self, valuelist: list[str]) -> None:
        parts = [part.strip() for part in valuelist]
        if not any(parts):
            self.data = None
            return
        what = self.name_of_date
        if len(parts) != 3:
            raise ValueError(f"Enter {what} as a day, month and year, {DATE_EXAMPLE}")
        missing = [name for name, part in zip(("day", "month", "year"), parts, strict=True) if not part]
        if missing:
            raise ValueError(f"{what.capitalize()} must include a {' and a '.join(missing)}")
        try:
            day, month, year = (int(part) for part in parts)
            if year < 1000:
                raise ValueError
            self.data = date(year, month, day)
        except ValueError:
            self.data = None
            raise ValueError(f"{what.capitalize()} must be a real date, {DATE_EXAMPLE}") from None


class ChoicesField(SelectMultipleField):
    """Checkboxes whose values must come from the list shown, with a plain-English error if not."""

    def __init__(self, label: str, message: str, **kwargs) -> None:
        super().__init__(label, coerce=int, widget=GovCheckboxesInput(), **kwargs)
        self.message = message

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            self.data = [int(value) for value in valuelist]
        except ValueError:
            self.data = []
            raise ValueError(self.message) from None

    def pre_validate(self, form) -> None:
        allowed = {value for value, _ in self.choices or []}
        if any(value not in allowed for value in self.data or []):
            raise ValidationError(self.message)


class ActionEditForm(FlaskForm):
    version = HiddenField()
    opened_at = HiddenField()
    text = TextAreaField(
        "Action",
        widget=GovTextArea(),
        validators=[
            InputRequired(message="Enter the action"),
            Length(max=5000, message="The action must be 5,000 characters or fewer"),
        ],
    )
    responsible = ChoicesField(
        "Responsible", "Select responsible posts from the list", description="The posts that do the work"
    )
    accountable = ChoicesField(
        "Accountable", "Select accountable posts from the list", description="The posts answerable for the action"
    )
    partners = ChoicesField("Partners involved", "Select partner agencies from the list")
    due_date = DateField("Due date", name_of_date="the due date", description="For example, 31 3 2016")
    is_restricted = BooleanField(
        "Restricted: leave this action out of the public version of reports and hide it from scrutiny councillors",
        widget=GovCheckboxInput(),
    )
    reason = TextAreaField(
        "Reason for the changes",
        description="Needed when you change the due date. It is kept in the action's history with each change.",
        widget=GovTextArea(),
        validators=[Length(max=5000, message="The reason must be 5,000 characters or fewer")],
    )
    submit = SubmitField("Save changes", widget=GovSubmitInput())

    def load_choices(self) -> None:
        posts = [(post.id, post.name) for post in db.session.scalars(select(Post).order_by(Post.name))]
        self.responsible.choices = posts
        self.accountable.choices = list(posts)
        self.partners.choices = [(a.id, a.name) for a in db.session.scalars(select(Agency).order_by(Agency.name))]

    @classmethod
    def for_action(cls, action: Action, opened_at: datetime) -> ActionEditForm:
        form = cls(
            data={
                "text": action.text,
                "responsible": [post.id for post in action.responsible_posts],
                "accountable": [post.id for post in action.accountable_posts],
                "partners": [agency.id for agency in action.partners],
                "due_date": action.due_date,
                "is_restricted": action.is_restricted,
            }
        )
        form.load_choices()
        form.stamp(action, opened_at)
        return form

    def stamp(self, action: Action, opened_at: datetime) -> None:
        self.version.data = str(action.version)
        self.opened_at.data = opened_at.isoformat()

    @property
    def opened_version(self) -> int | None:
        return parse_version(self.version.data)

    @property
    def opened_time(self) -> datetime | None:
        return parse_opened_at(self.opened_at.data)

    def edit(self) -> ActionEdit:
        return ActionEdit(
            text=self.text.data or "",
            responsible_post_ids=tuple(self.responsible.data or ()),
            accountable_post_ids=tuple(self.accountable.data or ()),
            partner_agency_ids=tuple(self.partners.data or ()),
            due_date=self.due_date.data,
            is_restricted=bool(self.is_restricted.data),
            reason=self.reason.data or "",
        )

    def add_problems(self, problems: dict[str, str]) -> None:
        for name, message in problems.items():
            field = getattr(self, name)
            if message not in field.errors:
                field.errors = [*field.errors, message]
