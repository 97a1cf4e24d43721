# German typography (en dashes) and Turkish names (dotless i) are intended here.
"""The demo barcamp: a realistic two-day hybrid barcamp of the public sector, made by the services.

``seed_demo`` builds "Verwaltung digital gestalten – Barcamp <year>" the way an organiser would:
accounts, the barcamp with its legal texts, two days with generated slots, the rooms, roles, an
open invitation, publication, forty registrations, and then the participants' session
proposals with their interest (``demo_proposals``). Every write goes through a service, so the
demo also fills the audit log. It lives in scheduling because that is the lowest app that knows
days, rooms and slots.

Running it again changes nothing: when the barcamp's short name exists, it only reports.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.auth.models import Permission
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone, translation

from unkonf.accounts.models import User
from unkonf.accounts.services import get_or_create_user, mark_email_verified
from unkonf.events.enums import EventMode, OrganisationType, Role, Visibility
from unkonf.events.models import Day, Event
from unkonf.events.services import (
    RegistrationData,
    add_day,
    create_event,
    grant_role,
    invite_member,
    publish_event,
    register,
)
from unkonf.scheduling.demo_grid import seed_grid
from unkonf.scheduling.demo_proposals import seed_proposals
from unkonf.scheduling.generator import DayPlan
from unkonf.scheduling.services import generate_slots
from unkonf.venues.enums import Equipment, RoomKind
from unkonf.venues.services import create_room

DEMO_SLUG = "verwaltung-digital"
DEMO_NAME = "Verwaltung digital gestalten – Barcamp {year}"
NETWORK = "Netzwerk Verwaltungsinnovation e. V."
VIDEO_HOST = "https://meet.example.org"

ORGANISER_EMAIL = "orga@example.org"
MODERATOR_EMAIL = "moderation@example.org"
TIMEKEEPER_EMAIL = "zeitwaechter@example.org"
EXHIBITOR_EMAIL = "aussteller@example.org"
PARTICIPANT_EMAIL = "teilnehmerin@example.org"
INVITED_EMAIL = "co-moderation@example.net"


@dataclass(frozen=True)
class DemoInfo:
    event: Event
    organiser_email: str
    moderator_email: str
    timekeeper_email: str
    exhibitor_email: str
    participant_email: str
    event_url: str
    login_url: str
    created: bool


# --- The barcamp's texts ---------------------------------------------------------------------

DESCRIPTION = """\
Zwei Tage für alle, die die Verwaltung von morgen schon heute gestalten wollen: Beschäftigte
aus Bund, Ländern und Kommunen, kommunale IT-Dienstleister, Wissenschaft, Zivilgesellschaft
und alle, die mit der Verwaltung zusammenarbeiten.

## Was ist ein Barcamp?

Ein Barcamp ist eine offene Tagung ohne vorher festgelegtes Programm – manchmal auch
„Un-Konferenz“ genannt. Die Teilnehmenden bringen die Themen selbst mit: Wer eine Frage,
ein Projekt oder eine Erfahrung teilen möchte, stellt sie morgens in einer Minute vor
(der „Pitch“). Alle zeigen per Handzeichen oder Smartphone, was sie interessiert, und daraus
entsteht gemeinsam der Sessionplan für den Tag.

Eine Session ist kein Vortrag mit Fragerunde, sondern ein Gespräch auf Augenhöhe: Erfahrungen
austauschen, kontrovers diskutieren, gemeinsam an einer Lösung arbeiten. Wer merkt, dass er
in einer Session nichts beitragen oder mitnehmen kann, wechselt einfach den Raum –
das ist ausdrücklich erwünscht.

Sie müssen nichts vorbereiten. Wer mag, kann einen Sessionvorschlag schon vorab hier auf der
Seite einreichen; so finden sich Interessierte früher.

## Themen, die uns bewegen

