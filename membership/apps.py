from datetime import date

from django.apps import AppConfig


class MembershipConfig(AppConfig):
    name = "membership"
    verbose_name = "党员"

    def ready(self) -> None:
        from audit.registry import register_filing_handler, register_subject
        from partyadmin.jobs import register_daily

        from .changes import policies
        from .changes import selectors as changes
        from .changes import services as change_services
        from .selectors import member_get

        # The audit history page shows a member's events only to users who may see the member.
        register_subject("membership.member", lambda user, subject_id: member_get(user=user, pk=subject_id))
        register_subject("membership.transfer", lambda user, pk: changes.transfer_get(user=user, pk=pk))
        register_subject("membership.flowrecord", lambda user, pk: changes.flow_get(user=user, pk=pk))
        register_subject("membership.exemption", lambda user, pk: changes.exemption_get(user=user, pk=pk))
        register_subject("membership.disposalcase", lambda user, pk: changes.disposal_get(user=user, pk=pk))
        # A decided filing reaches back: an approved exemption sets Member.is_exempt; a disposal moves on.
        register_filing_handler(change_services.SUBJECT_EXEMPTION, change_services.exemption_filing_decided)
        register_filing_handler(change_services.SUBJECT_DISPOSAL, change_services.disposal_filing_decided)
        policies.register()
        register_daily("flow_tick", _daily_flow_tick, "流动党员汇报提醒",
                       count_labels={"report_reminders": "汇报提醒", "transfer_prompts": "建议转接组织关系"})
        register_daily("disposal_tick", _daily_disposal_tick, "限期改正期满提醒",
                       count_labels={"near": "即将期满", "reached": "已期满"})
        from .portal import register_own_panels

        register_own_panels()


def _daily_flow_tick(*, today: date) -> dict[str, int]:
    from .changes.services import flow_tick

    return flow_tick(today=today)


def _daily_disposal_tick(*, today: date) -> dict[str, int]:
    from .changes.services import disposal_tick

    return disposal_tick(today=today)
