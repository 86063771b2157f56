from django.urls import path

from chorus.onboarding import views

app_name = "onboarding"
urlpatterns = [
    path("", views.dashboard, name="overview"),
    path("me/", views.me, name="me"),
    path("me/<int:assignment_id>/", views.attest, name="attest"),
    path("me/<int:assignment_id>/read/", views.attest_read, name="attest-read"),
    path("people/", views.people, name="people"),
    path("people/new/", views.person_new, name="person-new"),
    path("people/import/", views.people_import, name="import"),
    path("people/import/template.csv", views.people_import_template, name="import-template"),
    path("people/import/<int:import_id>/", views.people_import_preview, name="import-preview"),
    path("people/<int:person_id>/", views.person_detail, name="person"),
    path("people/<int:person_id>/edit/", views.person_edit, name="person-edit"),
    path("people/<int:person_id>/not-hired/", views.person_not_hired, name="person-not-hired"),
    path("campaigns/new/", views.campaign_new, name="campaign-new"),
    path("campaigns/<int:campaign_id>/", views.campaign_detail, name="campaign"),
    path("campaigns/<int:campaign_id>/remind/", views.campaign_remind, name="campaign-remind"),
    path("assignments/<int:assignment_id>/nudge/", views.assignment_nudge, name="nudge"),
    path("assignments/<int:assignment_id>/link/", views.assignment_link, name="link-create"),
    path("stages/", views.stages, name="stages"),
    path("versions/<int:version_id>/quiz/", views.quiz, name="quiz"),
    path("evidence/", views.evidence, name="evidence"),
]
