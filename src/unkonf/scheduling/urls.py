from __future__ import annotations

from django.urls import path

from unkonf.scheduling import views
from unkonf.scheduling.views import exports as export_views
from unkonf.scheduling.views import grid as grid_views
from unkonf.scheduling.views import plan as plan_views
from unkonf.scheduling.views import timer as timer_views

app_name = "scheduling"

urlpatterns = [
    path("<slug:slug>/manage/days/<int:day_pk>/slots/", views.day_slots, name="day-slots"),
    path("<slug:slug>/manage/slots/<int:pk>/", views.slot_edit, name="slot-edit"),
    path("<slug:slug>/manage/slots/<int:pk>/delete/", views.slot_delete, name="slot-delete"),
    path("<slug:slug>/manage/duplicate/", views.event_duplicate, name="event-duplicate"),
]

# --- the grid editor (views/grid.py) --------------------------------------------------------------
urlpatterns += [
    path("<slug:slug>/manage/grid/", grid_views.grid_start, name="grid"),
    path("<slug:slug>/manage/grid/<int:pk>/", grid_views.grid_day, name="grid-day"),
    path("<slug:slug>/manage/grid/<int:pk>/state/", grid_views.grid_state, name="grid-state"),
    path("<slug:slug>/manage/grid/<int:pk>/place/", grid_views.grid_place, name="grid-place"),
    path("<slug:slug>/manage/grid/<int:pk>/unplace/", grid_views.grid_unplace, name="grid-unplace"),
    path("<slug:slug>/manage/grid/<int:pk>/pin/", grid_views.grid_pin, name="grid-pin"),
    path("<slug:slug>/manage/grid/<int:pk>/undo/", grid_views.grid_undo, name="grid-undo"),
    path("<slug:slug>/manage/grid/<int:pk>/publish/", grid_views.grid_publish, name="grid-publish"),
    path("<slug:slug>/manage/grid/suggest/", grid_views.grid_suggest, name="grid-suggest"),
    path(
        "<slug:slug>/manage/grid/suggestions/<int:pk>/",
        grid_views.grid_suggestion,
        name="grid-suggestion",
    ),
    path(
        "<slug:slug>/manage/grid/suggestions/<int:pk>/state/",
        grid_views.grid_suggestion_state,
        name="grid-suggestion-state",
    ),
    path(
        "<slug:slug>/manage/grid/suggestions/<int:pk>/apply/",
        grid_views.grid_suggestion_apply,
        name="grid-suggestion-apply",
    ),
    path(
        "<slug:slug>/manage/grid/suggestions/<int:pk>/discard/",
        grid_views.grid_suggestion_discard,
        name="grid-suggestion-discard",
    ),
]

# --- the published plan, stars, screens (views/plan.py) -------------------------------------------

urlpatterns += [
    path("<slug:slug>/plan/", plan_views.plan_day, name="plan"),
    path("<slug:slug>/plan/day/<int:day_pk>/", plan_views.plan_day, name="plan-day"),
    path("<slug:slug>/plan/rooms/<int:pk>/", plan_views.plan_room, name="plan-room"),
    path("<slug:slug>/plan/now/", plan_views.plan_now, name="plan-now"),
    path("<slug:slug>/plan/mine/", plan_views.plan_mine, name="plan-mine"),
    path("<slug:slug>/plan/star/<int:pk>/", plan_views.plan_star, name="plan-star"),
    path("<slug:slug>/plan/screen/", plan_views.plan_screen, name="plan-screen"),
    path("<slug:slug>/plan/unavailable/", plan_views.plan_unavailable, name="plan-unavailable"),
]

# --- the timekeeper (views/timer.py) ------------------------------------------------------------

urlpatterns += [
    path("<slug:slug>/manage/timekeeper/", timer_views.timekeeper, name="timekeeper"),
    path(
        "<slug:slug>/manage/timekeeper/slots/<int:pk>/",
        timer_views.timer_control,
        name="timer-control",
    ),
]

# --- exports: iCal, schedule XML/JSON, PDF (views/exports.py) -------------------------------------

urlpatterns += [
    path("<slug:slug>/plan/export/", export_views.export_page, name="plan-export"),
    path("<slug:slug>/plan/export/plan.ics", export_views.plan_ics, name="plan-ics"),
    path("<slug:slug>/plan/export/mine/<slug:token>.ics", export_views.feed_ics, name="plan-feed"),
    path(
        "<slug:slug>/plan/export/mine/renew/",
        export_views.feed_renew,
        name="plan-feed-renew",
    ),
    path(
        "<slug:slug>/plan/export/schedule.xml",
        export_views.schedule_xml,
        name="plan-schedule-xml",
    ),
    path(
        "<slug:slug>/plan/export/schedule.json",
        export_views.schedule_json,
        name="plan-schedule-json",
    ),
    path(
        "<slug:slug>/plan/print/day/<int:day_pk>.pdf",
        export_views.print_day,
        name="plan-print-day",
    ),
    path(
        "<slug:slug>/plan/print/room/<int:pk>.pdf",
        export_views.print_room,
        name="plan-print-room",
    ),
    path(
        "<slug:slug>/manage/door-signs/<int:day_pk>.pdf", export_views.door_signs, name="door-signs"
    ),
]
