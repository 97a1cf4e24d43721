from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "unkonf.chat"
    label = "chat"

    def ready(self) -> None:
        from unkonf.accounts import privacy
        from unkonf.chat import personal_data

        privacy.register_provider(
            "chat", export=personal_data.export_user_data, erase=personal_data.erase_user_data
        )
