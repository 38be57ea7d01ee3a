from django.apps import AppConfig


class GroupingConfig(AppConfig):
    name = "grouping"
    verbose_name = "一编三定"
