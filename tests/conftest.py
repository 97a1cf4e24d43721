"""Hooks and fixtures for the whole suite.

- Tests marked ``postgres`` run only against PostgreSQL (``UNKONF_TEST_DATABASE_URL``), tests
  marked ``redis`` only with ``UNKONF_TEST_REDIS_URL``; elsewhere they are skipped with a reason.
- Django's cache is emptied before every test: rate limits live there.
- With Redis and pytest-xdist, every worker uses its own Redis database, so workers neither
  flush each other's cache nor hear each other's channel-layer groups (event ids repeat across
  the per-worker test databases).
- ``client`` is a ``tests.pages.CheckedClient``: every page a test fetches through it is
  checked for the CSP and for inline scripts, inline handlers and ``javascript:`` links.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import override_settings
from django.utils import translation

from tests.pages import CheckedClient


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    on_postgres = "postgresql" in settings.DATABASES["default"]["ENGINE"]
    has_redis = bool(os.environ.get("UNKONF_TEST_REDIS_URL"))
    skip_postgres = pytest.mark.skip(reason="needs PostgreSQL: set UNKONF_TEST_DATABASE_URL")
    skip_redis = pytest.mark.skip(reason="needs Redis: set UNKONF_TEST_REDIS_URL")
    for item in items:
        if not on_postgres and item.get_closest_marker("postgres"):
            item.add_marker(skip_postgres)
        if not has_redis and item.get_closest_marker("redis"):
            item.add_marker(skip_redis)


def _worker_redis_url(url: str, worker: str) -> str:
    """``redis://host/0`` for worker ``gw1`` becomes ``redis://host/2`` (the base db stays free)."""
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{base + 1 + int(worker.removeprefix('gw'))}"))


@pytest.fixture(scope="session", autouse=True)
def _redis_database_per_worker() -> Iterator[None]:
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not (worker and settings.REDIS_URL):
        yield
        return
    url = _worker_redis_url(settings.REDIS_URL, worker)
    cache_settings: dict[str, dict[str, Any]] = copy.deepcopy(settings.CACHES)
    cache_settings["default"]["LOCATION"] = url
    layer_settings: dict[str, dict[str, Any]] = copy.deepcopy(settings.CHANNEL_LAYERS)
    layer_settings["default"]["CONFIG"]["hosts"] = [url]
    with override_settings(REDIS_URL=url, CACHES=cache_settings, CHANNEL_LAYERS=layer_settings):
        yield


@pytest.fixture
def client() -> CheckedClient:
    """Django's test client (overriding pytest-django's), checking every page it fetches."""
    return CheckedClient()


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    for alias in settings.CACHES:
        caches[alias].clear()


@pytest.fixture(autouse=True)
def _keep_language() -> Iterator[None]:
    """A request under /en/ leaves English active in the thread; the next test starts German."""
    yield
    translation.activate(settings.LANGUAGE_CODE)
