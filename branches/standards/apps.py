from django.apps import AppConfig


class StandardsConfig(AppConfig):
    """Branch life (DESIGN §8): the branch standardization checklist 党支部规范化建设."""

    name = "branches.standards"
    label = "standards"
    verbose_name = "支部规范化建设"
