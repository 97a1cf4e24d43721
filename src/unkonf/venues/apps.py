from django.apps import AppConfig


class VenuesConfig(AppConfig):
    name = "unkonf.venues"
    label = "venues"
