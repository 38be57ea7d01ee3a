from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Part of oversight (`audit`): its own tables and migrations under the label "notifications"."""

    name = "audit.notifications"
    label = "notifications"
    verbose_name = "站内通知"
