from __future__ import annotations

from django.urls import path

from unkonf.venues import views

app_name = "venues"

urlpatterns = [
    path("<slug:slug>/manage/rooms/", views.room_list, name="room-list"),
    path("<slug:slug>/manage/rooms/<int:pk>/", views.room_edit, name="room-edit"),
    path("<slug:slug>/manage/rooms/<int:pk>/delete/", views.room_delete, name="room-delete"),
    path("<slug:slug>/manage/rooms/<int:pk>/move/", views.room_move, name="room-move"),
]
