from __future__ import annotations

from django.urls import path

from unkonf.accounts import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/data.json", views.data_export, name="data-export"),
    path("profile/delete/", views.erase, name="erase"),
    path("link/<str:uidb64>/<str:token>/", views.login_link, name="login-link"),
]
