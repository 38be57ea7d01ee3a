from datetime import date
from typing import Any

from django.apps import AppConfig


class RecruitmentConfig(AppConfig):
    """The admission pipeline 双推双评三全程 (DESIGN §4): one file per person, its 25 steps, publicity at each
    stage, filings to the superiors, accountability, and the record that moves with the person."""

    name = "recruitment"
    verbose_name = "发展党员"

    def ready(self) -> None:
        from audit.registry import register_filing_handler, register_publicity_handler, register_subject
        from audit.selectors import register_action_labels
        from branches.policies import register_policy
        from branches.standards.registry import register_prefill
        from membership.changes import registry as member_changes
        from membership.changes.registry import register_transfer_handler
        from membership.portal import Panel, register_portal_panel
        from partyadmin.jobs import register_daily
        from recruitment.plans.registry import register_name_list_candidates
        from scoring.registry import register_scored_people

        from . import policies, selectors, services

        for policy in policies.POLICIES:
            register_policy(policy)
        register_subject(services.FILE_SUBJECT, lambda user, pk: selectors.file_get(user=user, pk=pk))
        register_subject(services.STEP_SUBJECT, _step_resolver)
        register_publicity_handler(services.FILE_SUBJECT, services.publicity_terminated)
        register_filing_handler(services.STEP_SUBJECT, services.filing_decided)
        register_transfer_handler(services.transfer_moved)
        register_scored_people(_scored_activists)
        register_daily("recruitment_tick", services.recruitment_tick, "发展党员期限与提醒",
                       count_labels={"due_soon": "即将到期", "overdue": "已超期", "reminded": "提醒",
                                     "extended": "延长预备期", "cancelled": "取消积极分子资格"})
        register_portal_panel(Panel("recruitment", "我的入党档案", "recruitment/_portal_panel.html", _portal_panel,
                                    order=15, title_for_others="入党档案"))
        register_action_labels(ACTION_LABELS)
        register_prefill("activist_training", selectors.activist_training_prefill)
        register_name_list_candidates(selectors.name_list_candidates)
        # 转正 dates the full membership from the end of the (extended) probation: tell the register about
        # the extensions decided here.
        member_changes.register_probation_extension(selectors.probation_extended_until)


ACTION_LABELS = {
    "recruitment.apply": "递交入党申请书",
    "recruitment.talk": "入党申请人谈话",
    "recruitment.recommend": "党员推荐入党积极分子",
    "recruitment.mass_org_recommend": "群团组织推优",
    "recruitment.mass_meeting": "群众推优会",
    "recruitment.activist_designate": "确定入党积极分子",
    "recruitment.filing_submit": "报送上级党委",
    "recruitment.filing_approved": "上级党委同意",
    "recruitment.filing_returned": "上级党委退回",
    "recruitment.contact_assign": "指定培养联系人",
    "recruitment.training": "培养教育记录",
    "recruitment.evaluation": "民主评议（双评）",
    "recruitment.activist_cancel": "取消入党积极分子资格",
    "recruitment.candidate_propose": "确定发展对象人选",
    "recruitment.introducers": "确定入党介绍人",
    "recruitment.political_review": "政治审查",
    "recruitment.training_concentrated": "集中培训",
    "recruitment.committee_review": "支部委员会审查",
    "recruitment.form_fill": "填写入党志愿书",
    "recruitment.admission_vote": "支部大会讨论接收预备党员",
    "recruitment.organizer_talk": "上级党委派人谈话",
    "recruitment.approval_extend": "延长审批期限",
    "recruitment.placement": "编入党支部和党小组",
    "recruitment.oath": "入党宣誓",
    "recruitment.conversion_apply": "提出转正申请",
    "recruitment.probation_extend": "延长预备期",
    "recruitment.conversion_vote": "支部大会讨论转正",
    "recruitment.archive": "发展党员材料归档",
    "recruitment.terminate": "终止发展程序",
    "recruitment.accountability_open": "发展党员责任追究立案",
    "recruitment.transfer": "发展党员档案转接",
    "recruitment.material_add": "上传发展党员材料",
    "recruitment.record_print": "打印全程记实表",
}


def _step_resolver(user: Any, pk: str) -> Any:
    from django.http import Http404

    from . import selectors
    from .models import Step

    step = Step.objects.filter(pk=pk).values_list("file_id", flat=True).first()
    if step is None:
        raise Http404("对象不存在或无权访问。")
    return selectors.file_get(user=user, pk=step)


def _scored_activists(*, organization_ids: list[int], on: date) -> list[Any]:
    from scoring.registry import ScoredPerson

    from .selectors import scored_activists

    return [ScoredPerson(person_id, organization_id, "activist")
            for person_id, organization_id in scored_activists(organization_ids=organization_ids, on=on)]


def _portal_panel(user: Any, member: Any) -> dict | None:
    """The probationary member's own file: stage, current step, probation end."""
    from .models import FileStatus, RecruitmentFile

    file = (RecruitmentFile.objects.filter(person_id=member.person_id).exclude(status=FileStatus.TERMINATED)
            .order_by("-pk").first())
    if file is None or member.status != "probationary":
        return None
    return {"file": file}
