from django.apps import AppConfig


class PublicityConfig(AppConfig):
    """Part of oversight (`audit`): its own tables and migrations under the label "publicity"."""

    name = "audit.publicity"
    label = "publicity"
    verbose_name = "公示"
