from django.urls import path

from chorus.policy import views

app_name = "policy"
urlpatterns = [
    path("", views.index, name="index"),
    path("current/", views.current, name="current"),
    path("new/", views.new, name="new"),
    path("import/", views.import_yaml, name="import"),
    path("lints/", views.lints, name="lints"),
    path("<int:policy_id>/", views.policy_detail, name="policy-detail"),
    path("versions/<int:version_id>/", views.version_detail, name="version-detail"),
    path("versions/<int:version_id>/edit/", views.version_edit, name="version-edit"),
    path("versions/<int:version_id>/lint/", views.version_lint, name="version-lint"),
    path("versions/<int:version_id>/publish/", views.version_publish, name="version-publish"),
    path("versions/<int:version_id>/preview/", views.version_preview_start,
         name="version-preview"),
    path("previews/<int:preview_id>/", views.preview_status, name="preview-status"),
    path("versions/<int:version_id>/approve/", views.version_approve, name="version-approve"),
    path("versions/<int:version_id>/schedule/cancel/", views.version_schedule_cancel,
         name="version-schedule-cancel"),
    path("approvers/", views.approvers, name="approvers"),
    path("versions/<int:version_id>/retire/", views.version_retire, name="version-retire"),
    path("versions/<int:version_id>/new-draft/", views.version_new_draft, name="version-new-draft"),
    path("versions/<int:version_id>/diff/", views.version_diff_view, name="version-diff"),
    path("versions/<int:version_id>/export.yaml", views.export_yaml, name="version-export"),
]
