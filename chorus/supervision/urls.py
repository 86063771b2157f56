from django.urls import path

from chorus.supervision import views

app_name = "supervision"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("decide/", views.decide, name="decide"),
    path("settings/", views.settings_page, name="settings"),
    path("precision/", views.precision, name="precision"),
    path("model/", views.model_page, name="model"),
    path("model/retrain/", views.model_retrain, name="model-retrain"),
    path("model/rollback/", views.model_rollback, name="model-rollback"),
    path("model/runs/<int:pk>/", views.run_detail, name="run-detail"),
]
