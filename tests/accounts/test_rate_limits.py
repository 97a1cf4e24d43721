"""Login codes and registrations are rate limited: a script cannot flood inboxes or the list."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client, override_settings

from tests.factories.accounts import UserFactory
from tests.factories.events import EventFactory
from unkonf.events.models import Registration

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@override_settings(ACCOUNT_RATE_LIMITS={"request_login_code": "3/m/ip"})
def test_login_code_requests_beyond_the_limit_are_refused() -> None:
    user = UserFactory(email="petra.lindner@bund.example")
    answers = []
    for _ in range(4):
        client = Client()  # a fresh session each time: the limit is per address, not session
        response = client.post("/en/accounts/login/code/", {"email": user.email})
        answers.append(response.status_code)

    # allauth refuses on the form itself, with its message, and sends no fourth code
    assert answers == [302, 302, 302, 200]
    assert "Too many failed login attempts. Try again later." in response.content.decode()
    assert len(mail.outbox) == 3


@override_settings(REGISTRATION_RATE_LIMIT=2)
def test_registrations_beyond_the_limit_are_refused_with_a_message() -> None:
    event = EventFactory()
    day = event.days.get()
    client = Client()
    answers = []
    for number in range(3):
        response = client.post(
            f"/en/{event.slug}/register/",
            {
                "name": f"Person {number}",
                "email": f"person{number}@amt.example",
                "organisation_type": "municipal",
                "days": [day.pk],
                "privacy_consent": "on",
            },
        )
        answers.append(response.status_code)

    assert answers == [302, 302, 429]
    assert "Too many registrations from your network" in response.content.decode()
    assert Registration.objects.filter(event=event).count() == 2
