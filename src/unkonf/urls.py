from __future__ import annotations

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from unkonf.core import views as core_views
from unkonf.proposals.api import api, api_urls
from unkonf.scheduling.api import router as plan_api

# The JSON API: the proposals' operations (unkonf.proposals.api) and the plan's
# (unkonf.scheduling.api, which sits above proposals and so adds its router here).
api.add_router("", plan_api)

handler400 = "unkonf.core.views.bad_request"
handler403 = "unkonf.core.views.permission_denied"
handler404 = "unkonf.core.views.page_not_found"
handler500 = "unkonf.core.views.server_error"

urlpatterns: list[URLPattern | URLResolver] = [
    path("healthz", core_views.healthz, name="healthz"),
    path("api/v1/", include(api_urls())),  # JSON, not translated: see docs/architecture.md
]

urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("accounts/", include("unkonf.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("unkonf.venues.urls")),
    path("", include("unkonf.scheduling.urls")),
    path("", include("unkonf.chat.urls")),
    path("", include("unkonf.proposals.urls")),
    path("", include("unkonf.events.urls")),
    prefix_default_language=False,
)
