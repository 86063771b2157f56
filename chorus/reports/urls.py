from django.urls import path

from chorus.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("new/", views.create, name="create"),
    path("queue/", views.queue, name="queue"),
    path("routing/", views.routing, name="routing"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/transition/", views.transition, name="transition"),
    path("<int:pk>/ask/", views.ask, name="ask"),
    path("<int:pk>/legal-review/", views.legal_review, name="legal-review"),
    path("<int:pk>/incident/", views.open_incident, name="open-incident"),
    path("<int:pk>/advocacy/", views.request_advocacy, name="request-advocacy"),
    path("submissions/<int:pk>/answer/", views.answer, name="answer"),
    path("evidence/<int:pk>/", views.evidence, name="evidence"),
]
