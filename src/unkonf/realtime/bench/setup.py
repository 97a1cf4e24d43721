"""Fill a throwaway database for the benchmark. Run in a subprocess, never on a real database.

``python -m unkonf.realtime.bench.setup --clients 2000 --publishers 25 --out data.json`` with
``UNKONF_DATABASE_URL`` pointing at the empty throwaway database: migrates it, creates a
published public barcamp with rooms, the users with confirmed registrations, and a login
session for each user through Django's session engine (what ``login()`` stores: user id,
backend, session hash). Writes the barcamp's slug, the rooms' chat streams and the session
keys as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
from importlib import import_module
from pathlib import Path
from typing import Any


def populate(*, clients: int, publishers: int, rooms: int) -> dict[str, Any]:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from unkonf.accounts.models import User
    from unkonf.events.enums import OrganisationType, RegistrationStatus, Visibility
    from unkonf.events.models import Event, Registration
    from unkonf.realtime import groups
    from unkonf.venues.models import Room

    total = clients + publishers
    session_store = import_module(settings.SESSION_ENGINE).SessionStore
    now = timezone.now()
    with transaction.atomic():
        event = Event.objects.create(
            name="Benchmark barcamp",
            slug="bench",
            visibility=Visibility.PUBLIC,
            published_at=now,
            registration_open=True,
            imprint="Benchmark",
            privacy_notice="Benchmark",
            code_of_conduct="Benchmark",
            contact_email="bench@example.org",
            registration_counter=total,
        )
        room_list = [
            Room.objects.create(event=event, name=f"Hall {i + 1}", capacity=100_000)
            for i in range(rooms)
        ]
        User.objects.bulk_create(
            User(
                email=f"bench-{i:05d}@example.org",
                name=f"Bench {'Publisher' if i >= clients else 'Participant'} {i}",
                password=make_password(None),
            )
            for i in range(total)
        )
        users = list(User.objects.filter(email__startswith="bench-").order_by("email"))
        Registration.objects.bulk_create(
            Registration(
                event=event,
                user=user,
                name=user.name,
                email=user.email,
                organisation_type=OrganisationType.OTHER,
                privacy_consent_at=now,
                public_listing=False,
                status=RegistrationStatus.CONFIRMED,
                queue_number=i + 1,
            )
            for i, user in enumerate(users)
        )
        sessions: list[str] = []
        for user in users:
            session = session_store()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.create()
            assert session.session_key is not None
            sessions.append(session.session_key)
    return {
        "slug": event.slug,
        "path": f"/ws/events/{event.slug}/",
        "streams": [groups.room_chat_stream(room.pk) for room in room_list],
        "client_sessions": sessions[:clients],
        "publisher_sessions": sessions[clients:],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, required=True)
    parser.add_argument("--publishers", type=int, required=True)
    parser.add_argument("--rooms", type=int, default=2)
    parser.add_argument("--out", required=True)
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unkonf.settings.base")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    data = populate(clients=options.clients, publishers=options.publishers, rooms=options.rooms)
    Path(options.out).write_text(json.dumps(data))


if __name__ == "__main__":
    main()
