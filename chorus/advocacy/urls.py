from django.urls import path

from chorus.advocacy import views

app_name = "advocacy"
urlpatterns = [
    path("", views.feed, name="feed"),
    path("content/<int:item_id>/share/", views.share, name="share"),
    path("content/<int:item_id>/share/check/", views.share_check, name="share-check"),
    path("content/<int:item_id>/image/", views.content_image, name="content-image"),
    path("content/<int:item_id>/preview.img", views.content_preview_image,
         name="content-preview-image"),
    path("shares/<int:share_id>/", views.share_ready, name="share-ready"),
    path("shares/<int:share_id>/confirm/", views.share_confirm_view, name="share-confirm"),
    path("me/", views.me, name="me"),
    path("leaderboard/", views.leaderboard, name="leaderboard"),
    path("hub/", views.content_list, name="content-list"),
    path("hub/new/", views.content_new, name="content-new"),
    path("hub/<int:item_id>/", views.content_detail, name="content-detail"),
    path("hub/<int:item_id>/edit/", views.content_edit, name="content-edit"),
    path("hub/<int:item_id>/move/<str:to_status>/", views.content_move, name="content-move"),
    path("hub/guidance/", views.guidance, name="guidance"),
    path("hub/guidance/<int:card_id>/", views.guidance, name="guidance-edit"),
    path("hub/settings/", views.hub_settings, name="settings"),
    path("hub/analytics/", views.analytics_page, name="analytics"),
    path("hub/analytics.csv", views.analytics_csv, name="analytics-csv"),
    path("hub/health/", views.health, name="health"),
    path("presence/", views.presence, name="presence"),
    path("hub/presence/", views.presence_manage, name="presence-manage"),
    path("hub/presence/<int:account_id>/", views.presence_manage, name="presence-edit"),
    path("hub/presence/<int:account_id>/delete/", views.presence_delete,
         name="presence-delete"),
]
