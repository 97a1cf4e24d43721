"""The JSON API fuzzed against its own OpenAPI description (schemathesis, in process over WSGI).

Every operation gets generated requests, valid and invalid ones, from a logged-in participant
with the CSRF token. None may end in a server error, invalid ones must be refused with a 4xx,
and every answer must be as described: a documented status code, JSON, the documented shape.
Path parameters that fit the description are mapped onto the seeded barcamps and proposals
(and some that do not exist), so the fuzzing reaches the database rather than only 404s.
Derandomized: every run sends the same requests.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import schemathesis
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_started
from django.db import close_old_connections
from django.test import Client
from django.utils import translation
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import (
    EventFactory,
    EventRoleFactory,
    ProposalFactory,
    RegistrationFactory,
    UserFactory,
)
from unkonf.events.enums import Role
from unkonf.proposals.api import MAX_ID, SLUG_PATTERN
from unkonf.proposals.enums import ProposalState
from unkonf.proposals.models import Interest, Topic

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@dataclass
class FuzzWorld:
    slugs: list[str]  # mostly this participant's barcamp; a hidden one, one that does not exist
    ids: list[int]  # proposals in several states, another barcamp's, one that does not exist
    session: str
    csrf_token: str


@pytest.fixture
def fuzz_world() -> FuzzWorld:
    event = EventFactory(slug="fuzz-camp")
    participant = UserFactory()
    RegistrationFactory(event=event, user=participant)
    EventRoleFactory(event=event, role=Role.MODERATOR)
    topic = Topic.objects.create(event=event, name="Daten")
    proposals = [
        ProposalFactory(event=event, host=participant),
        ProposalFactory(event=event, state=ProposalState.PITCHED, interest_count=1),
        ProposalFactory(event=event, state=ProposalState.WITHDRAWN),
        ProposalFactory(event=event, host=participant, state=ProposalState.DRAFT),
        ProposalFactory(event=event, state=ProposalState.DRAFT),
    ]
    proposals[0].topics.add(topic)
    Interest.objects.create(event=event, proposal=proposals[1], user=participant)
    hidden = EventFactory(slug="fuzz-hidden", invite_only=True)
    elsewhere = ProposalFactory(event=hidden)

    client = Client()
    client.force_login(participant)
    with translation.override("en"):
        client.get(proposals[0].get_absolute_url())  # sets the CSRF cookie
    return FuzzWorld(
        slugs=[event.slug, event.slug, event.slug, hidden.slug, "gibt-es-nicht"],
        ids=[*(p.pk for p in proposals), elsewhere.pk, elsewhere.pk + 1000],
        session=client.cookies[settings.SESSION_COOKIE_NAME].value,
        csrf_token=client.cookies[settings.CSRF_COOKIE_NAME].value,
    )


@pytest.fixture
def keep_connection() -> Iterator[None]:
    """As Django's test client does: a request must not close the connection that holds the
    test's transaction."""
    request_started.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)


def _onto_world(case: schemathesis.Case, world: FuzzWorld) -> None:
    """Map path parameters that fit the description onto seeded rows (deterministically), and a
    generated session cookie onto the participant's session. A case without the cookie (the
    negative case of a required credential) stays anonymous."""
    cookies = case.cookies
    if cookies and settings.SESSION_COOKIE_NAME in cookies:
        cookies[settings.SESSION_COOKIE_NAME] = world.session
        cookies[settings.CSRF_COOKIE_NAME] = world.csrf_token
    params = case.path_parameters
    if params is None:
        return
    slug = params.get("slug")
    if isinstance(slug, str) and re.fullmatch(SLUG_PATTERN, slug) and len(slug) <= 60:
        params["slug"] = world.slugs[sum(map(ord, slug)) % len(world.slugs)]
    pk = params.get("id")
    if isinstance(pk, int) and not isinstance(pk, bool) and 1 <= pk <= MAX_ID:
        params["id"] = world.ids[pk % len(world.ids)]


# Loaded when the module is collected: the description needs no database.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())


@schema.parametrize()
@hypothesis_settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_as_described_and_never_fails(
    case: schemathesis.Case, fuzz_world: FuzzWorld, keep_connection: None
) -> None:
    _onto_world(case, fuzz_world)

    case.call_and_validate(
        headers={"X-CSRFToken": fuzz_world.csrf_token, "Accept-Language": "en"},
        checks=CHECKS,
    )
