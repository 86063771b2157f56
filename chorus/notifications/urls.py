from django.urls import path

from chorus.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<int:notification_id>/open", views.notification_open, name="open"),
    path("<int:notification_id>/read", views.notification_read, name="read"),
    path("read-all", views.notification_read_all, name="read-all"),
    path("preferences/", views.preferences, name="preferences"),
    path("defaults/", views.role_defaults, name="defaults"),
    path("deliveries/", views.delivery_log, name="deliveries"),
]
