from django.apps import AppConfig


class PlansConfig(AppConfig):
    """The county's side of recruitment (DESIGN §4.3): the annual development plan, 入党志愿书 numbering
    against it, the name-list pre-review and the structure of admissions."""

    name = "recruitment.plans"
    label = "recruitment_plans"
    verbose_name = "发展党员计划"

    def ready(self) -> None:
        from audit.registry import register_filing_handler, register_subject
        from audit.selectors import register_action_labels

        from . import policies, selectors, services

        policies.register()
        register_filing_handler(services.NAME_LIST_SUBJECT, services.name_list_decided)
        register_subject("recruitment_plans.developmentplan", lambda user, pk: selectors.plan_get(user=user, pk=pk))
        register_subject("recruitment_plans.formnumber", lambda user, pk: selectors.form_number_get(user=user, pk=pk))
        register_subject(services.NAME_LIST_SUBJECT, lambda user, pk: selectors.name_list_get(user=user, pk=pk))
        register_action_labels({
            "development_plan.create": "制定年度发展党员计划",
            "development_plan.update": "调整年度发展党员计划",
            "form_number.issue": "发放入党志愿书编号",
            "form_number.void": "作废入党志愿书编号",
            "form_number.export": "导出入党志愿书编号台账",
            "target_groups.set": "标记重点群体",
            "name_list.submit": "报送拟发展对象名单预审",
            "name_list.approve": "拟发展对象名单预审通过",
            "name_list.return": "拟发展对象名单预审退回",
        })
