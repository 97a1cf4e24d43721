"""Operators manage accounts and the permission to create barcamps here.

Barcamp data itself is changed only through unkonf's pages (one write path, see
docs/architecture.md), so the domain models are not registered for editing.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from unkonf.accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):  # type: ignore[type-arg]
    ordering = ("email",)
    list_display = ("email", "name", "is_staff", "is_active", "date_joined")
    search_fields = ("email", "name")
    readonly_fields = ("date_joined", "last_login", "erased_at")
    fieldsets = (
        (None, {"fields": ("email", "name", "language")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("date_joined", "last_login", "erased_at")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "name")}),)
    filter_horizontal = ("user_permissions",)
