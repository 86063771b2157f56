from django.urls import path

from chorus.people import views

app_name = "people"
urlpatterns = [
    path("", views.account, name="account"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token-revoke"),
]
