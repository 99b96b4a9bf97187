"""A real local SMTP server (aiosmtpd) that keeps what it receives."""

from __future__ import annotations

import socket
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller


class _Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(message)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    """Yields an object with ``host``, ``port`` and ``messages`` (email.message objects)."""
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.host, inbox.port = controller.hostname, controller.port
    inbox.config = {
        "MAIL_BACKEND": "smtp",
        "SMTP_HOST": inbox.host,
        "SMTP_PORT": inbox.port,
        "SMTP_TLS": "none",
        "SMTP_USER": "",
        "SMTP_PASSWORD": "",
    }
    yield inbox
    controller.stop()
