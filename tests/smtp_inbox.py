"""A real SMTP server for tests (aiosmtpd on a free loopback port) that keeps what it receives."""

from __future__ import annotations

import email
import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email import policy
from email.message import EmailMessage
from urllib.parse import urlsplit

from aiosmtpd.controller import Controller
from flask import Flask

MAIL_KEYS = ("MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS", "MAIL_USE_SSL", "MAIL_USERNAME", "MAIL_PASSWORD", "BASE_URL")


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def last_link(self, address: str) -> str:
        """The path of the last link in the newest email to this address (plain-text part)."""
        text = self.to(address)[-1].get_body(preferencelist=("plain",)).get_content()
        links = re.findall(r"https?://\S+", text)
        assert links, text
        return urlsplit(links[-1]).path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def smtp_inbox(app: Flask, base_url: str = "https://tracker.example.org") -> Iterator[Inbox]:
    """Point the app's mail settings at a fresh server for the duration."""
    saved = {key: app.config.get(key) for key in MAIL_KEYS}
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False, MAIL_USE_SSL=False,
        MAIL_USERNAME=None, MAIL_PASSWORD=None, BASE_URL=base_url,
    )  # fmt: skip
    try:
        yield inbox
    finally:
        controller.stop()
        app.config.update(saved)
