from __future__ import annotations

from typing import Any

from django import forms

from unkonf.core.exceptions import DomainError


def add_domain_error(form: forms.BaseForm, error: DomainError) -> None:
    """Show a service's refusal on the field it names, or above the form."""
    field: Any = error.field if error.field in form.fields else None
    form.add_error(field, str(error.message))
