"""Reading and checking the HTML pages that the views tests fetch.

- ``en(name, **kwargs)``: the path of a URL pattern under ``/en/``.
- ``check_page``: every HTML page has a CSP without ``'unsafe-inline'``, no inline ``<script>``,
  no inline event handlers and no ``javascript:`` links; ``CheckedClient`` runs it on every
  response it fetches (the suite's ``client`` fixture is one, see ``tests/conftest.py``).
- ``Page``: the tags and the visible text of a page or a piece of markup; ``text``,
  ``messages_of``, ``field_errors`` and ``form_errors`` read a response with it.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Any

from django.http import HttpResponse, HttpResponseBase
from django.test import Client
from django.urls import reverse
from django.utils import translation

_NOT_SHOWN = ("script", "style", "title", "template")


def en(name: str, **kwargs: Any) -> str:
    """The path of URL pattern ``name`` in English (``/en/...``)."""
    with translation.override("en"):
        return reverse(name, kwargs=kwargs)


class Page(HTMLParser):
    """Tags with their attributes, and the visible text, of an HTML page."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.texts: list[str] = []
        self._hidden = 0
        self.feed(markup)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in _NOT_SHOWN:
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _NOT_SHOWN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.texts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.texts).split())


def check_page(response: HttpResponseBase) -> None:
    """Every HTML page: a CSP without 'unsafe-inline', no inline script, no inline handlers,
    no ``javascript:`` links.

    The parsed tags are checked, and the raw markup too (which also catches what hides where
    the parser sees no tags, such as comments).
    """
    if not response["Content-Type"].startswith("text/html"):
        return
    assert isinstance(response, HttpResponse), "an HTML page must not be streamed unchecked"
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    body = response.content.decode()
    for tag, attrs in Page(body).tags:
        assert tag != "script" or attrs.get("src"), "inline <script> (CSP blocks it)"
        assert not [a for a in attrs if a.startswith("on")], f"inline handler on <{tag}>"
        assert not (attrs.get("href") or "").lower().startswith("javascript:")
    assert all("src=" in attrs for attrs in re.findall(r"<script\b([^>]*)>", body))
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", body), "inline event handler"


class CheckedClient(Client):
    """The test client, checking every page it fetches with ``check_page``."""

    def request(self, **request: Any) -> Any:
        response = super().request(**request)
        check_page(response)
        return response


def text(response: HttpResponse) -> str:
    """The visible text of the page, white space folded."""
    return Page(response.content.decode()).text


def messages_of(response: HttpResponse) -> list[str]:
    """The messages (success, warning, error) shown at the top of the page."""
    found = re.findall(r'<p class="message message-\w+">(.*?)</p>', response.content.decode())
    return [html.unescape(m) for m in found]


def field_errors(response: HttpResponse) -> dict[str, list[str]]:
    """Errors shown under the fields, by field name (with form prefix)."""
    errors: dict[str, list[str]] = {}
    pattern = r'<p class="error" id="id_([\w-]+)_error">(.*?)</p>'
    for name, message in re.findall(pattern, response.content.decode()):
        errors.setdefault(name, []).append(html.unescape(message))
    return errors


def form_errors(response: HttpResponse) -> list[str]:
    """The error summaries above the forms (non-field errors, or links to the fields), all of
    them in page order."""
    content = response.content.decode()
    return [
        Page(li).text
        for box in re.findall(r'<div class="form-errors".*?</div>', content, re.S)
        for li in re.findall(r"<li>(.*?)</li>", box)
    ]
