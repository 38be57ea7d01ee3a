from django.apps import AppConfig


class PartyadminConfig(AppConfig):
    name = "partyadmin"
    verbose_name = "系统"
