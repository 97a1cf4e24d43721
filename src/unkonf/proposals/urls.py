from __future__ import annotations

from django.urls import path

from unkonf.proposals import views

app_name = "proposals"

P = "<slug:slug>/proposals/<int:pk>"

urlpatterns = [
    path("<slug:slug>/proposals/", views.proposal_list, name="proposal-list"),
    path("<slug:slug>/proposals/new/", views.proposal_create, name="proposal-create"),
    path("<slug:slug>/proposals/mine/", views.proposal_mine, name="proposal-mine"),
    path(f"{P}/", views.proposal_detail, name="proposal-detail"),
    path(f"{P}/edit/", views.proposal_edit, name="proposal-edit"),
    path(f"{P}/submit/", views.proposal_state, {"action": "submit"}, name="proposal-submit"),
    path(f"{P}/withdraw/", views.proposal_state, {"action": "withdraw"}, name="proposal-withdraw"),
    path(f"{P}/interest/", views.proposal_interest, name="proposal-interest"),
    path(f"{P}/comments/", views.comment_create, name="comment-create"),
    path(f"{P}/comments/<int:comment_pk>/delete/", views.comment_delete, name="comment-delete"),
    path(f"{P}/hosts/", views.cohost_invite, name="cohost-invite"),
    path(f"{P}/hosts/answer/", views.cohost_answer, name="cohost-answer"),
    path(f"{P}/hosts/<int:host_pk>/remove/", views.host_remove, name="host-remove"),
    path(f"{P}/materials/", views.material_add, name="material-add"),
    path(f"{P}/materials/<int:material_pk>/", views.material_download, name="material-download"),
    path(f"{P}/materials/<int:material_pk>/delete/", views.material_delete, name="material-delete"),
    path("<slug:slug>/pitch/", views.pitch_live, name="pitch-live"),
    path("<slug:slug>/pitch/screen/", views.pitch_screen, name="pitch-screen"),
    path("<slug:slug>/pitch/state/", views.pitch_fragment, name="pitch-state"),
    path("<slug:slug>/manage/proposals/", views.manage_settings, name="manage-settings"),
    path(
        "<slug:slug>/manage/proposals/duplicates/",
        views.manage_duplicates,
        name="manage-duplicates",
    ),
    path("<slug:slug>/manage/proposals/merge/", views.manage_merge, name="manage-merge"),
    path("<slug:slug>/manage/pitch/", views.manage_pitch, name="manage-pitch"),
    path("<slug:slug>/manage/pitch/control/", views.pitch_control, name="pitch-control"),
    path("<slug:slug>/manage/pitch/queue/", views.pitch_queue_move, name="pitch-queue-move"),
    path(
        "<slug:slug>/manage/pitch/spontaneous/", views.pitch_spontaneous, name="pitch-spontaneous"
    ),
]
