from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "监督与审计"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (login success/failure events)
