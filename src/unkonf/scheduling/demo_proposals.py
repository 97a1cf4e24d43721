# German typography (quotes, en dashes) and Turkish names (dotless i) are intended here.
"""The demo barcamp's session proposals, made by the proposal services.

Twenty-one proposals in the spirit of "Verwaltung digital gestalten": hosted by the registered
demo people (some with a co-host, one still asked), with interest from the others (a few
popular, some niche), a couple of comments, one spontaneous proposal with only a host's name,
one draft and one pair of near-duplicates for the duplicates page. Interest is cast through
``cast_interest``, so every count equals its rows. A fixed random seed picks who is interested:
the demo is the same on every run.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass

from unkonf.accounts.models import User
from unkonf.events.enums import EventMode
from unkonf.events.models import Event
from unkonf.proposals import services as proposal_services
from unkonf.proposals.enums import ProposalFormat, ProposalLanguage
from unkonf.proposals.models import Proposal, ProposalHost
from unkonf.venues.enums import Equipment

RANDOM_SEED = 2017  # the year of the first "Digitale Familie" barcamp
PARTICIPANT_EMAIL = "teilnehmerin@example.org"  # the demo participant, who hosts the draft

EQ = Equipment
FMT = ProposalFormat
MODE = EventMode


@dataclass(frozen=True)
class DemoProposal:
    title: str
    host: str  # e-mail of a registered demo person
    description: str
    topics: tuple[str, ...]
    interest: int
    format: str = FMT.DISCUSSION
    mode: str = MODE.ON_SITE
    slots: int = 1
    needs: tuple[str, ...] = ()
    language: str = ProposalLanguage.GERMAN
    cohosts: tuple[str, ...] = ()  # confirmed co-hosts
    asked: tuple[str, ...] = ()  # asked to co-host, no answer yet
    draft: bool = False


@dataclass(frozen=True)
class DemoComment:
    proposal: str  # title
    author: str  # e-mail
    text: str


@dataclass(frozen=True)
class DemoSpontaneous:
    title: str
    host_name: str
    interest: int


PROPOSALS = (
    DemoProposal(
        "KI-Assistenten in der Sachbearbeitung: Was geht schon, was darf man?",
        "andreas.brandt@example.net",
        """\
Im Landesamt testen wir seit einem halben Jahr einen **KI-Assistenten**, der Bescheidentwürfe
vorbereitet und lange Akten zusammenfasst. Ich zeige kurz, was funktioniert und was nicht.

Danach wollen wir gemeinsam klären:

- Welche Aufgaben eignen sich, welche auf keinen Fall?
- Was sagen Datenschutz, Personalrat und die KI-Verordnung der EU?
- Wie bleibt die Verantwortung bei den Menschen?

Bitte eigene Erfahrungen und Fragen mitbringen.""",
        ("KI", "Datenschutz", "Sachbearbeitung"),
        interest=25,
        format=FMT.WORKSHOP,
        mode=MODE.HYBRID,
        slots=2,
        needs=(EQ.PROJECTOR, EQ.MICROPHONE, EQ.HYBRID_READY),
    ),
    DemoProposal(
        "Nach dem OZG ist vor dem OZG: Was bringt das OZG 2.0 wirklich?",
        "c.neumann@example.org",
        """\
Das Onlinezugangsgesetz hat viele Anträge ins Netz gebracht – aber kommt das bei den
Bürgerinnen und Bürgern an? Mit dem **OZG-Änderungsgesetz** geht es jetzt um
Ende-zu-Ende-Digitalisierung, Once-Only und einheitliche Standards.

Wir sammeln, was in Bund, Ländern und Kommunen gerade hakt, und was wir voneinander lernen
können. Kein Vortrag, sondern ein offener Austausch.""",
        ("OZG", "Onlinezugang", "Once-Only"),
        interest=23,
        mode=MODE.HYBRID,
        needs=(EQ.HYBRID_READY,),
        cohosts=("stefan.hoffmann@example.org",),
    ),
    DemoProposal(
        "Verfestigt die E-Akte das Silodenken?",
        "oliver.scholz@example.com",
        """\
These: Die E-Akte bildet die alte Papierwelt eins zu eins ab – mit Zuständigkeiten,
Mitzeichnungswegen und Ablagestrukturen pro Referat. Cross-funktionale Teamarbeit wird damit
eher schwerer als leichter.

Stimmt das? Wo habt ihr es anders gelöst? Wir diskutieren **kontrovers** und sammeln gute
Beispiele für Zusammenarbeit über Referats- und Behördengrenzen hinweg.""",
        ("E-Akte", "Zusammenarbeit"),
        interest=21,
        needs=(EQ.FLIPCHART,),
        cohosts=("sandra.wolf@example.com",),
    ),
    DemoProposal(
        "Neue Führung: Entscheidungsfreude statt Absicherungskultur",
        "ulrike.sommer@example.org",
        """\
