from __future__ import annotations

from django.urls import path

from unkonf.scheduling import views

app_name = "scheduling"

urlpatterns = [
    path("<slug:slug>/manage/days/<int:day_pk>/slots/", views.day_slots, name="day-slots"),
    path("<slug:slug>/manage/slots/<int:pk>/", views.slot_edit, name="slot-edit"),
    path("<slug:slug>/manage/slots/<int:pk>/delete/", views.slot_delete, name="slot-delete"),
    path("<slug:slug>/manage/duplicate/", views.event_duplicate, name="event-duplicate"),
]

# --- the grid editor (views/grid.py) --------------------------------------------------------------
urlpatterns += []

# --- the published plan, stars, screens (views/plan.py) -------------------------------------------
urlpatterns += []

# --- the timekeeper (views/timer.py) ----------------------------------------------------------------
urlpatterns += []

# --- exports: iCal, schedule XML/JSON, PDF (views/exports.py) -------------------------------------
urlpatterns += []
