from django.apps import AppConfig


class AccountabilityConfig(AppConfig):
    """Part of oversight (`audit`): its own tables and migrations under the label "accountability"."""

    name = "audit.accountability"
    label = "accountability"
    verbose_name = "责任追究"
