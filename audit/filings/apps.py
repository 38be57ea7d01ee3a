from django.apps import AppConfig


class FilingsConfig(AppConfig):
    """Part of oversight (`audit`): its own tables and migrations under the label "filings"."""

    name = "audit.filings"
    label = "filings"
    verbose_name = "备案与审批"
