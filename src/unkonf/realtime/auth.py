"""Who is on a websocket: the login session behind its cookie, looked up in batches.

This replaces Channels' ``AuthMiddlewareStack`` (cookie, session and user middleware) for
websockets. It gives ``scope["user"]`` exactly what Django's ``get_user`` gives an HTTP
request with the same cookie, but the connects that arrive at nearly the same moment share
one call into the consumers' database thread and two queries: the session rows (not
expired) and the users (docs/adr/0012-realtime-batched-connect-lookups.md).

The rules are Django's (``django.contrib.auth.get_user``), for every session on its own:

- no session, an expired one, one whose data does not verify (a forged or corrupted cookie),
  or one without user id or backend: anonymous;
- the backend must be listed in ``AUTHENTICATION_BACKENDS``; it loads the user
  (``get_user``; for ``ModelBackend`` and its subclasses that keep its ``get_user`` all users
  of a batch at once, then ``user_can_authenticate``, e.g. not inactive);
- the session's auth hash must match ``user.get_session_auth_hash()`` (compared in constant
  time), else one made with a key of ``SECRET_KEY_FALLBACKS``; if neither, the session is
  deleted (Django's ``flush``) and the person is anonymous.

Two differences, both on the side of keeping state as it is: a session that matches only a
fallback key is accepted, as Django does, but not rotated (Django gives it a new key and
hash; a websocket cannot hand the new cookie to the browser, which would log the person out
at their next page). Their next page view rotates it. A user id in the session that is not
a valid primary key makes Django raise; here it is anonymous.

No ``scope["session"]`` is built: nothing behind this middleware reads it.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Sequence
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import (
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
    load_backend,
)
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.base import SessionBase
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core.exceptions import ValidationError
from django.http.cookie import parse_cookie
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from unkonf.realtime.batcher import Batcher

logger = logging.getLogger(__name__)

# Django's SessionBase._validate_session_key: shorter keys are no session at all.
MIN_KEY_LENGTH = 8


def session_key_from(scope: dict[str, Any]) -> str | None:
    """The session cookie of a websocket's handshake (the first Cookie header, as Channels)."""
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            key = parse_cookie(value.decode("latin1")).get(settings.SESSION_COOKIE_NAME)
            return key if key and len(key) >= MIN_KEY_LENGTH else None
    return None


def _store_class() -> type[SessionBase]:
    store: type[SessionBase] = import_module(settings.SESSION_ENGINE).SessionStore
    return store


def _session_data(keys: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Per session key that exists, is not expired and verifies: its data."""
    store_class = _store_class()
    if not issubclass(store_class, DatabaseSessionStore):
        # Another engine (cache, signed cookies): its own loading, one key at a time.
        found = {}
        for key in set(keys):
            data = store_class(key).load()
            if data:
                found[key] = data
        return found
    model = store_class.get_model_class()
    rows = model.objects.filter(session_key__in=set(keys), expire_date__gt=timezone.now())
    decoder = store_class()
    found = {}
    for key, raw in rows.values_list("session_key", "session_data"):
        data = decoder.decode(raw)  # {} if it does not verify (logged as Django does)
        if data:
            found[key] = data
    return found


def _load_users(wanted: list[tuple[str, Any]]) -> dict[tuple[str, Any], Any]:
    """(backend path, user id) → what the backend's ``get_user`` returns, for all at once."""
    loaded: dict[tuple[str, Any], Any] = {}
    model_backends: dict[str, tuple[ModelBackend, list[Any]]] = {}
    for path, user_id in set(wanted):
        backend = load_backend(path)
        if isinstance(backend, ModelBackend) and type(backend).get_user is ModelBackend.get_user:
            model_backends.setdefault(path, (backend, []))[1].append(user_id)
        else:
            loaded[path, user_id] = backend.get_user(user_id)
    if model_backends:
        ids = {user_id for _backend, user_ids in model_backends.values() for user_id in user_ids}
        users = {user.pk: user for user in get_user_model()._default_manager.filter(pk__in=ids)}
        for path, (backend, user_ids) in model_backends.items():
            for user_id in user_ids:
                user = users.get(user_id)
                ok = user is not None and backend.user_can_authenticate(user)
                loaded[path, user_id] = user if ok else None
    return loaded


def _hash_verified(user: Any, session_hash: Any) -> bool:
    """Django's check of the session's auth hash, with ``SECRET_KEY_FALLBACKS``."""
    if not session_hash:
        return False
    if constant_time_compare(session_hash, user.get_session_auth_hash()):
        return True
    return any(
        constant_time_compare(session_hash, fallback)
        for fallback in user.get_session_auth_fallback_hash()
    )


def resolve_users(keys: Sequence[str | None]) -> list[Any]:
    """The user (or ``AnonymousUser``) of each session key, by Django's ``get_user`` rules.

    Runs in the consumers' database thread, for a batch of connects at once.
    """
    data = _session_data([key for key in keys if key is not None])
    user_model = get_user_model()
    wanted: dict[str, tuple[str, Any]] = {}
    for key, session in data.items():
        try:
            user_id = user_model._meta.pk.to_python(session[SESSION_KEY])
            backend_path = session[BACKEND_SESSION_KEY]
        except (KeyError, ValidationError, TypeError):
            continue
        if backend_path in settings.AUTHENTICATION_BACKENDS:
            wanted[key] = (backend_path, user_id)
    loaded = _load_users(list(wanted.values()))
    resolved: dict[str, Any] = {}
    flush: list[str] = []
    for key, found in wanted.items():
        user = loaded[found]
        if user is None:
            continue
        if hasattr(user, "get_session_auth_hash") and not _hash_verified(
            user, data[key].get(HASH_SESSION_KEY)
        ):
            flush.append(key)  # Django flushes it: the password changed, or it was logged out
            continue
        resolved[key] = user
    if flush:
        _delete_sessions(flush)
    users: list[Any] = []
    handed: set[int] = set()
    for asked in keys:
        user = resolved.get(asked) if asked is not None else None
        if user is None:
            users.append(AnonymousUser())
        elif id(user) in handed:
            users.append(copy.copy(user))  # every connection its own object (and role cache)
        else:
            handed.add(id(user))
            users.append(user)
    return users


def _delete_sessions(keys: list[str]) -> None:
    store_class = _store_class()
    if store_class is DatabaseSessionStore:
        DatabaseSessionStore.get_model_class().objects.filter(session_key__in=keys).delete()
    else:
        for key in keys:
            store_class(key).delete()


_users: Batcher[str | None, Any] = Batcher(resolve_users)


async def get_user(key: str | None) -> Any:
    """The user of a session key; anonymous without a key (no database call then)."""
    if key is None:
        return AnonymousUser()
    return await _users(key)


class BatchedAuthMiddleware:
    """``scope["user"]`` for a websocket, from its session cookie (see the module's text)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if scope["type"] != "websocket":
            raise ValueError("BatchedAuthMiddleware is for websockets only")
        user = await get_user(session_key_from(scope))
        return await self.inner(dict(scope, user=user), receive, send)
