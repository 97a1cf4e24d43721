from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "unkonf.events"
    label = "events"

    def ready(self) -> None:
        from unkonf.accounts import privacy
        from unkonf.events import personal_data

        privacy.register_provider(
            "events", export=personal_data.export_user_data, erase=personal_data.erase_user_data
        )
