from django.urls import path

from chorus.speakup import views

app_name = "speakup"
urlpatterns = [
    path("", views.concern_list, name="list"),
    path("<int:pk>/", views.concern_detail, name="detail"),
    path("<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("<int:pk>/message/", views.message, name="message"),
    path("<int:pk>/feedback/", views.feedback, name="feedback"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/conflict/", views.conflict, name="conflict"),
    path("<int:pk>/exclude/", views.exclude, name="exclude"),
    path("<int:pk>/identity/request/", views.identity_request, name="identity-request"),
    path("<int:pk>/identity/show/", views.identity_show, name="identity-show"),
    path("<int:pk>/redact/", views.redact, name="redact"),
    path("<int:pk>/incident/", views.open_incident, name="open-incident"),
    path("files/<int:pk>/", views.attachment, name="attachment"),
    path("custodian/", views.custodian, name="custodian"),
    path("custodian/<int:pk>/decide/", views.custodian_decide, name="custodian-decide"),
    path("register/", views.register, name="register"),
    path("register.csv", views.register_csv, name="register-csv"),
    path("settings/", views.channel_settings, name="settings"),
    path("forms/", views.forms_list, name="forms"),
    path("forms/new/", views.form_edit, name="form-new"),
    path("forms/<slug:key>/", views.form_edit, name="form-edit"),
    path("deletions/", views.deletions, name="deletions"),
]