- Digitale Akte und Zusammenarbeit über Referats- und Behördengrenzen hinweg
- Onlinezugang, Portale und Once-Only: Was kommt bei Bürgerinnen und Bürgern an?
- Agiles Arbeiten, neue Führung und Fehlerkultur in der Verwaltung
- Offene Daten, KI und Datenschutz – lösungsorientiert statt als Bremse
- Die Rolle kommunaler IT-Dienstleister
- Verwaltung als attraktive Arbeitgeberin

## Ablauf

Beide Tage beginnen um 9:30 Uhr auf der Hauptbühne mit dem Pitch. Danach laufen die Sessions
parallel in sechs Workshop-Räumen, mittags gibt es eine Stunde Pause. Am Ende des zweiten
Tages sammeln wir in der Abschlussrunde, was wir gelernt haben. Die Ergebnisse jeder Session
werden kurz dokumentiert und nach dem Barcamp veröffentlicht.

## Hybrid

Das Barcamp findet vor Ort in Berlin und online statt. Die Hauptbühne, das Café und zwei
Workshop-Räume sind per Videokonferenz zugeschaltet. Wer online teilnimmt, pitcht und
stimmt genauso mit ab wie alle im Saal.

Einfach machen!
"""

ONLINE_NOTE = """\
Online nehmen Sie über den Browser teil, ohne Installation. Die Videoräume von Hauptbühne,
Café und den hybriden Workshop-Räumen öffnen sich aus dem Sessionplan; am Veranstaltungstag
finden Sie die Links nach der Anmeldung auf dieser Seite. Bitte nutzen Sie ein Headset.
Technik-Check: am ersten Tag ab 9:00 Uhr im Raum der Hauptbühne.
"""

VENUE_ADDRESS = """\
Werkhaus Verwaltungsinnovation
Am Spreebogen 12
10557 Berlin

Barrierefreier Zugang über den Hof, Aufzug in alle Etagen.
Mit S- und U-Bahn bis Hauptbahnhof, von dort 8 Minuten zu Fuß."""

CONTACT_NAME = "Petra Lindner"
CONTACT_EMAIL = "barcamp@example.org"

IMPRINT = """\
## Angaben gemäß § 5 DDG

Netzwerk Verwaltungsinnovation e. V.
Am Spreebogen 12
10557 Berlin

Vertreten durch den Vorstand: Dr. Katrin Albers (Vorsitzende), Markus Feldmann

Eingetragen im Vereinsregister des Amtsgerichts Berlin-Charlottenburg, VR 00000 B
(fiktiver Demo-Eintrag)

## Kontakt

E-Mail: barcamp@example.org
Telefon: +49 30 0000000

## Verantwortlich für den Inhalt nach § 18 Abs. 2 MStV

Petra Lindner, Anschrift wie oben

*Dies ist eine Demo-Veranstaltung. Verein, Anschrift und Kontaktdaten sind frei erfunden.*
"""

PRIVACY_NOTICE = """\
## Datenschutzhinweise zum Barcamp

Verantwortlich für die Verarbeitung Ihrer Daten ist das Netzwerk Verwaltungsinnovation e. V.,
Am Spreebogen 12, 10557 Berlin, barcamp@example.org. Unsere Datenschutzbeauftragte erreichen
Sie unter datenschutz@example.org.

### Was wir speichern

- **Bei der Anmeldung:** Name, E-Mail-Adresse, Organisation und deren Art, die Tage, an denen
  Sie teilnehmen, und – nur wenn Sie etwas angeben – Ihre Hinweise zur Barrierefreiheit.
- **Während des Barcamps:** Ihre Sessionvorschläge, Interessenbekundungen, Kommentare,
  Notizen und hochgeladenen Materialien.
- **Technisch:** Für die Anmeldung ein Sitzungs-Cookie und, zum Schutz vor Missbrauch,
  kurzzeitig die IP-Adresse. Wir setzen keine Tracking- oder Werbe-Cookies ein und binden
  keine Inhalte von Drittanbietern ein.

### Wozu

