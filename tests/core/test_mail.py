from __future__ import annotations

import pytest
from django.core.mail import send_mail
from django.test import override_settings

from tests.smtp import Envelope, smtp_sink

pytestmark = pytest.mark.integration


def test_send_mail_through_smtp_backend_delivers_subject_recipient_and_body() -> None:
    with (
        smtp_sink() as sink,
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST=sink.host,
            EMAIL_PORT=sink.port,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
        ),
    ):
        sent = send_mail(
            "Anmeldung bestätigt",
            "Hallo Ada,\n\ndu bist für das Barcamp angemeldet.",
            "unkonf <noreply@unkonf.example.org>",
            ["ada@example.org"],
        )

    assert sent == 1
    assert sink.envelopes == [Envelope("noreply@unkonf.example.org", ["ada@example.org"])]
    [message] = sink.messages
    assert message["Subject"] == "Anmeldung bestätigt"
    assert message["From"] == "unkonf <noreply@unkonf.example.org>"
    assert message["To"] == "ada@example.org"
    assert message.get_content() == "Hallo Ada,\n\ndu bist für das Barcamp angemeldet.\n"
