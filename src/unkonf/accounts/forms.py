from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class ProfileForm(forms.Form):
    name = forms.CharField(
        label=_("name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    language = forms.ChoiceField(
        label=_("language for e-mails"), choices=settings.LANGUAGES, widget=forms.RadioSelect
    )


class EraseAccountForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, delete my account and my registrations. This cannot be undone."),
        required=True,
    )
