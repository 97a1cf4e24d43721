from __future__ import annotations

import datetime

from django import template
from django.utils.formats import date_format
from django.utils.safestring import SafeString

from unkonf.core.audit_labels import action_label
from unkonf.core.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    return render_markdown(text)


@register.simple_tag(takes_context=True)
def translated_path(context: template.Context, language: str) -> str:
    """The current page in another language (same path, other prefix, same query)."""
    from django.urls import translate_url

    request = context.get("request")
    if request is None:
        return "/"
    url = translate_url(request.get_full_path(), language)
    return str(url)


@register.filter(name="weekday_date")
def weekday_date(value: datetime.date | None) -> str:
    """ "Donnerstag, 4. März 2027" / "Thursday, March 4, 2027" in the active language."""
    if value is None:
        return ""
    return f"{date_format(value, 'l')}, {date_format(value, 'DATE_FORMAT')}"


@register.filter(name="audit_label")
def audit_label(action: str) -> str:
    return action_label(action)
