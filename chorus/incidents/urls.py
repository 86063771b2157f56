from django.urls import path

from chorus.incidents import views

app_name = "incidents"
urlpatterns = [
    path("", views.incident_list, name="incident-list"),
    path("new/", views.incident_create, name="incident-create"),
    path("mine/", views.my_cases, name="mine"),
    path("matrix/", views.matrix_page, name="matrix"),
    path("matrix/try/", views.matrix_try, name="matrix-try"),
    path("matrix/edit/", views.matrix_edit, name="matrix-edit"),
    path("consistency/", views.consistency, name="consistency"),
    path("consistency.csv", views.consistency_csv, name="consistency-csv"),
    path("warnings/", views.informal_list, name="informal-list"),
    path("warnings/new/", views.informal_new, name="informal-new"),
    path("appeals/<int:pk>/", views.appeal_review, name="appeal-review"),
    path("<int:pk>/appeal/", views.appeal_page, name="appeal"),
    path("<int:pk>/", views.incident_detail, name="incident-detail"),
    path("<int:pk>/respond/", views.incident_respond, name="incident-respond"),
    path("<int:pk>/do/<slug:action>/", views.incident_action, name="incident-action"),
    path("<int:pk>/evidence/<int:evidence_id>/", views.evidence_detail, name="evidence-detail"),
    path("<int:pk>/evidence/<int:evidence_id>/file", views.evidence_file, name="evidence-file"),
]
