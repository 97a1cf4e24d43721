from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "unkonf.core"
    label = "core"

    def ready(self) -> None:
        from unkonf.core import checks  # noqa: F401 - registers the checks
