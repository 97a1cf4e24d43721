"""The JSON API under /api/v1/: who sees which proposals and names, interest through the same
services as the pages, CSRF for the session, and errors that are always JSON.

Every operation is also fuzzed against the OpenAPI description in ``test_api_fuzz.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tests.factories import (
    EventFactory,
    EventRoleFactory,
    ProposalFactory,
    RegistrationFactory,
    UserFactory,
)
from unkonf.accounts.models import User
from unkonf.events.enums import Role
from unkonf.events.models import Event
from unkonf.proposals.enums import PitchState, ProposalState
from unkonf.proposals.models import Interest, Pitch, Proposal, ProposalSettings, Topic

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

API = "/api/v1"


@dataclass
class Camp:
    event: Event
    moderator: User
    anna: User  # registered, hosts ``proposal`` and ``draft``
    ben: User  # registered
    stranger: User  # has an account, nothing to do with this barcamp
    proposal: Proposal  # submitted, with a topic, hosted by Anna
    pitched: Proposal  # hosted by Ben
    draft: Proposal  # Anna's
    withdrawn: Proposal  # Ben's


@pytest.fixture
def camp() -> Camp:
    event = EventFactory(name="Verwaltung Digital", slug="verwaltung-digital")
    moderator = EventRoleFactory(event=event, role=Role.MODERATOR).user
    anna, ben = UserFactory(name="Anna Schmidt"), UserFactory(name="Ben Becker")
    for person in (anna, ben):
        RegistrationFactory(event=event, user=person)
    proposal = ProposalFactory(event=event, host=anna, title="Open Data im Landkreis")
    proposal.topics.add(Topic.objects.create(event=event, name="Daten"))
    pitched = ProposalFactory(
        event=event, host=ben, title="E-Akte", state=ProposalState.PITCHED, interest_count=4
    )
    draft = ProposalFactory(event=event, host=anna, title="Noch geheim", state=ProposalState.DRAFT)
    withdrawn = ProposalFactory(
        event=event, host=ben, title="Zurückgezogen", state=ProposalState.WITHDRAWN
    )
    return Camp(event, moderator, anna, ben, UserFactory(), proposal, pitched, draft, withdrawn)


def client_of(user: User | None = None, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf, HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def proposals_url(event: Event, pk: int | None = None, suffix: str = "") -> str:
    url = f"{API}/events/{event.slug}/proposals"
    return url if pk is None else f"{url}/{pk}{suffix}"


def titles(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["title"] for item in response.json()["items"]]


# --- Reading ------------------------------------------------------------------------------------


def test_list_for_anonymous_shows_active_proposals_without_host_names(camp: Camp) -> None:
    response = client_of().get(proposals_url(camp.event))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    assert body["count"] == 2
    with translation.override("en"):
        url = camp.proposal.get_absolute_url()
    assert body["items"][0] == {
        "id": camp.proposal.pk,
        "title": "Open Data im Landkreis",
        "description_html": camp.proposal.description_html,
        "format": "discussion",
        "language": "de",
        "slots": 1,
        "mode": "on_site",
        "needs": [],
        "topics": ["Daten"],
        "state": "submitted",
        "url": url,
        "interest": 0,
        "interested": False,
        "hosts": [],
    }
    assert [item["title"] for item in body["items"]] == ["Open Data im Landkreis", "E-Akte"]
    assert body["items"][1]["interest"] == 4
    assert "Anna Schmidt" not in response.content.decode()


def test_list_for_participant_shows_host_names_and_own_interest(camp: Camp) -> None:
    Interest.objects.create(event=camp.event, proposal=camp.pitched, user=camp.ben)

    response = client_of(camp.ben).get(proposals_url(camp.event))

    items = {item["title"]: item for item in response.json()["items"]}
    assert items["Open Data im Landkreis"]["hosts"] == ["Anna Schmidt"]
    assert items["E-Akte"]["hosts"] == ["Ben Becker"]
    assert (items["Open Data im Landkreis"]["interested"], items["E-Akte"]["interested"]) == (
        False,
        True,
    )


def test_list_lists_drafts_only_of_their_host_and_for_moderators(camp: Camp) -> None:
    url = proposals_url(camp.event) + "?state=draft"

    assert titles(client_of().get(url)) == []
    assert titles(client_of(camp.ben).get(url)) == []
    assert titles(client_of(camp.anna).get(url)) == ["Noch geheim"]
    assert titles(client_of(camp.moderator).get(url)) == ["Noch geheim"]


def test_list_filters_searches_sorts_and_pages(camp: Camp) -> None:
    client = client_of(camp.anna)
    url = proposals_url(camp.event)

    assert titles(client.get(url, {"state": "pitched"})) == ["E-Akte"]
    assert titles(client.get(url, {"search": "open data"})) == ["Open Data im Landkreis"]
    topic = Topic.objects.get(name="Daten")
    assert titles(client.get(url, {"topic": topic.pk})) == ["Open Data im Landkreis"]
    assert titles(client.get(url, {"sort": "interest"})) == ["E-Akte", "Open Data im Landkreis"]
    page = client.get(url, {"limit": 1, "offset": 1}).json()
    assert (page["count"], [item["title"] for item in page["items"]]) == (2, ["E-Akte"])


def test_detail_for_anonymous_on_public_barcamp(camp: Camp) -> None:
    response = client_of().get(proposals_url(camp.event, camp.pitched.pk))

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["title"], body["state"], body["hosts"], body["interest"]) == (
        camp.pitched.pk,
        "E-Akte",
        "pitched",
        [],
        4,
    )


def test_detail_of_draft_is_404_for_others_and_shown_to_its_host(camp: Camp) -> None:
    url = proposals_url(camp.event, camp.draft.pk)

    outcomes = {
        name: client_of(user).get(url).status_code
        for name, user in (("anonymous", None), ("ben", camp.ben), ("anna", camp.anna))
    }

    assert outcomes == {"anonymous": 404, "ben": 404, "anna": 200}


def test_detail_of_another_barcamps_proposal_is_404(camp: Camp) -> None:
    other = ProposalFactory(event=EventFactory())

    response = client_of(camp.anna).get(proposals_url(camp.event, other.pk))

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


@pytest.mark.parametrize("variant", ["invite_only", "unpublished"])
@pytest.mark.parametrize("who", ["anonymous", "stranger"])
def test_hidden_barcamp_is_404_for_strangers_without_its_name(
    camp: Camp, variant: str, who: str
) -> None:
    if variant == "invite_only":
        Event.objects.filter(pk=camp.event.pk).update(visibility="invite_only")
    else:
        Event.objects.filter(pk=camp.event.pk).update(published_at=None)
    client = client_of(camp.stranger if who == "stranger" else None)

    responses = [
        client.get(proposals_url(camp.event)),
        client.get(proposals_url(camp.event, camp.proposal.pk)),
        client.get(proposals_url(Event(slug="gibt-es-nicht"))),
    ]

    assert [(r.status_code, r.json()) for r in responses] == [
        (404, {"detail": "Not found.", "code": "not_found"})
    ] * 3
    assert not any(
        b"Verwaltung Digital" in r.content or b"Open Data" in r.content for r in responses
    )


def test_invite_only_barcamp_is_listed_for_its_participants(camp: Camp) -> None:
    Event.objects.filter(pk=camp.event.pk).update(visibility="invite_only")

    response = client_of(camp.ben).get(proposals_url(camp.event))

    assert titles(response) == ["Open Data im Landkreis", "E-Akte"]


def test_counts_are_hidden_until_the_pitch_but_not_from_moderators(camp: Camp) -> None:
    ProposalSettings.objects.create(event=camp.event, hide_counts_until_pitch=True)
    url = proposals_url(camp.event)

    participant = client_of(camp.ben).get(url, {"sort": "interest"}).json()
    moderator = client_of(camp.moderator).get(url, {"sort": "interest"}).json()

    # sorting by interest would give the counts away: the oldest come first instead
    assert [(i["title"], i["interest"]) for i in participant["items"]] == [
        ("Open Data im Landkreis", None),
        ("E-Akte", None),
    ]
    assert [(i["title"], i["interest"]) for i in moderator["items"]] == [
        ("E-Akte", 4),
        ("Open Data im Landkreis", 0),
    ]
    Pitch.objects.create(event=camp.event, state=PitchState.OPEN)
    again = client_of(camp.ben).get(url).json()
    assert [i["interest"] for i in again["items"]] == [0, 4]


def test_list_takes_the_same_number_of_queries_for_one_and_three_proposals(camp: Camp) -> None:
    event = EventFactory()
    person = UserFactory()
    RegistrationFactory(event=event, user=person)
    client = client_of(person)
    first = ProposalFactory(event=event)
    first.topics.add(Topic.objects.create(event=event, name="Eins"))
    client.get(proposals_url(event))  # session and caches warm

    with CaptureQueriesContext(connection) as one:
        assert len(titles(client.get(proposals_url(event)))) == 1
    for name in ("Zwei", "Drei"):
        more = ProposalFactory(event=event)
        more.topics.add(Topic.objects.create(event=event, name=name))
        Interest.objects.create(event=event, proposal=more, user=person)
    with CaptureQueriesContext(connection) as three:
        assert len(titles(client.get(proposals_url(event)))) == 3

    assert len(three) == len(one)


# --- Interest -----------------------------------------------------------------------------------


def test_cast_interest_counts_once_however_often_it_is_sent(camp: Camp) -> None:
    client = client_of(camp.ben)
    url = proposals_url(camp.event, camp.proposal.pk, "/interest")

    first, second = client.post(url), client.post(url)

    expected = {"proposal": camp.proposal.pk, "interested": True, "interest": 1}
    assert (first.status_code, first.json()) == (200, expected)
    assert (second.status_code, second.json()) == (200, expected)
    assert Interest.objects.filter(proposal=camp.proposal).count() == 1
    assert client.get(proposals_url(camp.event, camp.proposal.pk)).json()["interested"] is True


def test_withdraw_interest_is_idempotent(camp: Camp) -> None:
    client = client_of(camp.ben)
    url = proposals_url(camp.event, camp.proposal.pk, "/interest")
    client.post(url)

    first, second = client.delete(url), client.delete(url)

    expected = {"proposal": camp.proposal.pk, "interested": False, "interest": 0}
    assert (first.status_code, first.json()) == (200, expected)
    assert (second.status_code, second.json()) == (200, expected)
    assert not Interest.objects.filter(proposal=camp.proposal).exists()


def test_cast_interest_with_hidden_counts_answers_no_count(camp: Camp) -> None:
    ProposalSettings.objects.create(event=camp.event, hide_counts_until_pitch=True)

    response = client_of(camp.ben).post(proposals_url(camp.event, camp.pitched.pk, "/interest"))

    assert response.json() == {"proposal": camp.pitched.pk, "interested": True, "interest": None}
    assert Proposal.objects.get(pk=camp.pitched.pk).interest_count == 5


def test_cast_interest_in_withdrawn_proposal_is_refused_with_409(camp: Camp) -> None:
    response = client_of(camp.anna).post(proposals_url(camp.event, camp.withdrawn.pk, "/interest"))

    assert (response.status_code, response.json()) == (
        409,
        {"detail": "This proposal is not open for interest.", "code": "interest_refused"},
    )
    assert not Interest.objects.exists()


def test_withdraw_interest_after_the_pitch_is_refused_with_409(camp: Camp) -> None:
    Interest.objects.create(event=camp.event, proposal=camp.proposal, user=camp.ben)
    Pitch.objects.create(event=camp.event, state=PitchState.CLOSED)

    response = client_of(camp.ben).delete(proposals_url(camp.event, camp.proposal.pk, "/interest"))

    assert (response.status_code, response.json()["code"]) == (409, "interest_refused")
    assert Interest.objects.filter(user=camp.ben).count() == 1


def test_cast_interest_by_someone_not_registered_is_refused_with_403(camp: Camp) -> None:
    response = client_of(camp.stranger).post(
        proposals_url(camp.event, camp.proposal.pk, "/interest")
    )

    assert (response.status_code, response.json()) == (
        403,
        {"detail": "Only registered participants can show interest.", "code": "not_participant"},
    )
    assert not Interest.objects.exists()


@pytest.mark.parametrize("method", ["post", "delete"])
def test_interest_needs_a_login(camp: Camp, method: str) -> None:
    url = proposals_url(camp.event, camp.proposal.pk, "/interest")

    response = getattr(client_of(csrf=True), method)(url)

    assert (response.status_code, response.json()) == (
        401,
        {"detail": "Please log in first.", "code": "not_authenticated"},
    )


def test_interest_in_a_hidden_barcamp_is_404_for_strangers(camp: Camp) -> None:
    Event.objects.filter(pk=camp.event.pk).update(visibility="invite_only")

    response = client_of(camp.stranger).post(
        proposals_url(camp.event, camp.proposal.pk, "/interest")
    )

    assert (response.status_code, response.json()["code"]) == (404, "not_found")


@pytest.mark.parametrize("method", ["post", "delete"])
def test_interest_with_the_session_needs_the_csrf_token(camp: Camp, method: str) -> None:
    client = client_of(camp.ben, csrf=True)
    with translation.override("en"):
        client.get(camp.proposal.get_absolute_url())  # the page sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    url = proposals_url(camp.event, camp.proposal.pk, "/interest")
    Interest.objects.create(event=camp.event, proposal=camp.pitched, user=camp.ben)

    refused = getattr(client, method)(url)
    wrong = getattr(client, method)(url, headers={"X-CSRFToken": "x" * 32})
    accepted = getattr(client, method)(url, headers={"X-CSRFToken": token})

    assert (refused.status_code, refused.json()["code"]) == (403, "csrf_failed")
    assert (wrong.status_code, wrong.json()["code"]) == (403, "csrf_failed")
    assert accepted.status_code == 200
    assert accepted.json()["interested"] is (method == "post")


# --- Errors and the description -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/events/verwaltung-digital/proposals/abc", 422, "invalid"),
        ("/events/verwaltung-digital/proposals/0", 422, "invalid"),
        (f"/events/verwaltung-digital/proposals/{2**64}", 422, "invalid"),
        ("/events/verwaltung-digital/proposals?limit=101", 422, "invalid"),
        ("/events/verwaltung-digital/proposals?state=verschollen", 422, "invalid"),
        ("/events/verwaltung-digital/proposals?search=%00", 422, "invalid"),
        ("/events/verwaltung-digital/proposals?offset=-1", 422, "invalid"),
        ("/events/verwaltung%20digital/proposals", 422, "invalid"),
        ("/events/verwaltung-digital/nothing-here", 404, "not_found"),
        ("/docs", 404, "not_found"),
    ],
)
def test_bad_requests_get_json_errors(camp: Camp, path: str, status: int, code: str) -> None:
    response = client_of(camp.ben).get(API + path)

    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == code


def test_validation_error_names_the_field(camp: Camp) -> None:
    response = client_of().get(proposals_url(camp.event) + "?limit=0")

    assert (response.status_code, response["Content-Language"]) == (422, "en")
    assert response.json() == {
        "detail": "Some values of the request are not valid.",
        "code": "invalid",
        "errors": [
            {
                "loc": ["query", "limit"],
                "msg": "Input should be greater than or equal to 1",
                "type": "greater_than_equal",
            }
        ],
    }


def test_unknown_method_is_a_json_405(camp: Camp) -> None:
    response = client_of(camp.ben).put(proposals_url(camp.event, camp.proposal.pk, "/interest"))

    assert response.status_code == 405
    assert sorted(response["Allow"].split(", ")) == ["DELETE", "POST"]
    assert response.json() == {
        "detail": "This method is not allowed here.",
        "code": "method_not_allowed",
    }


def test_openapi_description_is_served() -> None:
    response = client_of().get(f"{API}/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert (schema["info"]["title"], schema["info"]["version"]) == ("unkonf API", "1")
    assert sorted(schema["paths"]) == [
        "/api/v1/events/{slug}/plan",
        "/api/v1/events/{slug}/proposals",
        "/api/v1/events/{slug}/proposals/{id}",
        "/api/v1/events/{slug}/proposals/{id}/interest",
    ]
