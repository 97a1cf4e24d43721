"""Session proposals. ``ProposalFactory(event=e, host=user)`` is a submitted proposal hosted by
``user`` (a new registered participant if not given); ``state=...`` sets another state."""

from __future__ import annotations

from typing import Any

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from tests.factories.accounts import UserFactory
from tests.factories.events import EventFactory, RegistrationFactory
from unkonf.core.markdown import render_markdown
from unkonf.proposals.enums import ProposalState
from unkonf.proposals.models import Proposal, ProposalHost

TITLES = (
    "KI-Assistenten in der Sachbearbeitung",
    "Barrierefreie PDF-Formulare",
    "Open Data im Landkreis",
    "E-Akte: Erfahrungen aus der Einführung",
    "Agile Projekte in Behörden",
    "Onlinezugangsgesetz: Was kommt nach dem OZG?",
    "Nachhaltige IT-Beschaffung",
    "Wissensmanagement beim Generationenwechsel",
)


class ProposalFactory(DjangoModelFactory[Proposal]):
    class Meta:
        model = Proposal
        skip_postgeneration_save = True

    event = factory.SubFactory(EventFactory)
    title = factory.Sequence(lambda n: f"{TITLES[n % len(TITLES)]} #{n}")
    description = "Wir tauschen Erfahrungen aus und sammeln **nächste Schritte**."
    description_html = factory.LazyAttribute(lambda o: str(render_markdown(o.description)))
    state = ProposalState.SUBMITTED
    submitted_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def host(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not create or extracted is False:
            return
        user = extracted
        if user is None:
            user = UserFactory()
            RegistrationFactory(event=self.event, user=user)
        ProposalHost.objects.create(proposal=self, user=user, confirmed_at=timezone.now())
        self.created_by = user
        self.save(update_fields=["created_by"])
