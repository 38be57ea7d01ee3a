from django.apps import AppConfig


class GroupingConfig(AppConfig):
    """一编三定 for no-office members (DESIGN §7). Sits above scoring: the year-end grade becomes a
    points entry through `scoring.services.source_entry_record`."""

    name = "grouping"
    verbose_name = "一编三定"

    def ready(self) -> None:
        from audit.registry import register_subject
        from audit.selectors import register_action_labels
        from membership.changes.registry import register_transfer_handler
        from membership.portal import Panel, register_portal_panel
        from partyadmin.jobs import register_daily

        from . import selectors, services

        register_subject("grouping.postlist", lambda user, pk: selectors.post_list_get(user=user, pk=pk))
        register_subject("grouping.performanceentry", lambda user, pk: selectors.entry_get(user=user, pk=pk))
        for label in ("office", "exemption", "training", "evaluation"):
            register_subject(f"grouping.{label}", _resolver(label))
        register_action_labels(ACTION_LABELS)
        register_transfer_handler(services.member_moved)
        register_daily("grouping.ledger_reminders", services.ledger_reminders, "履岗记实台账提醒",
                       count_labels={"reminded": "提醒"})
        register_portal_panel(Panel("grouping", "我的岗位", "grouping/_portal_panel.html", _portal_panel, order=40,
                                    title_for_others="岗位"))


def _resolver(model_name: str):  # type: ignore[no-untyped-def]
    """The audit history page's access check for a row of `model_name`: the branch's view scope."""

    def resolve(user, pk):  # type: ignore[no-untyped-def]
        from django.apps import apps

        from branches import scoping
        from branches.scoping import Action

        model = apps.get_model("grouping", model_name)
        return scoping.get_or_404(model.objects.all(), user, Action.VIEW_MEMBER, path_field="organization__path",
                                  pk=pk)

    return resolve


def _portal_panel(user, member) -> dict:  # type: ignore[no-untyped-def]
    from partyadmin.workdays import china_today

    from .models import Placement

    year = china_today().year
    placements = list(Placement.objects.filter(member=member, post__post_list__year=year, post__is_active=True)
                      .select_related("post__leader__person"))
    return {"year": year, "placements": placements}


ACTION_LABELS = {
    "grouping.office_declare": "登记党员职务",
    "grouping.office_end": "登记职务离任",
    "grouping.exemption_request": "登记免于认岗申请",
    "grouping.exemption_decide": "审批免于认岗",
    "grouping.post_list_create": "建立岗位清单",
    "grouping.post_add": "增设岗位",
    "grouping.post_update": "调整岗位",
    "grouping.post_retire": "撤销岗位",
    "grouping.post_list_publish": "党员大会公布岗位",
    "grouping.claim": "认领岗位",
    "grouping.claim_withdraw": "撤回认岗",
    "grouping.placement_draft": "拟定定岗方案",
    "grouping.placement_propose": "调整定岗方案",
    "grouping.placement_remove": "移出定岗方案",
    "grouping.placement_opinion": "记录党员意见",
    "grouping.placement_confirm": "确认党员岗位",
    "grouping.group_set": "编组设置",
    "grouping.commitment_sign": "签订履岗承诺书",
    "grouping.public_commitment": "公开承诺",
    "grouping.ledger_publish": "公布编组台账",
    "grouping.post_list_file": "报乡镇党委备案",
    "grouping.entry_record": "录入履岗记实",
    "grouping.entry_sign": "履岗记实签字",
    "grouping.training_record": "登记培训",
    "grouping.review_record": "半年总结点评",
    "grouping.evaluation_record": "年度履岗考评",
    "grouping.ledger_reveal": "查看编组台账完整信息",
}
