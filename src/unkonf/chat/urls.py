from __future__ import annotations

from django.urls import path

from unkonf.chat import views

app_name = "chat"

urlpatterns = [
    path("<slug:slug>/chat/", views.lobby_chat, name="lobby-chat"),
    path("<slug:slug>/chat/rooms/<int:pk>/", views.room_chat, name="room-chat"),
    path("<slug:slug>/chat/messages/<int:pk>/delete/", views.message_delete, name="message-delete"),
    path("<slug:slug>/chat/messages/<int:pk>/report/", views.message_report, name="message-report"),
    path("<slug:slug>/chat/messages/<int:pk>/pause/", views.message_pause, name="message-pause"),
    path("<slug:slug>/manage/chat/", views.moderation, name="moderation"),
    path(
        "<slug:slug>/manage/chat/reports/<int:pk>/resolve/",
        views.report_resolve,
        name="report-resolve",
    ),
    path("<slug:slug>/manage/chat/pauses/<int:pk>/lift/", views.pause_lift, name="pause-lift"),
]
