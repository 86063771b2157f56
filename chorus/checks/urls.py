from django.urls import path

from chorus.checks import views

app_name = "checks"
urlpatterns = [
    path("", views.check, name="check"),
    path("preview/", views.check_preview, name="preview"),
    path("review/", views.review_request_submit, name="review-submit"),
    path("images/", views.image_upload, name="image-upload"),
    path("images/<int:pk>/", views.image_status, name="image-status"),
    path("images/<int:pk>/file/", views.image_file, name="image-file"),
    path("reviews/", views.review_list, name="review-list"),
    path("reviews/<int:pk>/", views.review_detail, name="review-detail"),
]
