from django.urls import path

from chorus.posture import views

app_name = "posture"
urlpatterns = [
    path("", views.index, name="index"),
    path("quiet/new/", views.quiet_new, name="quiet-new"),
    path("quiet/<int:period_id>/cancel/", views.quiet_cancel, name="quiet-cancel"),
    path("crisis/prepare/", views.crisis_prepare, name="crisis-prepare"),
    path("crisis/confirm/", views.crisis_confirm, name="crisis-confirm"),
    path("crisis/cancel/", views.crisis_cancel, name="crisis-cancel"),
    path("crisis/off/", views.crisis_off, name="crisis-off"),
    path("crisis/queue/", views.crisis_queue, name="crisis-queue"),
]
