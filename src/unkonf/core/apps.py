from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "unkonf.core"
    label = "core"
