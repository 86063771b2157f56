from django.urls import path

from chorus.common import views

app_name = "common"
urlpatterns = [
    path("", views.task_problems, name="task-problems"),
    path("<str:task_id>/retry/", views.task_problem_act, {"action": "retry"}, name="task-retry"),
    path(
        "<str:task_id>/discard/", views.task_problem_act, {"action": "discard"}, name="task-discard"
    ),
]
