"""Fill (and afterwards read) the throwaway database of ``bench_pitch``. Run in a subprocess.

``python -m unkonf.proposals.bench.setup --clients 1000 --proposals 3 --out data.json`` with
``UNKONF_DATABASE_URL`` pointing at the empty throwaway database (and ``UNKONF_DATA_DIR`` at
a throwaway folder): migrates it, collects the static files (pages are rendered), and fills it
like the realtime benchmark (``unkonf.realtime.bench.setup``: a published public barcamp, N
participants with confirmed registrations and a login session each), plus one moderator
(an ``EventRole``) with a login session and a few submitted proposals made through
``services.create_proposal`` by participants.

``python -m unkonf.proposals.bench.setup --count 7,8 --out counts.json``: what the database
says about interest in those proposals afterwards (the stored count, the ``Interest`` rows,
the distinct people among them).
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any


def populate(*, clients: int, proposals: int) -> dict[str, Any]:
    from django.db import transaction

    from unkonf.accounts.models import User
    from unkonf.events.enums import Role
    from unkonf.events.models import Event, EventRole
    from unkonf.proposals import services
    from unkonf.realtime import groups
    from unkonf.realtime.bench.setup import populate as populate_realtime

    # The one "publisher" of the realtime set-up is the moderator here.
    data = populate_realtime(clients=clients, publishers=1, rooms=1)
    event = Event.objects.get(slug=data["slug"])
    users = list(User.objects.filter(email__startswith="bench-").order_by("email"))
    moderator = users[clients]
    with transaction.atomic():
        EventRole.objects.create(event=event, user=moderator, role=Role.MODERATOR)
    ids = []
    for index in range(proposals):
        proposal = services.create_proposal(
            event,
            actor=users[index % clients],
            title=f"Benchmark session {index + 1}",
            description="A session of the pitch benchmark.",
            topics=["benchmark"],
        )
        ids.append(proposal.pk)
    return {
        "slug": data["slug"],
        "path": data["path"],
        "event_id": event.pk,
        "stream": groups.pitch_stream(event.pk),
        "proposals": ids,
        "phone_sessions": data["client_sessions"],
        "moderator_session": data["publisher_sessions"][0],
    }


def counts(ids: list[int]) -> dict[str, dict[str, int]]:
    from django.db.models import Count

    from unkonf.proposals.models import Interest, Proposal

    result = {}
    for proposal in Proposal.objects.filter(pk__in=ids):
        rows = Interest.objects.filter(proposal=proposal).aggregate(
            rows=Count("pk"), people=Count("user", distinct=True)
        )
        result[str(proposal.pk)] = {
            "interest_count": proposal.interest_count,
            "interest_version": proposal.interest_version,
            "rows": rows["rows"],
            "people": rows["people"],
        }
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=0)
    parser.add_argument("--proposals", type=int, default=3)
    parser.add_argument("--count", default="", help="comma-separated proposal ids to read")
    parser.add_argument("--out", required=True)
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unkonf.settings.base")
    import django

    django.setup()
    if options.count:
        result: dict[str, Any] = counts([int(pk) for pk in options.count.split(",")])
    else:
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        # Pages are rendered as in production: static files through the manifest storage.
        call_command("collectstatic", interactive=False, verbosity=0)
        result = populate(clients=options.clients, proposals=options.proposals)
    Path(options.out).write_text(json.dumps(result))


if __name__ == "__main__":
    main()
