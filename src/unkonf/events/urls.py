from __future__ import annotations

from django.urls import path

from unkonf.events import views

app_name = "events"

urlpatterns = [
    path("", views.home, name="home"),
    path("events/new/", views.event_create, name="event-create"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation-accept"),
    path("<slug:slug>/", views.event_detail, name="event-detail"),
    path("<slug:slug>/imprint/", views.event_legal, {"page": "imprint"}, name="event-imprint"),
    path("<slug:slug>/privacy/", views.event_legal, {"page": "privacy"}, name="event-privacy"),
    path(
        "<slug:slug>/code-of-conduct/",
        views.event_legal,
        {"page": "code-of-conduct"},
        name="event-code-of-conduct",
    ),
    path("<slug:slug>/participants/", views.participant_list, name="participant-list"),
    path("<slug:slug>/register/", views.register, name="register"),
    path("<slug:slug>/register/done/", views.register_done, name="register-done"),
    path("<slug:slug>/registration/", views.registration_mine, name="registration-mine"),
    path("<slug:slug>/registration/cancel/", views.registration_cancel, name="registration-cancel"),
    path("<slug:slug>/manage/", views.manage_overview, name="manage-overview"),
    path("<slug:slug>/manage/settings/", views.manage_settings, name="manage-settings"),
    path("<slug:slug>/manage/publish/", views.manage_publish, name="manage-publish"),
    path("<slug:slug>/manage/days/", views.manage_days, name="manage-days"),
    path("<slug:slug>/manage/days/<int:pk>/", views.manage_day_edit, name="manage-day-edit"),
    path("<slug:slug>/manage/roles/", views.manage_roles, name="manage-roles"),
    path(
        "<slug:slug>/manage/roles/<int:pk>/revoke/",
        views.manage_role_revoke,
        name="manage-role-revoke",
    ),
    path(
        "<slug:slug>/manage/invitations/<int:pk>/revoke/",
        views.manage_invitation_revoke,
        name="manage-invitation-revoke",
    ),
    path(
        "<slug:slug>/manage/registrations/", views.manage_registrations, name="manage-registrations"
    ),
    path(
        "<slug:slug>/manage/registrations/export.<str:fmt>",
        views.manage_registrations_export,
        name="manage-registrations-export",
    ),
    path(
        "<slug:slug>/manage/announcements/",
        views.manage_announcements,
        name="manage-announcements",
    ),
    path(
        "<slug:slug>/manage/registrations/<int:pk>/move/",
        views.manage_registration_move,
        name="manage-registration-move",
    ),
]
