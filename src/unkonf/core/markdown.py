"""User Markdown to safe HTML: rendered by Python-Markdown, then cleaned by nh3 (ammonia)."""

from __future__ import annotations

import threading

import markdown as md
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "u", "s", "del", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h2", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody",
    "tr", "th", "td", "abbr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}, "td": set()}
ALLOWED_SCHEMES = {"http", "https", "mailto", "tel"}


_local = threading.local()


def _renderer() -> md.Markdown:
    """This thread's renderer, reset for each text; raw HTML is treated as text.

    Building a renderer with its extensions costs about a millisecond, more than rendering a
    chat message, so each thread keeps one (Markdown instances are not thread-safe).
    """
    renderer: md.Markdown | None = getattr(_local, "renderer", None)
    if renderer is not None:
        renderer.reset()
        return renderer
    renderer = md.Markdown(
        extensions=["extra", "sane_lists", "toc"],
        extension_configs={"toc": {"baselevel": 2}},  # "# Heading" becomes h2
        output_format="html",
    )
    renderer.preprocessors.deregister("html_block")
    renderer.inlinePatterns.deregister("html")
    _local.renderer = renderer
    return renderer


def render_markdown(text: str) -> SafeString:
    """Render Markdown; anything that could run script (tags, handlers, schemes) is dropped.

    Headings start at h2 (h1 is the page's own title), raw HTML in the source is escaped
    before rendering, and every link gets ``rel="noopener noreferrer nofollow"``.
    """
    html = _renderer().convert(text or "")
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return mark_safe(cleaned)  # noqa: S308 - nh3 has sanitised it
