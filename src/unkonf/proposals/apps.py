from django.apps import AppConfig


class ProposalsConfig(AppConfig):
    name = "unkonf.proposals"
    label = "proposals"

    def ready(self) -> None:
        from unkonf.accounts import privacy
        from unkonf.proposals import personal_data

        privacy.register_provider(
            "proposals",
            export=personal_data.export_user_data,
            erase=personal_data.erase_user_data,
        )
