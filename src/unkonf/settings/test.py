"""Settings for the test suite: the base settings with fast hashing and in-memory mail.

``UNKONF_TEST_DATABASE_URL`` and ``UNKONF_TEST_REDIS_URL`` point the suite at PostgreSQL and
Redis; without them it runs on SQLite and the in-memory layer, and the service tests are skipped.
"""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("UNKONF_SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("UNKONF_SECURE", "0")
if os.environ.get("UNKONF_TEST_DATABASE_URL"):
    os.environ["UNKONF_DATABASE_URL"] = os.environ["UNKONF_TEST_DATABASE_URL"]
else:
    os.environ.setdefault("UNKONF_DATABASE_URL", "sqlite:///test.sqlite3")
if os.environ.get("UNKONF_TEST_REDIS_URL"):
    os.environ["UNKONF_REDIS_URL"] = os.environ["UNKONF_TEST_REDIS_URL"]

from unkonf.settings.base import *  # noqa: F403
from unkonf.settings.base import DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "materials": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
}
SERVESTATIC_USE_FINDERS = True
SERVESTATIC_AUTOREFRESH = True
ACCOUNT_RATE_LIMITS = {"request_login_code": "1000/m/ip", "login_failed": "1000/m/ip"}
REGISTRATION_RATE_LIMIT = 10_000
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory: the browser tests' server thread must see the same test database.
    # One file per process, so parallel runs (xdist workers, two terminals) never share one.
    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(tempfile.gettempdir(), f"unkonf-test-{os.getpid()}.sqlite3")
    }
else:
    DATABASES["default"]["TEST"] = {"NAME": f"test_unkonf_{os.getpid()}"}
UNKONF_PLAN_INLINE = True  # suggestions plan on commit, in the test thread
