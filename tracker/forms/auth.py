"""The sign-in form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import InputRequired, Length, ValidationError


class SignInForm(FlaskForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter your email address"), Length(max=320)],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[InputRequired(message="Enter your password"), Length(max=1000)],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter your email address"), Length(max=320)],
    )
    submit = SubmitField("Send me a link", widget=GovSubmitInput())


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        widget=GovPasswordInput(),
        description="At least 12 characters. Three or more unrelated words are easy to remember and hard to guess.",
        validators=[InputRequired(message="Enter a password"), Length(max=1000)],
    )
    confirm = PasswordField(
        "Confirm the password",
        widget=GovPasswordInput(),
        validators=[InputRequired(message="Enter the password again")],
    )
    submit = SubmitField("Set password and sign in", widget=GovSubmitInput())

    def validate_confirm(self, field) -> None:
        if field.data != self.password.data:
            raise ValidationError("Enter the same password in both boxes")