Digitalisierung und Agilität brauchen Freiräume – und Führungskräfte, die Entscheidungen
zutrauen und Fehler aushalten. In der Verwaltung ist das oft schwer: Haushaltsrecht,
Hierarchie, Prüfungen.

Ich bringe Ergebnisse aus einer Befragung von Führungskräften in Kommunen mit. Danach wollen
wir gemeinsam Ideen sammeln, wie eine **Fehlerkultur** im Amt aussehen kann.""",
        ("Führung", "Kultur", "Agilität"),
        interest=19,
        format=FMT.TALK,
        needs=(EQ.PROJECTOR,),
    ),
    DemoProposal(
        "Scrum im Bürgerbüro – geht das?",
        "sevda.arslan@example.org",
        """\
In Herten arbeiten wir seit zwei Jahren mit **Sprints und Retros** – nicht nur in der IT,
sondern auch im Bürgerbüro und in der Personalabteilung.

Ich erzähle von unseren Stolpersteinen, und dann probieren wir in kleinen Gruppen aus, wie
ein Board für eure eigene Abteilung aussehen könnte.""",
        ("Agilität", "Bürgerservice"),
        interest=17,
        format=FMT.WORKSHOP,
        needs=(EQ.PINBOARD, EQ.WHITEBOARD),
    ),
    DemoProposal(
        "Digitalisierung macht Angst: Wie nehmen wir alle Beschäftigten mit?",
        "christian.walter@example.org",
        """\
Neue Software, neue Abläufe, neue Aufgaben: Viele Kolleginnen und Kollegen fühlen sich
überrollt. Aus Sicht des Personalrats möchte ich besprechen, wie Veränderung gelingt,
ohne jemanden zurückzulassen.

- Qualifizierung auf allen Ebenen
- Beteiligung von Anfang an
- Was Führungskräfte, IT und Personalrat gemeinsam tun können""",
        ("Veränderung", "Personal", "Beteiligung"),
        interest=16,
    ),
    DemoProposal(
        "Wissen sichern vor dem Ruhestand",
        "heike.lorenz@example.net",
        """\
In den nächsten zehn Jahren geht rund ein Drittel unserer Beschäftigten in den Ruhestand –
und mit ihnen viel Erfahrungswissen, das in keiner Akte steht.

Wir stellen unser **Tandem-Programm** vor (erfahrene Kolleginnen und Nachwuchs arbeiten
drei Monate zusammen) und sammeln, welche Methoden des Wissensmanagements bei euch
funktionieren: Wikis, Übergabeprotokolle, Erzählcafés …""",
        ("Wissensmanagement", "Personal"),
        interest=14,
        needs=(EQ.FLIPCHART,),
        cohosts=("gisela.krause@example.net",),
    ),
    DemoProposal(
        "Generation Z im Amt: Was erwarten Berufseinsteigende?",
        "felix.wagner@example.org",
        """\
Wir sind Studierende und Lehrende der Hochschule für öffentliche Verwaltung und fragen:
Was macht die Verwaltung als **Arbeitgeberin** attraktiv – und was schreckt ab?

Wir bringen Ergebnisse einer kleinen Umfrage unter Studierenden mit und möchten mit euch
über Feedback-, Fehler- und Vertrauenskultur sprechen. Keine Frage des Alters!""",
        ("Personal", "Arbeitgeberin Verwaltung", "Kultur"),
        interest=13,
        cohosts=("moritz.engel@example.com",),
    ),
    DemoProposal(
        "Open Data in der Kommune: Wo fangen wir an?",
        "nadine.friedrich@example.org",
        """\
Viele Kommunen möchten **offene Daten** veröffentlichen, wissen aber nicht, mit welchen
Datensätzen sie anfangen sollen. Haushaltsdaten? Baustellen? Kita-Plätze?

Wir sammeln gute erste Datensätze, klären Lizenzfragen und schauen auf Beispiele aus
den europäischen Nachbarländern.""",
        ("Open Data", "Kommunen"),
        interest=12,
        needs=(EQ.PROJECTOR,),
    ),
    DemoProposal(
        "Mit-Mach-Stadt: Bürgerbeteiligung digital neu denken",
        "ralf.schmitt@example.org",
        """\
Wie wird Stadtentwicklung zur gemeinsamen Sache der Bewohnerinnen und Bewohner? Wir arbeiten
mit **Design Thinking** an einer Idee für eine digitale Beteiligungsplattform, die auch
Menschen erreicht, die sonst nicht zu Bürgerversammlungen kommen.

