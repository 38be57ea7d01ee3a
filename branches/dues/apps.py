from datetime import date
from typing import Any

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
        register_portal_panel(Panel("dues", "我的党费", "branches/dues/_portal_panel.html", _portal_panel, order=30,
                                    title_for_others="党费"))
        _wire_dues()


def _daily_dues_tick(*, today: date) -> dict[str, int]:
    from .services import dues_tick

    return dues_tick(today=today)


def _portal_panel(user, member) -> dict:  # type: ignore[no-untyped-def]
    from partyadmin.workdays import china_today

    from .selectors import dues_summary_for_member

    return {"summary": dues_summary_for_member(member, china_today().year)}


# --- offered to the disposal procedure and the introduction letter (membership) ----------------------
# Membership sits below branch life (DESIGN §2) and never imports dues: dues registers what it knows.

def _wire_dues() -> None:
    from membership.changes.registry import LapseSource, register_dues_paid_until, register_lapse_source

    register_lapse_source(LapseSource(name="dues", candidates=_dues_lapse_candidates,
                                      case_opened=_dues_lapse_case_opened))
    register_dues_paid_until(_dues_paid_until)


def _dues_lapse_candidates(organization: Any) -> list:
    from membership.changes.registry import LapseCandidate
    from membership.changes.rules import LAPSE_DUES

    from .selectors import lapse_candidates

    return [
        LapseCandidate(member_id=flag.member_id, organization_id=flag.organization_id, reference=str(flag.pk),
                       ground=LAPSE_DUES, since=flag.since_month, months=flag.months_unpaid, description=str(flag))
        for flag in lapse_candidates(organization)
    ]


def _dues_lapse_case_opened(*, acting_user: Any, reference: str, case: Any) -> None:
    """The flag is handed to the disposal procedure (resolved as such, in the opening transaction)."""
    from .models import DuesLapseFlag, LapseResolution
    from .services import dues_lapse_flag_resolve

    flag = DuesLapseFlag.objects.filter(pk=reference, member_id=case.member_id, resolved=False).first()
    if flag is not None:
        dues_lapse_flag_resolve(acting_user=acting_user, flag=flag, resolution=LapseResolution.DISPOSAL,
                                note=f"已启动不合格党员处置程序（除名），处置编号 {case.pk}", today=case.finding_on)


def _dues_paid_until(member: Any) -> date | None:
    """The first day of the last month the member paid for (advance payments into next year included)."""
    from membership.models import Member
    from partyadmin.workdays import china_today

    from . import rules as dues_rules
    from .selectors import with_dues_position

    year = china_today().year + 1
    row = with_dues_position(Member.objects.filter(pk=member.pk), year=year, up_to_month=12).first()
    if row is None or row.dues_last_paid is None:
        return None
    return dues_rules.first_day_of(row.dues_last_paid)
