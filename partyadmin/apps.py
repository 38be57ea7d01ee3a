from django.apps import AppConfig


class PartyadminConfig(AppConfig):
    name = "partyadmin"
    verbose_name = "系统"

    def ready(self) -> None:
        from . import credentials  # noqa: F401 - connects the login receiver