Wir verarbeiten die Daten, um das Barcamp durchzuführen: Plätze vergeben, die Warteliste
führen, Sie über Änderungen informieren, Räume passend zum Interesse planen und die
Ergebnisse zu dokumentieren (Art. 6 Abs. 1 lit. b DSGVO). Hinweise zur Barrierefreiheit
verarbeiten wir nur mit Ihrer Einwilligung und nur, um Ihre Teilnahme zu ermöglichen
(Art. 9 Abs. 2 lit. a DSGVO).

### Wer die Daten sieht

Das Orga-Team. Auf der öffentlichen Teilnehmendenliste erscheinen Sie nur, wenn Sie das bei
der Anmeldung ausdrücklich wählen. Ihre Sessionbeiträge und dokumentierten Ergebnisse sind
für die anderen Teilnehmenden sichtbar und werden nach dem Barcamp veröffentlicht.

### Wie lange

Anmeldedaten und Hinweise zur Barrierefreiheit löschen wir drei Monate nach dem Barcamp.
Veröffentlichte Sessionergebnisse bleiben erhalten; Ihr Name wird auf Wunsch entfernt.
Ihr Konto können Sie jederzeit selbst löschen.

### Ihre Rechte

Sie haben das Recht auf Auskunft, Berichtigung, Löschung, Einschränkung der Verarbeitung,
Datenübertragbarkeit und Widerspruch sowie das Recht, eine Einwilligung jederzeit zu
widerrufen. Eine Kopie Ihrer Daten können Sie in Ihrem Profil herunterladen. Außerdem
können Sie sich bei einer Datenschutz-Aufsichtsbehörde beschweren, zum Beispiel bei der
Berliner Beauftragten für Datenschutz und Informationsfreiheit.

### Kontakt

Fragen zum Datenschutz richten Sie bitte an datenschutz@example.org.
"""

CODE_OF_CONDUCT = """\
## Verhaltenskodex

Ein Barcamp lebt davon, dass alle mitmachen können – unabhängig von Hierarchie, Behörde,
Erfahrung, Herkunft, Geschlecht, Alter, Behinderung oder Meinung. Deshalb gilt für alle
Teilnehmenden, Sessiongebenden, das Orga-Team und Ausstellende, vor Ort wie online:

- **Auf Augenhöhe.** Wir begegnen uns respektvoll, hören einander zu und lassen andere
  ausreden. Dienstgrade bleiben an der Garderobe.
- **Offen, aber vertraulich.** Was in einer Session persönlich erzählt wird, bleibt dort.
  Fotos, Mitschnitte und Zitate mit Namen nur mit Zustimmung der Betroffenen.
- **Keine Belästigung.** Herabwürdigende Bemerkungen, Einschüchterung, unerwünschter
  Körperkontakt oder unerwünschte Aufmerksamkeit haben hier keinen Platz – auch nicht im
  Chat oder im Videoraum.
- **Kein Verkauf.** Sessions sind keine Werbeveranstaltungen. Für Produkte und Angebote gibt
  es die Ausstellung.
- **Gesetz der zwei Füße.** Wer in einer Session nichts beitragen oder lernen kann, geht
  freundlich in eine andere.

### Wenn etwas passiert

