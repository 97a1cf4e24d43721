"""The browser harness: the real ASGI app under uvicorn, driven by Debian's Chromium.

Fixtures
--------
``asgi_server``
    uvicorn serving ``unkonf.asgi:application`` (HTTP and websockets) in a background thread
    on a free port of 127.0.0.1, against the test database. ``asgi_server.url`` is the base URL;
    ``SITE_URL``, ``ALLOWED_HOSTS`` and ``CSRF_TRUSTED_ORIGINS`` point at it while it runs.
``browser``
    headless Chromium from ``/usr/bin/chromium`` through Playwright's sync API. Every test that
    uses it is skipped when that file is missing.
``page``
    a fresh page in a fresh context (own cookies) with ``base_url`` set, so ``page.goto("/")``
    works. Its locale is ``browser_locale`` ("de-DE"); a test picks another with
    ``@pytest.mark.parametrize("browser_locale", ["en-GB"])``.
``new_page``
    ``new_page(locale="de-DE")`` opens one more such page, e.g. for two people in one journey.
``assert_accessible``
    ``assert_accessible(page)`` runs axe-core on what the page shows now (rules tagged wcag2a,
    wcag2aa, wcag21a, wcag21aa) and fails with the violations: rule, impact, help, elements.
``login``
    ``login(page, user)`` signs ``user`` in for the page's context without the e-mailed code:
    Django's test client makes the session, its cookie goes into the browser.
``mail_outbox``
    Django's in-memory outbox, emptied for the test. The server runs in this process, so mails
    sent while handling the browser's requests land here too.

Every test below ``tests/browser/`` is marked ``browser`` automatically, and every test that
uses ``page`` or ``new_page`` gets a transactional database (``transactional_db``): what the test
creates is committed, so the server thread sees it. Still write
``@pytest.mark.django_db(transaction=True)`` on browser tests to say so.

Guards, checked when the test's pages are closed (they fail the test in teardown):

* Network: every request and websocket of every page must go to the live server. A request to
  any other host is a broken privacy promise (no third-party hosts, ever).
* Accessibility: every URL a page showed in its main frame (``framenavigated``: ``goto``, links,
  form posts and their redirects, ``hx-push-url``) must have been checked with
  ``assert_accessible`` while the page showed it. URLs are compared without the fragment. Axe
  is never run automatically: a check inside an event handler would race the test's next
  action, so the test calls it at the moment the page is ready, and the guard makes sure no
  page is forgotten. States without a navigation (an htmx swap, a dialog, form errors shown at
  the same URL) are worth a further explicit ``assert_accessible(page)``. If the test itself
  failed, only the network guard is reported.

Lifetime: Playwright runs an event loop in the test thread for as long as it is started, which
breaks ``async_to_sync`` and Django's async-safety checks for any other test. So Playwright,
Chromium, the server and its settings are scoped to this package: started for the first browser
test, stopped after the last one, and ``DJANGO_ALLOW_ASYNC_UNSAFE`` is set only in between.

Example::

    from playwright.sync_api import expect

    @pytest.mark.django_db(transaction=True)
    def test_event_page_shows_title(page, assert_accessible, login):
        event = EventFactory(title="Verwaltung digital")
        login(page, UserFactory())
        page.goto(f"/{event.slug}/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Verwaltung digital")
        assert_accessible(page)
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import uvicorn
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core import mail
from django.test import Client, override_settings
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Frame,
    Page,
    Request,
    Response,
    WebSocket,
    sync_playwright,
)
from playwright.sync_api import Error as PlaywrightError

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LOCAL_SCHEMES = {"about", "blob", "data"}
NOT_PAGES = {*LOCAL_SCHEMES, "chrome-error"}  # Chromium's page for a failed navigation
SUBRESOURCE_TYPES = {"stylesheet", "script", "image", "font", "media", "manifest"}
BROWSER_DIR = Path(__file__).resolve().parent


# --- Marking and test outcome -----------------------------------------------------------------

_call_failed = pytest.StashKey[bool]()


@pytest.hookimpl(tryfirst=True)  # before `-m` selects by marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.is_relative_to(BROWSER_DIR):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call":
        item.stash[_call_failed] = report.failed
    return report


# --- The live server --------------------------------------------------------------------------


@dataclass
class AsgiServer:
    host: str
    port: int

    @property
    def netloc(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.netloc}"


@pytest.fixture(scope="package")
def asgi_server(django_db_setup: None) -> Iterator[AsgiServer]:
    from unkonf.asgi import application

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    server_info = AsgiServer(host="127.0.0.1", port=sock.getsockname()[1])
    config = uvicorn.Config(
        application,
        lifespan="off",
        loop="asyncio",  # "auto" would install uvloop's policy for the whole process
        log_level="warning",
        access_log=False,
        ws_per_message_deflate=False,
        timeout_graceful_shutdown=5,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="asgi-server", daemon=True
    )
    with override_settings(
        SITE_URL=server_info.url,
        ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, server_info.host],
        CSRF_TRUSTED_ORIGINS=[server_info.url],
    ):
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the ASGI test server did not start")
            time.sleep(0.01)
        try:
            yield server_info
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            sock.close()


# --- Playwright and Chromium ------------------------------------------------------------------


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}: browser tests skipped")
    with pytest.MonkeyPatch.context() as monkeypatch:
        # Playwright's event loop runs in this thread; Django would refuse the ORM in tests.
        monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            try:
                yield chromium
            finally:
                chromium.close()


@dataclass
class _PageRecord:
    """Main-frame URLs a page showed, each with whether axe checked it."""

    page: Page
    visited: dict[str, bool] = field(default_factory=dict)


def _without_fragment(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(fragment=""))


class _Session:
    """The contexts and pages of one test, with their guards."""

    def __init__(self, browser: Browser, server: AsgiServer) -> None:
        self.browser = browser
        self.server = server
        self.contexts: list[BrowserContext] = []
        self.records: dict[int, _PageRecord] = {}
        self.foreign_requests: list[str] = []
        self.broken_resources: list[str] = []
        self.script_errors: list[str] = []

    def _is_allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in LOCAL_SCHEMES:
            return True
        return parts.scheme in {"http", "https", "ws", "wss"} and parts.netloc == self.server.netloc

    def _on_request(self, request: Request) -> None:
        if not self._is_allowed(request.url):
            self.foreign_requests.append(f"{request.method} {request.url}")

    def _on_response(self, response: Response) -> None:
        if response.status >= 400 and response.request.resource_type in SUBRESOURCE_TYPES:
            self.broken_resources.append(f"{response.status} {response.url}")

    def _track(self, page: Page) -> None:
        if id(page) in self.records:
            return
        record = self.records[id(page)] = _PageRecord(page)

        def on_navigated(frame: Frame) -> None:
            if frame == page.main_frame and urlsplit(frame.url).scheme not in NOT_PAGES:
                record.visited.setdefault(_without_fragment(frame.url), False)

        def on_websocket(websocket: WebSocket) -> None:
            if not self._is_allowed(websocket.url):
                self.foreign_requests.append(f"WEBSOCKET {websocket.url}")

        def on_console(message: ConsoleMessage) -> None:
            text = message.text
            if message.type == "error" and (
                "Content Security Policy" in text or text.startswith("Refused to")
            ):
                self.script_errors.append(f"{page.url}: {message.text}")

        def on_page_error(error: PlaywrightError) -> None:
            self.script_errors.append(f"{page.url}: {error.name}: {error.message}")

        page.on("framenavigated", on_navigated)
        page.on("websocket", on_websocket)
        page.on("console", on_console)
        page.on("pageerror", on_page_error)

    def new_page(self, locale: str = "de-DE") -> Page:
        context = self.browser.new_context(
            base_url=self.server.url,
            locale=locale,
            timezone_id="Europe/Berlin",
            reduced_motion="reduce",
        )
        context.set_default_timeout(15_000)
        context.on("request", self._on_request)
        context.on("response", self._on_response)
        context.on("page", self._track)
        self.contexts.append(context)
        page = context.new_page()
        self._track(page)  # a no-op if the "page" event came first
        return page

    def mark_checked(self, page: Page) -> None:
        self._track(page)
        self.records[id(page)].visited[_without_fragment(page.url)] = True

    def close(self) -> None:
        for context in self.contexts:
            context.close()

    def problems(self, *, test_failed: bool) -> list[str]:
        found = []
        if self.foreign_requests:
            found.append(
                ("requests to hosts other than " + self.server.netloc, self.foreign_requests)
            )
        if self.broken_resources:
            found.append(
                ("stylesheets, scripts, images or fonts that failed", self.broken_resources)
            )
        if self.script_errors:
            found.append(
                ("JavaScript errors and Content Security Policy violations", self.script_errors)
            )
        unchecked = [url for r in self.records.values() for url, ok in r.visited.items() if not ok]
        if unchecked and not test_failed:
            found.append(("pages shown but never checked with assert_accessible(page)", unchecked))
        return [f"{title}:\n  " + "\n  ".join(items) for title, items in found]


@pytest.fixture
def _browser_session(
    browser: Browser,
    asgi_server: AsgiServer,
    transactional_db: None,
    request: pytest.FixtureRequest,
) -> Iterator[_Session]:
    session = _Session(browser, asgi_server)
    yield session
    session.close()
    problems = session.problems(test_failed=request.node.stash.get(_call_failed, False))
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.fixture
def browser_locale() -> str:
    return "de-DE"


@pytest.fixture
def new_page(_browser_session: _Session) -> Callable[..., Page]:
    return _browser_session.new_page


@pytest.fixture
def page(new_page: Callable[..., Page], browser_locale: str) -> Page:
    return new_page(locale=browser_locale)


# --- Helpers ----------------------------------------------------------------------------------


def _format_violations(url: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"{len(violations)} accessibility violation(s) on {url}:"]
    for violation in violations:
        impact = violation.get("impact") or "n/a"
        lines.append(f"- {violation['id']} ({impact}): {violation['help']}")
        lines.append(f"  {violation.get('helpUrl', '')}")
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    {target}   {node.get('html', '')[:160]}")
            checks = node.get("all", []) + node.get("none", []) + node.get("any", [])[:1]
            lines.extend(f"      {check['message']}" for check in checks)
    return "\n".join(lines)


@pytest.fixture(scope="package")
def _axe() -> Axe:
    return Axe()


@pytest.fixture
def assert_accessible(_browser_session: _Session, _axe: Axe) -> Callable[[Page], None]:
    options = {
        "runOnly": {"type": "tag", "values": WCAG_TAGS},
        "resultTypes": ["violations"],
        # no CSSOM preload: it re-fetches stylesheets and applies inline styles, which the
        # Content Security Policy rightly refuses (and the guard would report)
        "preload": False,
    }

    def check(page: Page) -> None:
        page.wait_for_load_state("load")
        results = _axe.run(page, options=options)
        violations = results.response["violations"]
        _browser_session.mark_checked(page)
        if violations:
            pytest.fail(_format_violations(page.url, violations), pytrace=False)

    return check


@pytest.fixture
def login(asgi_server: AsgiServer) -> Callable[[Page, Any], None]:
    def log_in(page: Page, user: Any) -> None:
        client = Client()
        client.force_login(user)
        session_id = client.cookies[settings.SESSION_COOKIE_NAME].value
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session_id, "url": asgi_server.url}]
        )

    return log_in


@pytest.fixture
def mail_outbox(mailoutbox: list[mail.EmailMessage]) -> list[mail.EmailMessage]:
    return mailoutbox
