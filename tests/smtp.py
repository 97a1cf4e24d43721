"""An SMTP sink: a real SMTP server on 127.0.0.1 that keeps what it receives.

    with smtp_sink() as sink:
        ...  # send through Django's SMTP backend to sink.host:sink.port
    sink.messages[0]["Subject"]

The server answers DATA only after the message is stored, so once ``send_mail`` returns the
message is in ``sink.messages``: no waiting needed.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Envelope:
    mail_from: str
    rcpt_tos: list[str]


@dataclass
class SMTPSink:
    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[Envelope] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        # on the wire lines end in CRLF; a mailbox stores them with LF, as Python's email expects
        content = bytes(envelope.content).replace(b"\r\n", b"\n")
        message = message_from_bytes(content, policy=policy.default)
        self.messages.append(message)
        self.envelopes.append(Envelope(envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@contextmanager
def smtp_sink(host: str = "127.0.0.1") -> Iterator[SMTPSink]:
    sink = SMTPSink(host=host, port=_free_port(host))
    controller = Controller(sink, hostname=host, port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()