Sprechen Sie jemanden aus dem Orga-Team an (erkennbar am grünen Namensschild) oder schreiben
Sie an barcamp@example.org. Wir nehmen jede Meldung ernst, behandeln sie vertraulich und
können Personen, die gegen diesen Kodex verstoßen, von der Veranstaltung ausschließen.
"""


# --- Days, slots, rooms ----------------------------------------------------------------------

DAY_PLANS = (
    (
        "Tag 1",
        DayPlan(
            start=datetime.time(9, 30),
            end=datetime.time(17, 0),
            session_minutes=45,
            changeover_minutes=15,
            lunch_start=datetime.time(12, 30),
            lunch_end=datetime.time(13, 30),
            opening_minutes=30,
        ),
    ),
    (
        "Tag 2",
        DayPlan(
            start=datetime.time(9, 30),
            end=datetime.time(17, 0),
            session_minutes=45,
            changeover_minutes=15,
            lunch_start=datetime.time(12, 30),
            lunch_end=datetime.time(13, 30),
            opening_minutes=15,
            closing_minutes=30,
        ),
    ),
)


@dataclass(frozen=True)
class _RoomSpec:
    name: str
    kind: str
    capacity: int
    location: str
    equipment: tuple[str, ...]
    video: str = ""  # the room name in the video system; empty for on-site only


EQ = Equipment
ROOMS = (
    _RoomSpec(
        "Hauptbühne",
        RoomKind.STAGE,
        120,
        "Erdgeschoss, großer Saal",
        (EQ.PROJECTOR, EQ.SCREEN, EQ.MICROPHONE, EQ.STEP_FREE, EQ.INDUCTION_LOOP, EQ.HYBRID_READY),
        video="hauptbuehne",
    ),
    _RoomSpec(
        "Café",
        RoomKind.CAFE,
        40,
        "Erdgeschoss, Foyer zum Hof",
        (EQ.STEP_FREE,),
        video="cafe",
    ),
    _RoomSpec(
        "Ausstellung",
        RoomKind.EXHIBITION,
        50,
        "1. Obergeschoss, Galerie",
        (EQ.PINBOARD, EQ.SCREEN, EQ.STEP_FREE),
    ),
    _RoomSpec(
        "Raum Spree",
        RoomKind.WORKSHOP,
        40,
        "1. Obergeschoss, links",
        (
            EQ.PROJECTOR,
            EQ.WHITEBOARD,
            EQ.MICROPHONE,
            EQ.STEP_FREE,
            EQ.INDUCTION_LOOP,
            EQ.HYBRID_READY,
        ),
        video="raum-spree",
    ),
    _RoomSpec(
        "Raum Havel",
        RoomKind.WORKSHOP,
        30,
        "1. Obergeschoss, rechts",
        (EQ.PROJECTOR, EQ.WHITEBOARD, EQ.STEP_FREE, EQ.HYBRID_READY),
        video="raum-havel",
    ),
    _RoomSpec(
        "Raum Dahme",
        RoomKind.WORKSHOP,
        24,
        "2. Obergeschoss, links",
        (EQ.PROJECTOR, EQ.FLIPCHART, EQ.PINBOARD, EQ.STEP_FREE),
    ),
    _RoomSpec(
        "Raum Panke",
        RoomKind.WORKSHOP,
        20,
        "2. Obergeschoss, rechts",
        (EQ.SCREEN, EQ.WHITEBOARD, EQ.FLIPCHART, EQ.STEP_FREE),
    ),
    _RoomSpec(
        "Raum Wuhle",
        RoomKind.WORKSHOP,
        16,
        "2. Obergeschoss, am Ende des Flurs",
        (EQ.FLIPCHART, EQ.PINBOARD, EQ.QUIET),
    ),
    _RoomSpec(
        "Raum Erpe",
        RoomKind.WORKSHOP,
        12,
        "Dachgeschoss (nur über Treppe erreichbar)",
        (EQ.WHITEBOARD, EQ.FLIPCHART, EQ.QUIET),
    ),
)


# --- People -----------------------------------------------------------------------------------

BOTH = (1, 2)


@dataclass(frozen=True)
class _Person:
    name: str
    email: str
    organisation: str
    organisation_type: str
    days: tuple[int, ...] = BOTH
    accessibility_needs: str = ""
    public_listing: bool = False


ORG = OrganisationType
# fmt: off
ORGANISER = _Person("Petra Lindner", ORGANISER_EMAIL, NETWORK, ORG.CIVIL_SOCIETY)
MODERATOR = _Person("Tobias Reinhardt", MODERATOR_EMAIL,
                    "Stadt Norderstedt", ORG.MUNICIPAL, public_listing=True)
TIMEKEEPER = _Person("Aylin Demir", TIMEKEEPER_EMAIL, "Landesamt für Digitalisierung", ORG.STATE)
EXHIBITOR = _Person("Jonas Weber", EXHIBITOR_EMAIL,
                    "Initiative Offene Verwaltungsdaten e. V.", ORG.CIVIL_SOCIETY,
                    public_listing=True)
PARTICIPANT = _Person("Sabine Kowalski", PARTICIPANT_EMAIL,
                      "Bezirksamt Pankow von Berlin", ORG.MUNICIPAL, public_listing=True)

# Registered after publication, in this order; the moderator, timekeeper, exhibitor and the
# demo participant are among them (the organiser runs the barcamp and is not registered).
REGISTRANTS = (
    MODERATOR,
    TIMEKEEPER,
    EXHIBITOR,
    PARTICIPANT,
    _Person("Dr. Stefan Hoffmann", "stefan.hoffmann@example.org",
            "Bundesamt für zentrale Verwaltungsdienste", ORG.FEDERAL, public_listing=True),
    _Person("Claudia Neumann", "c.neumann@example.org",
            "Bundesministerium für Digitales und Verwaltungsmodernisierung", ORG.FEDERAL),
    _Person("Murat Yılmaz", "murat.yilmaz@example.com",
            "Bundesagentur für Bürgerdienste", ORG.FEDERAL, days=(1,)),
    _Person("Julia Schreiber", "julia.schreiber@example.org",
            "Bundesministerium für Digitales und Verwaltungsmodernisierung", ORG.FEDERAL,
            accessibility_needs="Gebärdensprachdolmetschung für Eröffnung und Abschluss"),
    _Person("Andreas Brandt", "andreas.brandt@example.net",
            "Landesamt für Digitalisierung", ORG.STATE, public_listing=True),
    _Person("Kerstin Vogel", "k.vogel@example.net",
            "Senatsverwaltung für Inneres und Digitales Berlin", ORG.STATE),
    _Person("Thomas Krüger", "thomas.krueger@example.com",
            "Staatskanzlei Brandenburg, Referat Verwaltungsmodernisierung", ORG.STATE, days=(2,)),
    _Person("Nadine Friedrich", "nadine.friedrich@example.org",
            "Landesamt für Statistik und Open Data", ORG.STATE),
    _Person("Lena Hartmann", "lena.hartmann@example.org",
            "Stadt Norderstedt", ORG.MUNICIPAL, public_listing=True),
    _Person("Michael Schulz", "m.schulz@example.org",
            "Stadt Potsdam, Fachbereich Bürgerservice", ORG.MUNICIPAL),
    _Person("Anja Köhler", "anja.koehler@example.net",
            "Landkreis Oder-Spree", ORG.MUNICIPAL, days=(1,)),
    _Person("Frank Zimmermann", "frank.zimmermann@example.com",
            "Gemeinde Kleinmachnow", ORG.MUNICIPAL,
            accessibility_needs="Rollstuhl: bitte stufenlose Räume für meine Sessions"),
    _Person("Sevda Arslan", "sevda.arslan@example.org",
            "Stadt Herten, Digitalisierungsbüro", ORG.MUNICIPAL, public_listing=True),
    _Person("Heike Lorenz", "heike.lorenz@example.net",
            "Stadt Cottbus, Personalentwicklung", ORG.MUNICIPAL),
    _Person("Martin Becker", "martin.becker@example.org",
            "Bezirksamt Friedrichshain-Kreuzberg", ORG.MUNICIPAL, days=(2,)),
    _Person("Oliver Scholz", "oliver.scholz@example.com",
            "Kommunales Rechenzentrum Mittelbrandenburg", ORG.MUNICIPAL_IT, public_listing=True),
    _Person("Sandra Wolf", "sandra.wolf@example.com",
            "Zweckverband Kommunale IT Nordost", ORG.MUNICIPAL_IT),
    _Person("Benjamin Richter", "b.richter@example.net",
            "KommunalDigital Westfalen GmbH (kommunaler IT-Dienstleister)", ORG.MUNICIPAL_IT),
    _Person("Tanja Meier", "tanja.meier@example.com",
            "Kommunales Rechenzentrum Mittelbrandenburg", ORG.MUNICIPAL_IT,
            days=(1,), accessibility_needs="Induktionsschleife auf der Hauptbühne"),
    _Person("Prof. Dr. Ulrike Sommer", "ulrike.sommer@example.org",
            "Hochschule für öffentliche Verwaltung Nordbrandenburg", ORG.SCIENCE,
            public_listing=True),
    _Person("Felix Wagner", "felix.wagner@example.org",
            "Hochschule für öffentliche Verwaltung Nordbrandenburg", ORG.SCIENCE),
    _Person("Dr. Mareike Jansen", "mareike.jansen@example.net",
            "Institut für Verwaltungsforschung", ORG.SCIENCE, days=(2,)),
    _Person("Ralf Schmitt", "ralf.schmitt@example.org",
            "Verein Digitale Kommune e. V.", ORG.CIVIL_SOCIETY, public_listing=True),
    _Person("Ines Berger", "ines.berger@example.net",
            "Code for Havelland e. V.", ORG.CIVIL_SOCIETY),
    _Person("Kai Lehmann", "kai.lehmann@example.com",
            "Verein Bürgerbeteiligung vor Ort e. V.", ORG.CIVIL_SOCIETY, days=(1,)),
    _Person("Daniel Fischer", "daniel.fischer@example.com",
            "Firma Amtlich Digital GmbH", ORG.BUSINESS),
    _Person("Miriam Klein", "miriam.klein@example.com",
            "Brückenbau Organisationsberatung GmbH", ORG.BUSINESS, public_listing=True),
    _Person("Patrick Hahn", "patrick.hahn@example.net",
            "Firma Formularfrei Software GmbH", ORG.BUSINESS, days=(2,)),
    _Person("Gisela Krause", "gisela.krause@example.net",
            "im Ruhestand, vorher Stadtverwaltung Norderstedt", ORG.OTHER,
            accessibility_needs="Bitte Sitzplätze nahe am Ausgang; ich höre schlecht"),
    _Person("Yasemin Özdemir", "yasemin.oezdemir@example.com",
            "freie Journalistin", ORG.OTHER),
    _Person("Christian Walter", "christian.walter@example.org",
            "Gesamtpersonalrat Landesverwaltung", ORG.OTHER, days=(1,)),
    _Person("Katharina Schwarz", "katharina.schwarz@example.org",
            "Landesamt für Statistik und Open Data", ORG.STATE, public_listing=True),
    _Person("Sebastian Graf", "sebastian.graf@example.net",
            "Stadt Potsdam, IT-Koordination", ORG.MUNICIPAL),
    _Person("Elif Kaya", "elif.kaya@example.org",
            "Bundesamt für zentrale Verwaltungsdienste", ORG.FEDERAL, days=(2,)),
    _Person("Moritz Engel", "moritz.engel@example.com",
            "Studierender, Hochschule für öffentliche Verwaltung Nordbrandenburg", ORG.SCIENCE,
            public_listing=True),
    _Person("Birgit Schuster", "birgit.schuster@example.net",
            "Landkreis Oder-Spree, Bürgerbüro", ORG.MUNICIPAL),
)
# fmt: on


# --- Seeding ----------------------------------------------------------------------------------


def demo_days(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The Thursday at least three weeks after ``today``, and the Friday after it."""
    first = today + datetime.timedelta(weeks=3)
    first += datetime.timedelta(days=(3 - first.weekday()) % 7)
    return first, first + datetime.timedelta(days=1)


