"""The administrator's form for changing an action: text, owners, partners, due date, restriction."""

from __future__ import annotations

from datetime import datetime

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovSubmitInput,
    GovTextArea,
)
from sqlalchemy import select
from wtforms import BooleanField, SelectMultipleField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from tracker.extensions import db
from tracker.forms.fields import GovDateField, VersionStamped, show_problems
from tracker.models import Action, Agency, Post
from tracker.services.action_edit import ActionEdit


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


class ActionEditForm(VersionStamped, FlaskForm):
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
    all_partners = BooleanField("All partner agencies are involved", widget=GovCheckboxInput())
    due_date = GovDateField("Due date", "the due date", required=False, description="For example, 31 3 2016")
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
                "all_partners": action.all_partners,
                "due_date": action.due_date,
                "is_restricted": action.is_restricted,
            }
        )
        form.load_choices()
        form.stamp(action, opened_at)
        return form

    def edit(self) -> ActionEdit:
        return ActionEdit(
            text=self.text.data or "",
            responsible_post_ids=tuple(self.responsible.data or ()),
            accountable_post_ids=tuple(self.accountable.data or ()),
            partner_agency_ids=tuple(self.partners.data or ()),
            all_partners=bool(self.all_partners.data),
            due_date=self.due_date.data,
            is_restricted=bool(self.is_restricted.data),
            reason=self.reason.data or "",
        )

    def add_problems(self, problems: dict[str, str]) -> None:
        show_problems(self, problems)
