from django.urls import path

from chorus.legalexport import views

app_name = "legalexport"
urlpatterns = [
    path("", views.export_list, name="list"),
    path("<int:pk>/", views.export_detail, name="detail"),
    path("<int:pk>/bundle.zip", views.export_download, name="download"),
]
