"""``unkonf seed_demo``: create the demo barcamp (once) and say how to look around."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from unkonf.scheduling.demo import DemoInfo, seed_demo


class Command(BaseCommand):
    help = "Create the demo barcamp (only once) and print how to log in."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--site-url",
            default=settings.SITE_URL,
            help="Address the instance is reached at (default: UNKONF_SITE_URL).",
        )
        parser.add_argument(
            "--without-proposals",
            action="store_true",
            help="Leave the programme empty: no session proposals, no interest, no grid.",
        )
        parser.add_argument(
            "--without-grid",
            action="store_true",
            help="Stop after the proposals: no pitch, no grid, no published plan.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        info = seed_demo(
            site_url=options["site_url"],
            proposals=not options["without_proposals"],
            grid=not options["without_grid"],
        )
        self.stdout.write(render_info(info))


def render_info(info: DemoInfo) -> str:
    """What to print: German first, then English."""
    others = f"{info.moderator_email}, {info.timekeeper_email}, {info.exhibitor_email}"
    if info.created:
        de_head, en_head = "Demo-Barcamp angelegt", "Demo barcamp created"
    else:
        de_head, en_head = "Demo-Barcamp ist schon vorhanden", "Demo barcamp already exists"
    return f"""
{de_head}: {info.event.name}
  {info.event_url}

Anmelden: {info.login_url} öffnen, E-Mail-Adresse eingeben und „Anmelden“ wählen.
Ein Passwort gibt es nicht: Der Anmeldecode kommt per E-Mail – im Demo-Modus hier auf die Konsole.
  Organisation:  {info.organiser_email}
  Teilnehmerin:  {info.participant_email}
  Moderation, Zeitwächter, Aussteller: {others}

{en_head}: {info.event_url}
Log in: open {info.login_url}, enter the e-mail address and choose "Anmelden" (sign in).
There is no password: the login code is sent by e-mail, in demo mode printed on this console.
  Organiser:   {info.organiser_email}
  Participant: {info.participant_email}
  Moderator, timekeeper, exhibitor: {others}
"""