Zwei Slots: erst verstehen und Ideen sammeln, dann einen Prototyp auf Papier bauen.""",
        ("Bürgerbeteiligung", "Smart City", "Design Thinking"),
        interest=11,
        format=FMT.DESIGN_THINKING,
        mode=MODE.HYBRID,
        slots=2,
        needs=(EQ.PINBOARD, EQ.FLIPCHART, EQ.HYBRID_READY),
        cohosts=("kai.lehmann@example.com",),
        asked=(PARTICIPANT_EMAIL,),
    ),
    DemoProposal(
        "Datenschutz als Bremse? Lösungsorientiert mit Datenschützern reden",
        "sebastian.graf@example.net",
        """\
„Das geht nicht wegen Datenschutz“ – wie oft haben wir das gehört? Dabei lässt sich
Datenschutz **pragmatisch** angehen.

Wir sprechen über Beispiele, in denen Fachbereich, IT und Datenschutzbeauftragte früh
zusammengearbeitet haben, und über Muster, die sich übertragen lassen
(Datenschutz-Folgenabschätzung, Auftragsverarbeitung, Löschkonzepte).""",
        ("Datenschutz", "Zusammenarbeit"),
        interest=10,
    ),
    DemoProposal(
        "Barrierefreie Formulare: Praxis-Check mit dem Screenreader",
        "frank.zimmermann@example.com",
        """\
Ein Online-Antrag ist erst fertig, wenn ihn **alle** ausfüllen können. Wir testen
gemeinsam echte Formulare aus unseren Verwaltungen mit Screenreader und Tastatur und
notieren, was wir sofort verbessern können.

Bitte einen Laptop mitbringen, wenn möglich mit NVDA oder VoiceOver.""",
        ("Barrierefreiheit", "Onlinezugang"),
        interest=9,
        format=FMT.WORKSHOP,
        needs=(EQ.PROJECTOR, EQ.STEP_FREE),
    ),
    DemoProposal(
        "Kommunale IT-Dienstleister in fünf Jahren: Betreiber, Berater oder Plattform?",
        "b.richter@example.net",
        """\
Cloud, zentrale Plattformen des Bundes, „Einer für alle“-Leistungen: Die Rolle der
kommunalen Rechenzentren ändert sich. Ist das Ende der klassischen IT eingeläutet?

Provokante These zum Einstieg, dann offene Diskussion – gern auch mit Kommunen, die ihre
Dienstleister kritisch sehen.""",
        ("IT-Dienstleister", "Cloud"),
        interest=8,
    ),
    DemoProposal(
        "Once-Only im Bürgerservice: Nachweise automatisch abrufen",
        "m.schulz@example.org",
        """\
In Potsdam rufen wir für die Wohngeldstelle erste Nachweise direkt aus Registern ab, statt
Papierkopien anzufordern. Ich zeige den Ablauf und was die **Registermodernisierung**
dafür noch liefern muss.""",
        ("Once-Only", "Registermodernisierung", "Bürgerservice"),
        interest=7,
        format=FMT.TALK,
        needs=(EQ.PROJECTOR,),
    ),
    DemoProposal(
        "Offene Daten für Kommunen – die ersten Schritte",
        "katharina.schwarz@example.org",
        """\
Unsere Kommune will **Open Data** veröffentlichen. Welche Daten sollten Kommunen zuerst
bereitstellen, welche Lizenz passt, und wer pflegt die Datensätze auf Dauer?""",
        ("Open Data", "Kommunen"),
        interest=6,
    ),
    DemoProposal(
        "Von Estland lernen: Portalverbund und Once-Only / Learning from Estonia",
        "murat.yilmaz@example.com",
        """\
Estland gilt als Vorbild für digitale Verwaltung. Was davon lässt sich auf den
föderalen **Portalverbund** übertragen – und was nicht?

Session in German and English: questions in either language are welcome.""",
        ("Portalverbund", "Once-Only", "Europa"),
        interest=6,
        format=FMT.OPEN_QUESTION,
        mode=MODE.ONLINE,
        language=ProposalLanguage.BOTH,
    ),
    DemoProposal(
        "Green IT: Nachhaltige Beschaffung und Betrieb in der Verwaltung",
        "mareike.jansen@example.net",
        """\
Rechenzentren, Endgeräte, Druckerflotten: Die öffentliche Hand kauft viel IT.
Wie beziehen wir **Nachhaltigkeit** in Ausschreibungen ein, und wie messen wir den
Energieverbrauch im Betrieb?""",
        ("Nachhaltigkeit", "Beschaffung"),
        interest=5,
    ),
    DemoProposal(
        "Soziale Medien: Muss die Verwaltung überall dabei sein?",
        "yasemin.oezdemir@example.com",
        """\
