"""The plan in the JSON API (``GET /api/v1/events/{slug}/plan``): the same visibility as the
plan's pages, hosts' names under the proposals API's rule, stable GUIDs, moves, a query-count
guard, and the operation fuzzed against its OpenAPI description on a published plan."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_started
from django.db import close_old_connections, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import EventFactory, ProposalFactory, UserFactory
from tests.scheduling.test_exports import TRICKY_TITLE, Camp, build_camp, place
from unkonf.accounts.models import User
from unkonf.events.models import Event
from unkonf.proposals.api import SLUG_PATTERN
from unkonf.proposals.enums import ProposalState
from unkonf.scheduling import exports
from unkonf.scheduling.services.stars import star_session

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def client_of(user: User | None = None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def plan_url(event: Event) -> str:
    return f"/api/v1/events/{event.slug}/plan"


@pytest.fixture
def camp() -> Camp:
    return build_camp()


def entries(response) -> dict[str, dict]:
    assert response.status_code == 200, response.content
    return {entry["title"]: entry for entry in response.json()["entries"]}


def test_plan_for_anonymous_has_days_rooms_and_sessions_without_names(camp):
    response = client_of().get(plan_url(camp.event))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    zone = camp.event.zone
    assert (body["version"], body["published"]) == (6, True)  # 5 placed, then published
    assert [day["id"] for day in body["days"]] == [camp.day1.pk, camp.day2.pk]
    assert [slot["id"] for slot in body["days"][0]["slots"]] == [s.pk for s in camp.slots1]
    assert body["days"][0]["slots"][2] == {
        "id": camp.slots1[2].pk,
        "start": camp.slots1[2].start.astimezone(zone).isoformat(),
        "end": camp.slots1[2].end.astimezone(zone).isoformat(),
        "kind": "break",
        "title": "Mittag",
        "blocked": False,
    }
    assert body["rooms"][0] == {
        "id": camp.saal.pk,
        "guid": str(exports.room_guid(camp.saal.pk)),
        "name": "Saal",
        "kind": "workshop",
        "capacity": 80,
        "location": "EG",
        "online": False,
    }
    assert body["rooms"][1]["online"] is True
    assert entries(response)[TRICKY_TITLE] == {
        "guid": str(exports.session_guid(camp.tricky.pk)),
        "proposal": camp.tricky.pk,
        "title": TRICKY_TITLE,
        "url": f"/en/barcamp-export/proposals/{camp.tricky.pk}/",
        "day": camp.day1.pk,
        "room": camp.saal.pk,
        "slots": [camp.slots1[0].pk],
        "start": camp.slots1[0].start.astimezone(zone).isoformat(),
        "end": camp.slots1[0].end.astimezone(zone).isoformat(),
        "format": "discussion",
        "language": "de",
        "mode": "on_site",
        "hosts": [],
        "starred": False,
        "version": 1,
        "moved": False,
        "previous_room": None,
        "previous_start": None,
    }
    assert "Jürgen" not in response.content.decode()


def test_plan_for_a_participant_has_names_and_their_stars(camp):
    star_session(camp.two_slots, actor=camp.ben, starred=True)

    found = entries(client_of(camp.ben).get(plan_url(camp.event)))

    assert found[TRICKY_TITLE]["hosts"] == ["Jürgen Müller"]
    assert found["Kassenautomat"]["hosts"] == ["Nils Petersen"]
    assert found["Design Thinking: Zwei Slots"]["starred"] is True
    assert found["Design Thinking: Zwei Slots"]["slots"] == [s.pk for s in camp.slots2]
    assert found[TRICKY_TITLE]["starred"] is False


def test_plan_for_a_stranger_with_an_account_has_no_names(camp):
    found = entries(client_of(UserFactory()).get(plan_url(camp.event)))

    assert all(entry["hosts"] == [] for entry in found.values())


def test_moved_session_says_where_it_was(camp):
    place(camp.tricky, camp.saal, camp.slots1[1], camp.moderator, version=1)

    moved = entries(client_of().get(plan_url(camp.event)))[TRICKY_TITLE]

    assert moved["moved"] is True
    assert moved["previous_room"] == "Saal"
    assert moved["previous_start"] == camp.slots1[0].start.astimezone(camp.event.zone).isoformat()
    assert moved["slots"] == [camp.slots1[1].pk]
    assert moved["version"] == 2
    assert moved["guid"] == str(exports.session_guid(camp.tricky.pk))


def test_unpublished_plan_is_404_except_for_the_team():
    camp = build_camp(publish=False)

    anonymous = client_of().get(plan_url(camp.event))
    participant = client_of(camp.ben).get(plan_url(camp.event))
    moderator = client_of(camp.moderator).get(plan_url(camp.event))

    assert anonymous.status_code == participant.status_code == 404
    assert anonymous.json() == {"detail": "Not found.", "code": "not_found"}
    assert moderator.status_code == 200
    assert moderator.json()["published"] is False
    assert moderator.json()["published_at"] is None
    assert len(moderator.json()["entries"]) == 5


def test_plan_of_a_hidden_or_missing_barcamp_is_404_without_its_name():
    hidden = EventFactory(invite_only=True)

    hidden_response = client_of().get(plan_url(hidden))
    missing = client_of().get("/api/v1/events/gibt-es-nicht/plan")

    assert (hidden_response.status_code, missing.status_code) == (404, 404)
    assert hidden.name not in hidden_response.content.decode()


def test_plan_answers_in_a_fixed_number_of_queries(camp):
    client = client_of(camp.ben)
    client.get(plan_url(camp.event))
    with CaptureQueriesContext(connection) as few:
        client.get(plan_url(camp.event))
    for i, slot in enumerate((camp.slots1[1], camp.slots2[0])):
        extra = ProposalFactory(event=camp.event, state=ProposalState.PITCHED, title=f"Neu {i}")
        place(extra, camp.online_room, slot, camp.moderator)
    with CaptureQueriesContext(connection) as more:
        response = client.get(plan_url(camp.event))

    assert len(response.json()["entries"]) == 7
    assert len(more) == len(few)


def test_openapi_describes_the_plan_operation():
    description = client_of().get("/api/v1/openapi.json").json()

    operation = description["paths"]["/api/v1/events/{slug}/plan"]["get"]
    assert operation["tags"] == ["plan"]
    assert set(operation["responses"]) == {"200", "404", "422"}


# --- fuzzed against the description -------------------------------------------------------------


@dataclass
class FuzzWorld:
    slugs: list[str]


@pytest.fixture
def fuzz_world() -> FuzzWorld:
    camp = build_camp()
    hidden = EventFactory(slug="fuzz-hidden", invite_only=True)
    no_plan = EventFactory(slug="fuzz-no-plan")  # public, but its plan is not published
    return FuzzWorld(
        slugs=[camp.event.slug, camp.event.slug, no_plan.slug, hidden.slug, "gibt-es-nicht"]
    )


@pytest.fixture
def keep_connection() -> Iterator[None]:
    request_started.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler()).include(
    path_regex=r"/plan$"
)


@schema.parametrize()
@hypothesis_settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_plan_api_answers_as_described_and_never_fails(
    case: schemathesis.Case, fuzz_world: FuzzWorld, keep_connection: None
) -> None:
    slug = (case.path_parameters or {}).get("slug")
    if isinstance(slug, str) and re.fullmatch(SLUG_PATTERN, slug) and len(slug) <= 60:
        case.path_parameters["slug"] = fuzz_world.slugs[sum(map(ord, slug)) % 5]

    case.call_and_validate(
        headers={"Accept-Language": "en"},
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
            negative_data_rejection,
        ],
    )
