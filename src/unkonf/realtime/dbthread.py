"""The consumers' database thread: one database connection kept open, not one per call.

Channels runs every database call of a consumer in one thread (asgiref's thread-sensitive
executor) and, with ``CONN_MAX_AGE = 0``, opens a new connection for each call and closes it
afterwards. For a websocket that means a new connection (on PostgreSQL a new server process)
for every connect and every subscribe: most of what a connect cost (docs/benchmarks.md).

``db_call`` runs a function in that same thread and keeps the thread's connection for
``KEEP`` seconds. This is safe where Django's advice against persistent connections under
ASGI does not apply: that advice is about request threads that come and go, each leaving a
connection behind; this is one long-lived thread per process. HTTP requests keep Django's
behaviour (their own threads, ``CONN_MAX_AGE`` from the settings).

Before each call the thread's connections go through Django's ``close_old_connections``
(as Channels does): one that failed or is older than ``KEEP`` seconds is closed, and with
``CONN_HEALTH_CHECKS`` (the settings turn it on) the next query first checks that the kept
connection still works, so a database restart costs no failed call. After each call a new
connection is marked to be kept instead of closed.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from asgiref.sync import sync_to_async
from django.db import close_old_connections, connections
from django.db.backends.base.base import BaseDatabaseWrapper

P = ParamSpec("P")
R = TypeVar("R")

KEEP = 300.0

_local = threading.local()


def _opened() -> dict[str, tuple[object, float]]:
    """Per alias: the raw connection this thread keeps, and when to renew it."""
    opened: dict[str, tuple[object, float]] | None = getattr(_local, "opened", None)
    if opened is None:
        opened = _local.opened = {}
    return opened


def _keep_or_close(conn: BaseDatabaseWrapper, now: float) -> None:
    raw = conn.connection
    if raw is None:
        return
    opened = _opened()
    if conn.get_autocommit() != conn.settings_dict["AUTOCOMMIT"] or (
        conn.errors_occurred and not conn.is_usable()
    ):
        conn.close()
        opened.pop(conn.alias, None)
        return
    conn.errors_occurred = False
    known = opened.get(conn.alias)
    if known is None or known[0] is not raw:
        known = opened[conn.alias] = (raw, now + KEEP)
    if now >= known[1]:
        conn.close()
        opened.pop(conn.alias, None)
        return
    # Django closes a connection once ``close_at`` has passed (with CONN_MAX_AGE = 0: at once,
    # also from Channels' own calls in this thread); keep it.
    conn.close_at = known[1]
    # Whoever uses it next in this thread checks it first.
    conn.health_check_done = False  # type: ignore[attr-defined]  # not in django-stubs


def _release() -> None:
    now = time.monotonic()
    for conn in connections.all(initialized_only=True):
        if not conn.in_atomic_block:
            _keep_or_close(conn, now)


def _close_all() -> None:
    for conn in connections.all(initialized_only=True):
        conn.close()
    _opened().clear()


def _run(func: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    close_old_connections()
    try:
        return func(*args, **kwargs)
    finally:
        _release()


def db_call(func: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    """``func`` as a coroutine function that runs in the consumers' database thread."""

    @functools.wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        return _run(func, *args, **kwargs)

    return sync_to_async(run, thread_sensitive=True)


async def close_connections() -> None:
    """Close the database thread's connections (tests, before the database is dropped)."""
    await sync_to_async(_close_all, thread_sensitive=True)()
