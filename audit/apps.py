from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "监督与审计"

    def ready(self) -> None:
        from branches.scoping import organization_get_for_user

        from . import signals  # noqa: F401  (login success/failure events)
        from .registry import register_subject

        # Organizations sit below audit, so audit registers them itself; the domain apps register
        # their own subject types in their AppConfig.ready().
        register_subject("branches.organization", lambda user, pk: organization_get_for_user(user, pk))