Welche Kanäle erreichen welche Zielgruppen, und was will man dort eigentlich sagen?
Ein Austausch über Ziele, Aufwand und gute Beispiele aus Städten und Landkreisen.""",
        ("Kommunikation", "Soziale Medien"),
        interest=4,
        mode=MODE.ONLINE,
    ),
    DemoProposal(
        "Sensoren im Bauhof: Internet der Dinge für Winterdienst und Grünpflege",
        "tanja.meier@example.com",
        """\
Wir messen Bodenfeuchte und Straßentemperatur mit günstigen **LoRaWAN-Sensoren**.
Kurzer Erfahrungsbericht aus dem Pilotprojekt, danach Fragen und Ideen für eure Kommune.""",
        ("Internet der Dinge", "Smart City"),
        interest=3,
        format=FMT.TALK,
        mode=MODE.HYBRID,
        needs=(EQ.SCREEN,),
    ),
    DemoProposal(
        "Trello-Board „Digitale Kommune“: Modellkommunen vernetzen",
        PARTICIPANT_EMAIL,
        """\
Idee: ein gemeinsames Board, auf dem Modellkommunen zeigen, woran sie gerade arbeiten,
damit niemand das Rad zweimal erfindet. *Noch ein Entwurf – ich sammle erst Mitstreiter.*""",
        ("Vernetzung", "Kommunen"),
        interest=0,
        draft=True,
    ),
)

SPONTANEOUS = DemoSpontaneous(
    "Kassenautomat im Bürgerbüro – wer hat Erfahrungen?", "Nils Petersen", interest=2
)

COMMENTS = (
    DemoComment(
        PROPOSALS[0].title,
        "julia.schreiber@example.org",
        "Gern auch zur **Kennzeichnung**: Müssen Bürgerinnen und Bürger erfahren, dass ein "
        "Entwurf von einer KI stammt?",
    ),
    DemoComment(
        PROPOSALS[0].title,
        "christian.walter@example.org",
        "Aus Sicht des Personalrats: Gibt es bei euch schon eine Dienstvereinbarung dazu?",
    ),
    DemoComment(
        PROPOSALS[2].title,
        "k.vogel@example.net",
        "Spannende These! Wir haben mit gemeinsamen Team-Ablagen gute Erfahrungen gemacht – "
        "ich erzähle gern davon.",
    ),
    DemoComment(
        PROPOSALS[11].title,
        "gisela.krause@example.net",
        "Bitte einen Raum mit Induktionsschleife, dann kann ich gut mitmachen.",
    ),
)


def seed_proposals(event: Event, *, people: Mapping[str, User], moderator: User) -> None:
    """Propose, co-host, show interest and comment the way the demo people would.

    ``people``: the registered demo people by e-mail, in the order they registered.
    """
    rng = random.Random(RANDOM_SEED)
    by_title: dict[str, Proposal] = {}
    for spec in PROPOSALS:
        host = people[spec.host]
        proposal = proposal_services.create_proposal(
            event,
            actor=host,
            title=spec.title,
            description=spec.description,
            format=spec.format,
            topics=spec.topics,
            language=spec.language,
            slots=spec.slots,
            mode=spec.mode,
            needs=[str(tag) for tag in spec.needs],
            submit=not spec.draft,
        )
        for email in (*spec.cohosts, *spec.asked):
            proposal_services.invite_cohost(proposal, actor=host, email=email)
        for email in spec.cohosts:
            invitation = ProposalHost.objects.get(proposal=proposal, user=people[email])
            proposal_services.answer_cohost_invitation(invitation, actor=people[email], accept=True)
        hosts = {spec.host, *spec.cohosts}
        _cast_interest(proposal, people, exclude=hosts, count=spec.interest, rng=rng)
        by_title[spec.title] = proposal

    spontaneous = proposal_services.add_spontaneous_proposal(
        event, actor=moderator, title=SPONTANEOUS.title, host_name=SPONTANEOUS.host_name
    )
    _cast_interest(spontaneous, people, exclude=set(), count=SPONTANEOUS.interest, rng=rng)

    for comment in COMMENTS:
        proposal_services.add_comment(
            by_title[comment.proposal], actor=people[comment.author], text=comment.text
        )


def _cast_interest(
    proposal: Proposal,
    people: Mapping[str, User],
    *,
    exclude: set[str],
    count: int,
    rng: random.Random,
) -> None:
    candidates = [email for email in people if email not in exclude]
    for email in rng.sample(candidates, count):
        proposal_services.cast_interest(proposal, actor=people[email])