def _info(event: Event, *, site_url: str, created: bool) -> DemoInfo:
    site_url = site_url.rstrip("/")
    return DemoInfo(
        event=event,
        organiser_email=ORGANISER_EMAIL,
        moderator_email=MODERATOR_EMAIL,
        timekeeper_email=TIMEKEEPER_EMAIL,
        exhibitor_email=EXHIBITOR_EMAIL,
        participant_email=PARTICIPANT_EMAIL,
        event_url=f"{site_url}/{event.slug}/",
        login_url=f"{site_url}/accounts/login/",
        created=created,
    )


@contextmanager
def _mail_discarded() -> Iterator[None]:
    """The demo people have made-up addresses: their confirmation mails go nowhere.

    The services still send them (on commit, inside this block); only the backend drops them,
    so the console stays readable and shows the login codes that matter.
    """
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        yield


def _account(person: _Person) -> User:
    user, _created = get_or_create_user(person.email, name=person.name)
    mark_email_verified(user)
    return user


def seed_demo(*, site_url: str, proposals: bool = True, grid: bool = False) -> DemoInfo:
    """Create the demo barcamp through the services, or report the one that is there.

    ``proposals=False`` leaves the programme empty (no session proposals yet), for showing how
    proposing works from the start. ``grid=True`` (the ``seed_demo`` command's default) also
    runs the pitch and publishes a planned grid for both days (``demo_grid``).
    """
    existing = Event.objects.filter(slug=DEMO_SLUG).first()
    if existing is not None:
        return _info(existing, site_url=site_url, created=False)
    with translation.override("de"), _mail_discarded(), transaction.atomic():
        event = _build(timezone.localdate(), proposals=proposals, grid=grid)
    return _info(event, site_url=site_url, created=True)


