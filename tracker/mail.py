"""Sending email through the SMTP server in the configuration.

MAIL_SERVER, MAIL_PORT, MAIL_USE_TLS (STARTTLS), MAIL_USE_SSL (TLS from the start), MAIL_USERNAME,
MAIL_PASSWORD and MAIL_SENDER come from config.py. One connection serves a whole run; a server that
cannot be reached fails every later message of the run at once instead of waiting out a timeout each.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from types import TracebackType
from typing import Any

# Seconds to wait for the mail server before giving up on a message (it is retried on the next run).
DEFAULT_TIMEOUT = 30


class MailError(Exception):
    """A message could not be handed to the mail server; the text says why, without the password."""


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str


def build_message(email: Email, sender: str) -> EmailMessage:
    """A multipart/alternative message: plain text first, HTML as the richer alternative."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Date"] = formatdate(usegmt=True)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    message["Auto-Submitted"] = "auto-generated"  # tells out-of-office replies not to answer
    message.set_content(email.text)
    message.add_alternative(email.html, subtype="html")
    return message


class Mailer:
    """Sends messages over one SMTP connection, opened on first use: `with Mailer(config) as mailer: ...`."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.host: str = config["MAIL_SERVER"]
        self.port: int = int(config["MAIL_PORT"])
        self.use_tls: bool = bool(config.get("MAIL_USE_TLS"))
        self.use_ssl: bool = bool(config.get("MAIL_USE_SSL"))
        self.username: str | None = config.get("MAIL_USERNAME") or None
        self.password: str | None = config.get("MAIL_PASSWORD") or None
        self.sender: str = config["MAIL_SENDER"]
        self.timeout: float = float(config.get("MAIL_TIMEOUT", DEFAULT_TIMEOUT))
        self._connection: smtplib.SMTP | None = None
        self._unreachable: str | None = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(
        self, _type: type[BaseException] | None, _error: BaseException | None, _trace: TracebackType | None
    ) -> None:
        self.close()

    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        if self.use_ssl:
            connection: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            connection.ehlo()
            if self.use_tls:
                connection.starttls(context=context)
                connection.ehlo()
            if self.username:
                connection.login(self.username, self.password or "")
        except BaseException:
            connection.close()
            raise
        return connection

    def send(self, email: Email) -> None:
        """Hand one message to the server, or raise MailError."""
        if self._unreachable:
            raise MailError(self._unreachable)
        if self._connection is None:
            try:
                self._connection = self._connect()
            except (OSError, smtplib.SMTPException) as error:
                self._unreachable = f"Could not connect to the mail server {self.host}:{self.port}: {_describe(error)}"
                raise MailError(self._unreachable) from error
        try:
            refused = self._connection.send_message(build_message(email, self.sender))
        except smtplib.SMTPRecipientsRefused as error:
            raise MailError(f"The mail server refused {email.to}: {_describe(error)}") from error
        except (OSError, smtplib.SMTPException) as error:
            self.close()  # the next message starts on a fresh connection
            raise MailError(f"The mail server did not accept the message: {_describe(error)}") from error
        if refused:
            raise MailError(f"The mail server refused {email.to}: {refused}")

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.quit()
            except (OSError, smtplib.SMTPException):
                self._connection.close()
            self._connection = None


def _describe(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        message = error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) else error.smtp_error
        return f"{error.smtp_code} {message}"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
            for code, text in error.recipients.values()
        )
    return str(error) or error.__class__.__name__
