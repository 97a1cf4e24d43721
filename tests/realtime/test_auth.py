"""Who is on a websocket: ``realtime.auth`` against Django's ``get_user`` and Channels' stack.

Every kind of session an attacker or a stale tab can present is built twice, the same way:
one copy goes through Django's own ``get_user`` (what an HTTP request with that cookie gets),
the other through the batched lookup. The person, and whether the session survives, must be
the same. Through real websockets, the outcome of a connect is compared with Channels'
``AuthMiddlewareStack`` in front of the same consumer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth import get_user as django_get_user
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core import signing
from django.db import connection
from django.http import HttpRequest
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import EventFactory, RegistrationFactory, UserFactory
from tests.realtime.support import ORIGIN, TIMEOUT, Camp, communicator, run
from unkonf.accounts.models import User
from unkonf.asgi import application
from unkonf.events.enums import RegistrationStatus
from unkonf.events.models import Registration
from unkonf.realtime import auth, consumers
from unkonf.realtime.routing import websocket_urlpatterns

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def login(user: User) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[django_settings.SESSION_COOKIE_NAME].value


def raw_session(data: dict[str, Any]) -> str:
    store = SessionStore()
    store.update(data)
    store.create()
    assert store.session_key is not None
    return store.session_key


def logged_out(user: User) -> str:
    client = Client()
    client.force_login(user)
    key = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    client.logout()
    return key


def password_changed(user: User) -> str:
    key = login(user)
    user.set_password("ein ganz neues Passwort")
    user.save()
    return key


def inactive(user: User) -> str:
    key = login(user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    return key


def expired(user: User) -> str:
    key = login(user)
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    return key


def forged_key(user: User) -> str:
    return "k" * 32  # no such session


def forged_data(user: User) -> str:
    """A session row whose data was signed with another secret (a stolen database dump
    edited to name someone else)."""
    key = login(user)
    data = {
        SESSION_KEY: str(user.pk),
        BACKEND_SESSION_KEY: MODEL_BACKEND,
        HASH_SESSION_KEY: user.get_session_auth_hash(),
    }
    forged = signing.dumps(
        data, key="nicht-das-geheimnis", salt=SessionStore().key_salt, compress=True
    )
    Session.objects.filter(pk=key).update(session_data=forged)
    return key


def deleted_user(user: User) -> str:
    key = login(user)
    user.delete()
    return key


def unknown_backend(user: User) -> str:
    return raw_session(
        {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: "somewhere.else.Backend",
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
    )


def without_hash(user: User) -> str:
    return raw_session({SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: MODEL_BACKEND})


def without_user(user: User) -> str:
    return raw_session({"anything": 1})


def bad_user_id(user: User) -> str:
    return raw_session({SESSION_KEY: "abc", BACKEND_SESSION_KEY: MODEL_BACKEND})


def allauth_backend(user: User) -> str:
    return raw_session(
        {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: "allauth.account.auth_backends.AuthenticationBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
    )


CASES: dict[str, tuple[Callable[[User], str], bool]] = {
    # name: (how the cookie is made, whether the person is recognised)
    "logged in": (login, True),
    "logged in with allauth's backend": (allauth_backend, True),
    "logged out": (logged_out, False),
    "password changed since": (password_changed, False),
    "inactive user": (inactive, False),
    "expired session": (expired, False),
    "forged cookie": (forged_key, False),
    "forged session data": (forged_data, False),
    "user deleted": (deleted_user, False),
    "backend not configured": (unknown_backend, False),
    "session without hash": (without_hash, False),
    "session without user": (without_user, False),
}


def django_says(key: str) -> tuple[int | None, bool]:
    """What an HTTP request with this cookie gets: the user's pk, and whether the session
    row still exists afterwards."""
    request = HttpRequest()
    request.session = SessionStore(key)
    user = django_get_user(request)
    return user.pk, Session.objects.filter(pk=key).exists()


def batch_says(keys: list[str]) -> list[tuple[int | None, bool]]:
    users = auth.resolve_users(keys)
    return [(u.pk, Session.objects.filter(pk=k).exists()) for u, k in zip(users, keys, strict=True)]


@pytest.mark.parametrize("case", CASES)
def test_batched_lookup_recognises_exactly_whom_django_recognises(case: str) -> None:
    make, recognised = CASES[case]
    first, second = UserFactory(), UserFactory()

    expected = django_says(make(first))
    ours = batch_says([make(second)])[0]

    assert (expected[0] is not None, expected[1]) == (recognised, ours[1])
    assert (ours[0] is not None) == recognised
    if recognised:
        assert ours[0] == second.pk


def test_a_session_id_that_is_not_a_number_is_anonymous_where_django_raises() -> None:
    key = bad_user_id(UserFactory())

    assert batch_says([key]) == [(None, True)]


def test_a_batch_of_every_kind_resolves_each_on_its_own_in_two_queries() -> None:
    users = [UserFactory() for _ in CASES]
    keys = [make(user) for (make, _ok), user in zip(CASES.values(), users, strict=True)]
    same_tab = keys[0]  # a second tab of the first person, in the same batch

    with CaptureQueriesContext(connection) as queries:
        resolved = auth.resolve_users([*keys, same_tab])

    assert [user.pk for user in resolved] == [
        user.pk if ok else None for (_make, ok), user in zip(CASES.values(), users, strict=True)
    ] + [users[0].pk]
    assert resolved[0] is not resolved[-1]  # every connection its own user object
    # sessions, users (allauth's backend is a ModelBackend), and the flush of the sessions
    # whose hash does not match (password changed, none stored)
    statements = [q["sql"].split()[0] for q in queries.captured_queries]
    assert [s for s in statements if s not in ("BEGIN", "COMMIT")] == ["SELECT", "SELECT", "DELETE"]


def test_a_fallback_secret_still_recognises_the_session_and_leaves_it_as_it_is(
    settings: Any,
) -> None:
    user = UserFactory()
    for_django, for_us = login(user), login(user)  # both made with the old secret
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "ein-neues-geheimnis-" + "x" * 40

    django_user, _exists = django_says(for_django)
    resolved = auth.resolve_users([for_us])

    assert django_user == resolved[0].pk == user.pk
    # Django rotates the session; a websocket cannot give the browser the new cookie, so the
    # session stays as it is (the next page view rotates it).
    assert Session.objects.filter(pk=for_us).exists()
    settings.SECRET_KEY_FALLBACKS = []
    assert auth.resolve_users([for_us])[0].pk is None  # the old secret no longer counts


def test_a_short_or_missing_cookie_needs_no_database() -> None:
    def scope(cookie: str | None) -> dict[str, Any]:
        headers = [(b"cookie", cookie.encode())] if cookie is not None else []
        return {"type": "websocket", "headers": headers}

    name = django_settings.SESSION_COOKIE_NAME
    assert auth.session_key_from(scope(None)) is None
    assert auth.session_key_from(scope(f"{name}=short")) is None
    assert auth.session_key_from(scope(f"other=1; {name}=abcdefghij")) == "abcdefghij"


# --- through the websocket, against Channels' AuthMiddlewareStack -------------------------------

channels_application = AllowedHostsOriginValidator(
    AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
)


async def outcome(app: Any, slug: str, cookie: str, stream: str) -> tuple[Any, ...]:
    headers = [
        (b"origin", ORIGIN.encode()),
        (b"host", b"localhost"),
        (b"cookie", f"{django_settings.SESSION_COOKIE_NAME}={cookie}".encode()),
    ]
    comm = WebsocketCommunicator(app, f"/ws/events/{slug}/?lang=en", headers=headers)
    connected, code = await comm.connect(timeout=TIMEOUT)
    if not connected:
        return (False, code)
    await comm.send_json_to({"type": "subscribe", "stream": stream, "since": None})
    answer = await comm.receive_json_from(timeout=TIMEOUT)
    await comm.disconnect()
    return (True, answer["type"])


@pytest.mark.parametrize(
    "case",
    [
        "logged in",
        "logged out",
        "password changed since",
        "inactive user",
        "expired session",
        "forged cookie",
        "forged session data",
        "user deleted",
    ],
)
@pytest.mark.parametrize("visibility", ["public", "invite-only"])
def test_connect_and_subscribe_end_as_with_channels_auth_stack(case: str, visibility: str) -> None:
    event = EventFactory() if visibility == "public" else EventFactory(invite_only=True)
    lobby = f"event.{event.pk}.chat"
    make, _ok = CASES[case]
    ours, theirs = UserFactory(), UserFactory()
    for user in (ours, theirs):
        RegistrationFactory(event=event, user=user)
    cookies = (make(ours), make(theirs))
    results: dict[str, tuple[Any, ...]] = {}

    async def scenario() -> None:
        results["ours"] = await outcome(application, event.slug, cookies[0], lobby)
        results["channels"] = await outcome(channels_application, event.slug, cookies[1], lobby)

    run(scenario)

    assert results["ours"] == results["channels"]
    if case == "logged in":
        assert results["ours"] == (True, "subscribed")
    elif visibility == "public":
        assert results["ours"] == (True, "error")  # a visitor: no chat
    else:
        assert results["ours"] == (False, consumers.CLOSE_FORBIDDEN)


def test_a_participant_who_lost_access_is_refused_at_the_next_connect(camp: Camp) -> None:
    secret = EventFactory(invite_only=True)
    RegistrationFactory(event=secret, user=camp.anna)
    cookie = camp.cookie(camp.anna)
    results: list[tuple[bool, Any]] = []

    async def connect() -> None:
        comm = communicator(secret.slug, cookie=cookie)
        connected, code = await comm.connect(timeout=TIMEOUT)
        results.append((connected, code))
        if connected:
            await comm.disconnect()

    run(connect)
    Registration.objects.filter(event=secret, user=camp.anna).delete()
    run(connect)

    assert results == [(True, None), (False, consumers.CLOSE_FORBIDDEN)]


def test_many_connects_at_once_each_get_their_own_answer(
    camp: Camp, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = EventFactory(invite_only=True)
    RegistrationFactory(event=secret, user=camp.anna)
    RegistrationFactory(
        event=secret, user=camp.ben, status=RegistrationStatus.CANCELLED
    )  # a link of any kind lets one see an invite-only barcamp
    people = {
        "anna": camp.cookie(camp.anna),
        "ben": camp.cookie(camp.ben),
        "stranger": camp.cookie(camp.stranger),
        "organiser": camp.cookie(camp.organiser),
        "logged out": logged_out(camp.carla),
        "visitor": None,
    }
    slugs = {"public": camp.event.slug, "secret": secret.slug, "unknown": "gibt-es-nicht"}
    sizes: list[int] = []
    work = consumers._opening._work

    def counted(items: Any) -> Any:
        sizes.append(len(items))
        return work(items)

    monkeypatch.setattr(consumers._opening, "_work", counted)

    async def one(slug: str, cookie: str | None) -> tuple[bool, Any]:
        comm = communicator(slug, cookie=cookie)
        connected, code = await comm.connect(timeout=TIMEOUT)
        if connected:
            await comm.disconnect()
        return connected, code

    pairs = [(p, s) for p in people for s in slugs]
    found: dict[tuple[str, str], list[tuple[bool, Any]]] = {pair: [] for pair in pairs}

    async def scenario() -> None:
        tries = pairs * 3
        answers = await asyncio.gather(*(one(slugs[s], people[p]) for p, s in tries))
        for pair, answer in zip(tries, answers, strict=True):
            found[pair].append(answer)

    run(scenario)

    allowed, forbidden, unknown = (True, None), (False, 4403), (False, 4404)
    expected = {
        **{(p, "public"): allowed for p in people},
        **{(p, "unknown"): unknown for p in people},
        ("anna", "secret"): allowed,
        ("ben", "secret"): allowed,
        ("stranger", "secret"): forbidden,
        ("organiser", "secret"): forbidden,
        ("logged out", "secret"): forbidden,
        ("visitor", "secret"): forbidden,
    }
    assert found == {pair: [answer] * 3 for pair, answer in expected.items()}
    assert sum(sizes) == len(pairs) * 3  # every connect, also of unknown slugs
    assert len(sizes) < sum(sizes)  # they were batched
