from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "unkonf.accounts"
    label = "accounts"
