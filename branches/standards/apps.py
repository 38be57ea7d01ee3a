from django.apps import AppConfig


class StandardsConfig(AppConfig):
    """Branch life (DESIGN §8): the branch standardization checklist 党支部规范化建设."""

    name = "branches.standards"
    label = "standards"
    verbose_name = "支部规范化建设"

    def ready(self) -> None:
        from audit.registry import register_filing_handler, register_publicity_handler, register_subject
        from audit.selectors import register_action_labels
        from branches.policies import register_policy
        from partyadmin.jobs import register_daily

        from . import policies, prefill, services
        from .selectors import assessment_get

        prefill.register_builtins()
        for policy in policies.POLICIES:
            register_policy(policy)
        register_subject("standards.assessment", lambda user, subject_id: assessment_get(user=user, pk=subject_id))
        register_filing_handler(services.SUBJECT_TYPE, services.filing_decided)
        register_publicity_handler(services.SUBJECT_TYPE, services.objection_upheld)
        register_daily("standards_tick", services.standards_tick, "支部规范化建设结果确认与整改期限",
                       count_labels={"confirmed": "确认考核结果", "overdue": "新超期整改"})
        register_action_labels({
            "standards.template_load": "导入考核细则",
            "standards.round_open": "发起规范化建设考核",
            "standards.assessment_add": "添加支部考核",
            "standards.prefill": "读取记录预填",
            "standards.self_score": "支部自评",
            "standards.veto_declare": "申报一票否决情形",
            "standards.evidence_add": "上传佐证材料",
            "standards.evidence_remove": "删除佐证材料",
            "standards.submit": "支部提交自评",
            "standards.review_score": "考核评分",
            "standards.review_veto": "认定一票否决情形",
            "standards.committee_report": "基层党委考核申报",
            "standards.return": "退回支部修改",
            "standards.county_return": "县委组织部退回",
            "standards.rate": "县委组织部验收评定",
            "standards.objected": "公示异议成立",
            "standards.confirm": "确认规范化建设考核结果",
            "standards.rectification_open": "下达整改任务",
            "standards.rectification_report": "报告整改情况",
            "standards.rectification_overdue": "整改超期",
            "standards.seat_discipline": "登记支委党纪处分",
        })
