from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "unkonf.scheduling"
    label = "scheduling"
