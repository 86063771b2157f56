from django.urls import path

from chorus.privacy import views

app_name = "privacy"
urlpatterns = [
    path("", views.requests, name="requests"),
    path("me/", views.my_data, name="my-data"),
    path("me/export/", views.my_export_html, name="my-export"),
    path("me/export.json", views.my_export_json, name="my-export-json"),
    path("people/<int:person_id>/", views.person_detail, name="person"),
    path("people/<int:person_id>/export/", views.person_export_html, name="person-export"),
    path("people/<int:person_id>/export.json", views.person_export_json, name="person-export-json"),
    path("people/<int:person_id>/erase/", views.person_erase_view, name="person-erase"),
    path("erasures/<int:erasure_id>/", views.erasure_detail, name="erasure"),
]
