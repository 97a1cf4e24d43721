"""Barcamps, their days, roles and registrations.

``EventFactory()`` is a published public barcamp with every legal text filled in, no place
limit and one day. ``EventFactory(days=3)`` gives three consecutive days, ``days=[date, …]``
exactly those, ``days=0`` none; ``organiser=user`` makes that person organiser.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

import factory
from django.db.models import F, Max
from django.utils.text import slugify
from django.utils.timezone import localdate, now
from factory.django import DjangoModelFactory

from tests.factories.accounts import UserFactory
from unkonf.accounts.models import User
from unkonf.events.enums import EventMode, OrganisationType, RegistrationStatus, Role, Visibility
from unkonf.events.models import Day, Event, EventRole, Registration

TOPICS = (
    "Verwaltung digital",
    "Open Data Kommune",
    "Smart City Nord",
    "Digitale Schule",
    "Bürgerservice neu gedacht",
    "Nachhaltige IT im Amt",
)

ORGANISATIONS = (
    ("Stadtverwaltung Musterstadt", OrganisationType.MUNICIPAL),
    ("Landesamt für Digitalisierung", OrganisationType.STATE),
    ("Bundesministerium des Innern", OrganisationType.FEDERAL),
    ("Kommunales Rechenzentrum Süd", OrganisationType.MUNICIPAL_IT),
    ("Hochschule für öffentliche Verwaltung", OrganisationType.SCIENCE),
    ("Code for Musterstadt e. V.", OrganisationType.CIVIL_SOCIETY),
    ("Beispiel Software GmbH", OrganisationType.BUSINESS),
)

IMPRINT = """\
**Angaben gemäß § 5 DDG**

Stadt Musterstadt, Der Oberbürgermeister
Rathausplatz 1, 12345 Musterstadt
Telefon: 01234 56789-0
"""

PRIVACY_NOTICE = """\
Wir verarbeiten Ihren Namen, Ihre E-Mail-Adresse und Ihre Organisation, um das Barcamp
durchzuführen (Art. 6 Abs. 1 lit. e DSGVO). Die Daten werden drei Monate nach der
Veranstaltung gelöscht. Sie können Ihre Daten jederzeit herunterladen oder löschen.
"""

CODE_OF_CONDUCT = """\
Wir begegnen einander mit Respekt. Belästigung und Diskriminierung dulden wir nicht.
Ansprechpersonen des Orga-Teams erkennen Sie am grünen Namensschild.
"""


def first_day() -> datetime.date:
    return localdate() + datetime.timedelta(days=60)


def _event_name(n: int) -> str:
    return f"Barcamp {TOPICS[n % len(TOPICS)]} {2026 + n // len(TOPICS)} #{n}"


class EventFactory(DjangoModelFactory[Event]):
    class Meta:
        model = Event
        skip_postgeneration_save = True

    name = factory.Sequence(_event_name)
    slug = factory.LazyAttribute(lambda o: slugify(o.name)[:60])
    description = (
        "Ein Tag, an dem alle Teilnehmenden das Programm selbst gestalten.\n\n"
        "- Sessions vorschlagen\n- abstimmen\n- mitdiskutieren"
    )
    mode = EventMode.ON_SITE
    venue_address = "Rathaus Musterstadt\nRathausplatz 1\n12345 Musterstadt"
    timezone = "Europe/Berlin"
    visibility = Visibility.PUBLIC
    contact_name = "Orga-Team Barcamp"
    contact_email = "barcamp@musterstadt.example"
    imprint = IMPRINT
    privacy_notice = PRIVACY_NOTICE
    code_of_conduct = CODE_OF_CONDUCT
    capacity = None
    registration_open = True
    published_at = factory.LazyFunction(now)

    class Params:
        unpublished = factory.Trait(published_at=None)
        # A fresh barcamp as an organiser starts it: nothing filled in, not published.
        draft = factory.Trait(
            published_at=None, imprint="", privacy_notice="", code_of_conduct="", contact_email=""
        )
        invite_only = factory.Trait(visibility=Visibility.INVITE_ONLY)

    @factory.post_generation
    def days(
        self: Event, create: bool, extracted: int | Iterable[datetime.date] | None, **kwargs: Any
    ) -> None:
        if not create:
            return
        if extracted is None:
            extracted = 1
        if isinstance(extracted, int):
            start = first_day()
            dates = [start + datetime.timedelta(days=i) for i in range(extracted)]
        else:
            dates = list(extracted)
        for i, date in enumerate(dates, start=1):
            Day.objects.create(event=self, date=date, label=f"Tag {i}" if len(dates) > 1 else "")

    @factory.post_generation
    def organiser(self: Event, create: bool, extracted: User | None, **kwargs: Any) -> None:
        if create and extracted is not None:
            EventRole.objects.create(event=self, user=extracted, role=Role.ORGANISER)


def _next_free_date(day: Any) -> datetime.date:
    last = Day.objects.filter(event=day.event).aggregate(last=Max("date"))["last"]
    return last + datetime.timedelta(days=1) if last else first_day()


class DayFactory(DjangoModelFactory[Day]):
    """A day after the barcamp's last day (so days never collide)."""

    class Meta:
        model = Day

    event = factory.SubFactory(EventFactory, days=0)
    date = factory.LazyAttribute(_next_free_date)
    label = ""


class EventRoleFactory(DjangoModelFactory[EventRole]):
    class Meta:
        model = EventRole

    event = factory.SubFactory(EventFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.ORGANISER


class RegistrationFactory(DjangoModelFactory[Registration]):
    """A confirmed registration for all days; arrival number taken from the barcamp's counter.

    Traits ``waiting`` and ``cancelled``; ``days=[…]`` picks days (default: all of the barcamp).
    """

    class Meta:
        model = Registration
        skip_postgeneration_save = True

    event = factory.SubFactory(EventFactory)
    user = factory.SubFactory(UserFactory)
    name = factory.SelfAttribute("user.name")
    email = factory.SelfAttribute("user.email")
    organisation = factory.LazyAttribute(lambda o: o.employer[0])
    organisation_type = factory.LazyAttribute(lambda o: o.employer[1])
    accessibility_needs = ""
    privacy_consent_at = factory.LazyFunction(now)
    public_listing = False
    status = RegistrationStatus.CONFIRMED
    queue_number = None
    manual = False

    class Params:
        employer = factory.Iterator(ORGANISATIONS)
        waiting = factory.Trait(status=RegistrationStatus.WAITING)
        cancelled = factory.Trait(status=RegistrationStatus.CANCELLED)

    @classmethod
    def _create(cls, model_class: type[Registration], *args: Any, **kwargs: Any) -> Registration:
        event: Event = kwargs["event"]
        if kwargs.get("queue_number") is None:
            # Keep the barcamp's counter in step, as register() does, so later
            # registrations through the service get the next arrival number.
            Event.objects.filter(pk=event.pk).update(
                registration_counter=F("registration_counter") + 1
            )
            event.refresh_from_db(fields=["registration_counter"])
            kwargs["queue_number"] = event.registration_counter
        return super()._create(model_class, *args, **kwargs)

    @factory.post_generation
    def days(
        self: Registration, create: bool, extracted: Iterable[Day] | None, **kwargs: Any
    ) -> None:
        if create:
            self.days.set(self.event.days.all() if extracted is None else list(extracted))
