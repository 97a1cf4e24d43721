from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "unkonf.realtime"
    label = "realtime"