def _build(today: datetime.date, *, proposals: bool = True, grid: bool = False) -> Event:
    organiser = _account(ORGANISER)
    organiser.user_permissions.add(
        Permission.objects.get(content_type__app_label="events", codename="add_event")
    )
    staff = {person.email: _account(person) for person in (MODERATOR, TIMEKEEPER, EXHIBITOR)}
    _account(PARTICIPANT)

    event = create_event(
        actor=organiser,
        name=DEMO_NAME.format(year=demo_days(today)[0].year),
        slug=DEMO_SLUG,
        description=DESCRIPTION,
        mode=EventMode.HYBRID,
        venue_address=VENUE_ADDRESS,
        online_note=ONLINE_NOTE,
        timezone="Europe/Berlin",
        visibility=Visibility.PUBLIC,
        contact_name=CONTACT_NAME,
        contact_email=CONTACT_EMAIL,
        imprint=IMPRINT,
        privacy_notice=PRIVACY_NOTICE,
        code_of_conduct=CODE_OF_CONDUCT,
        capacity=60,
    )

    days: dict[int, Day] = {}
    for number, (date, (label, plan)) in enumerate(
        zip(demo_days(today), DAY_PLANS, strict=True), 1
    ):
        days[number] = add_day(event, actor=organiser, date=date, label=label)
        generate_slots(days[number], actor=organiser, plan=plan)

    for room in ROOMS:
        create_room(
            event,
            actor=organiser,
            name=room.name,
            kind=room.kind,
            capacity=room.capacity,
            location=room.location,
            equipment=[str(tag) for tag in room.equipment],
            video_url=f"{VIDEO_HOST}/{DEMO_SLUG}-{room.video}" if room.video else "",
        )

    grant_role(event, actor=organiser, user=staff[MODERATOR_EMAIL], role=Role.MODERATOR)
    grant_role(event, actor=organiser, user=staff[TIMEKEEPER_EMAIL], role=Role.TIMEKEEPER)
    grant_role(event, actor=organiser, user=staff[EXHIBITOR_EMAIL], role=Role.EXHIBITOR)
    invite_member(event, actor=organiser, email=INVITED_EMAIL, role=Role.MODERATOR)

    event = publish_event(event, actor=organiser)

    registered: dict[str, User] = {}
    for person in REGISTRANTS:
        registration = register(
            event,
            data=RegistrationData(
                name=person.name,
                email=person.email,
                organisation=person.organisation,
                organisation_type=person.organisation_type,
                privacy_consent=True,
                days=tuple(days[number] for number in person.days),
                accessibility_needs=person.accessibility_needs,
                public_listing=person.public_listing,
            ),
            actor=None,
        )
        if registration.user is not None:
            registered[person.email] = registration.user

    if proposals:
        seed_proposals(event, people=registered, moderator=staff[MODERATOR_EMAIL])
        if grid:
            seed_grid(event, people=registered, moderator=staff[MODERATOR_EMAIL])
    return event
