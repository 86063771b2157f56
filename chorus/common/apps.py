from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "chorus.common"
    label = "common"
    verbose_name = "Common"
