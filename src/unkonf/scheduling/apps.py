from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "unkonf.scheduling"
    label = "scheduling"

    def ready(self) -> None:
        from unkonf.accounts import privacy
        from unkonf.scheduling import personal_data

        privacy.register_provider(
            "scheduling",
            export=personal_data.export_user_data,
            erase=personal_data.erase_user_data,
        )
