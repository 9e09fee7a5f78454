"""The emails people get about their account: an invitation, a password reset, a post handed to them.

Sent through the mail settings the reminders use (tracker/mail.py); links start at BASE_URL.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app, render_template

from tracker.formatting import format_datetime
from tracker.mail import Email, Mailer
from tracker.models import AccountToken, Post, User


@dataclass(frozen=True)
class AccountMessage:
    name: str
    subject: str
    paragraphs: list[str]
    link: str = ""
    link_text: str = ""
    after: list[str] = field(default_factory=list)


def page_url(endpoint: str, **values: object) -> str:
    """A page's full address from BASE_URL, as in reminder emails (a command line has no request)."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["BASE_URL"].rstrip("/") + path


def _email(user: User, message: AccountMessage) -> Email:
    return Email(
        to=user.email,
        subject=message.subject,
        text=render_template("emails/account.txt", message=message),
        html=render_template("emails/account.html", message=message),
    )


def invitation(user: User, raw_token: str, token: AccountToken, inviter: User | None) -> Email:
    service = current_app.config["SERVICE_NAME"]
    who = f"{inviter.name} has invited you" if inviter is not None else "You have been invited"
    return _email(
        user,
        AccountMessage(
            name=user.name,
            subject=f"You are invited to the {service.lower()}",
            paragraphs=[
                f"{who} to the {service.lower()}, where the partnership keeps its action plans.",
                "Use this link to set your password and sign in.",
            ],
            link=page_url("auth.accept_invitation", token=raw_token),
            link_text="Set your password",
            after=[f"The link works once and expires on {format_datetime(token.expires_at)} (UTC)."],
        ),
    )


def password_reset(user: User, raw_token: str) -> Email:
    service = current_app.config["SERVICE_NAME"]
    return _email(
        user,
        AccountMessage(
            name=user.name,
            subject=f"Reset your password for the {service.lower()}",
            paragraphs=["Someone asked to reset the password for your account. Use this link to choose a new one."],
            link=page_url("auth.reset_password", token=raw_token),
            link_text="Choose a new password",
            after=[
                "The link works once and expires in 1 hour.",
                "If you did not ask for this, you can ignore this email: your password has not changed.",
            ],
        ),
    )


def post_handed_over(user: User, post: Post, leaver: User | None) -> Email:
    service = current_app.config["SERVICE_NAME"]
    from_whom = f" from {leaver.name}" if leaver is not None else ""
    return _email(
        user,
        AccountMessage(
            name=user.name,
            subject=f"You now hold the post {post.name}",
            paragraphs=[
                f"The post {post.name} has been handed over to you{from_whom} in the {service.lower()}.",
                "Every action the post owns is now yours to update.",
            ],
            link=page_url("actions.my_actions"),
            link_text="See your actions",
        ),
    )


def deliver(email: Email) -> None:
    """Send one email now; raises tracker.mail.MailError when the mail server will not take it."""
    with Mailer(current_app.config) as mailer:
        mailer.send(email)
