"""Administration forms for people, posts and agencies: invitations, roles and posts, hand-overs, merges."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import EmailField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from tracker.forms.action_edit import ChoicesField
from tracker.forms.admin_fields import ChoiceField
from tracker.models import Role

ROLE_CHOICES = [(role.value, role.label) for role in Role]


def _reason(label: str = "Reason (optional)") -> TextAreaField:
    return TextAreaField(
        label,
        widget=GovTextArea(),
        description="Kept in the administration log.",
        validators=[Length(max=5000, message="The reason must be 5,000 characters or fewer")],
    )


def _name(label: str, what: str) -> StringField:
    return StringField(
        label,
        widget=GovTextInput(),
        validators=[
            InputRequired(message=f"Enter the {what}"),
            Length(max=200, message=f"The {what} must be 200 characters or fewer"),
        ],
    )


class _RoleField(RadioField):
    def pre_validate(self, form) -> None:
        if self.data not in {value for value, _ in ROLE_CHOICES}:
            raise ValidationError("Choose a role from the list")


def _role() -> RadioField:
    return _RoleField(
        "Role", choices=ROLE_CHOICES, widget=GovRadioInput(), validators=[InputRequired(message="Choose a role")]
    )


class InviteForm(FlaskForm):
    name = _name("Full name", "person's name")
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the person's email address"),
            Length(max=320, message="Enter an email address of 320 characters or fewer"),
        ],
    )
    role = _role()
    posts = ChoicesField(
        "Posts (optional)", "Select posts from the list", description="The actions of these posts become theirs"
    )
    submit = SubmitField("Send invitation", widget=GovSubmitInput())


class PersonForm(FlaskForm):
    role = _role()
    posts = ChoicesField("Posts", "Select posts from the list")
    submit = SubmitField("Save changes", widget=GovSubmitInput())


class ReasonForm(FlaskForm):
    """A confirmation with an optional reason (disable, withdraw an invitation)."""

    reason = _reason()
    submit = SubmitField("Confirm", widget=GovSubmitInput())


class HandOverForm(FlaskForm):
    leaver = ChoiceField("Person leaving the post", "Choose the person leaving from the list")
    successor = ChoiceField("Successor", "Choose the successor from the list")
    reason = _reason()
    submit = SubmitField("Hand over post", widget=GovSubmitInput())


class NameForm(FlaskForm):
    name = _name("Name", "name")
    submit = SubmitField("Save", widget=GovSubmitInput())


class PostForm(FlaskForm):
    name = _name("Name of the post", "post's name")
    agency = ChoiceField("Agency", "Choose an agency from the list")
    submit = SubmitField("Save", widget=GovSubmitInput())


class AliasForm(FlaskForm):
    name = _name("Another name for it", "alias")
    submit = SubmitField("Add alias", widget=GovSubmitInput())


class MergeForm(FlaskForm):
    into = ChoiceField("Merge into", "Choose the post to merge into from the list")
    reason = _reason()
    submit = SubmitField("Continue", widget=GovSubmitInput())
