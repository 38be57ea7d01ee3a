from django.apps import AppConfig


class PlansConfig(AppConfig):
    """The county's side of recruitment (DESIGN §4.3): the annual development plan, 入党志愿书 numbering
    against it, the name-list pre-review and the structure of admissions."""

    name = "recruitment.plans"
    label = "recruitment_plans"
    verbose_name = "发展党员计划"
