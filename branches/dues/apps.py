from datetime import date

from django.apps import AppConfig


class DuesConfig(AppConfig):
    """Party dues (党费), part of branch life in `branches`: its own tables and migrations under "dues"."""

    name = "branches.dues"
    label = "dues"
    verbose_name = "党费"

    def ready(self) -> None:
        from audit.registry import register_subject
        from membership.portal import Panel, register_portal_panel
        from partyadmin.jobs import register_daily

        from . import selectors

        register_daily("dues_tick", _daily_dues_tick, "党费欠交提醒",
                       count_labels={"reminded": "提醒支部", "flagged": "连续6个月未交", "resolved": "已补交"})
        register_subject("dues.duesbase", lambda user, pk: selectors.base_get(user=user, pk=pk))
        register_subject("dues.duespayment", lambda user, pk: selectors.payment_get(user=user, pk=pk))
        register_subject("dues.dueslapseflag", lambda user, pk: selectors.lapse_flag_get(user=user, pk=pk))
        register_portal_panel(Panel("dues", "我的党费", "branches/dues/_portal_panel.html", _portal_panel, order=30))


def _daily_dues_tick(*, today: date) -> dict[str, int]:
    from .services import dues_tick

    return dues_tick(today=today)


def _portal_panel(user, member) -> dict:  # type: ignore[no-untyped-def]
    from partyadmin.workdays import china_today

    from .selectors import dues_summary_for_member

    return {"summary": dues_summary_for_member(member, china_today().year)}
